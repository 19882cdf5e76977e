/**
 * The model the runtime and LASER benchmarks run, so their figures describe the same network: LLaVA-1.5's
 * shape scaled down where cost is not decided (random weights; 576 image tokens per image, LLaMA hidden
 * 256 x 8 layers, GQA 8/4 heads, vocab 4096; a 3-layer CLIP on 336 px inputs).
 */

export const IMAGE_TOKEN = 4095;
export const VOCAB = 4096;
/** Patches per side of the image grid: GRID * GRID image tokens. */
export const GRID = 24;

/** The HF config.json of the bench model. */
export function benchConfig(): Record<string, unknown> {
  return {
    architectures: ['LlavaForConditionalGeneration'],
    model_type: 'llava',
    image_token_index: IMAGE_TOKEN,
    image_seq_length: GRID * GRID,
    text_config: {
      model_type: 'llama',
      hidden_size: 256,
      intermediate_size: 688,
      num_hidden_layers: 8,
      num_attention_heads: 8,
      num_key_value_heads: 4,
      max_position_embeddings: 4096,
      vocab_size: VOCAB,
    },
    vision_config: {
      model_type: 'clip_vision_model',
      hidden_size: 64,
      intermediate_size: 256,
      num_hidden_layers: 3,
      num_attention_heads: 4,
      image_size: 14 * GRID,
      patch_size: 14,
    },
    vision_feature_layer: -2,
    torch_dtype: 'float32',
  };
}
