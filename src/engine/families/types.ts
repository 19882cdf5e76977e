/**
 * What a model family is, for the compiler: the seam every family plugs into (registry.ts lists
 * them). A family turns a checkpoint folder into typed config, checked weights, graphs, the
 * preprocessing to record and its section of the bundle manifest; the compiler does the rest
 * (target folder, streaming, hashing, atomic rename) the same way for every family.
 */
import type { ModelSection } from '../bundle/manifest.ts';
import type { Checkpoint } from '../checkpoint/checkpoint.ts';
import type { SizeField } from '../checkpoint/size-fields.ts';
import type { QuantContext } from '../compiler/nn.ts';
import type { FloatDtype, Weights } from '../compiler/weights.ts';
import type { GraphBuilder } from '../onnx/ops.ts';
import type { FallbackTemplate } from '../tokenizer/chat-template.ts';

/** The four graphs of a bundle (docs/bundle-format.md); decoderAttention shares the decoder's weights. */
export interface BundleGraphs {
  vision: GraphBuilder;
  embed: GraphBuilder;
  decoder: GraphBuilder;
  decoderAttention: GraphBuilder;
}

export interface GraphBuildOptions {
  /** Float type of the float weights (all of them, or those not quantised). */
  dtype: FloatDtype;
  /** Weight-only quantisation of the decoder's Linear layers and what else it names, or null. */
  quant?: QuantContext | null;
  /** Emit attn_last from the decoder (default true; false only for measuring the taps' cost). */
  taps?: boolean;
}

/** Compile-time image options; each family reads the ones that apply to it. */
export interface ImageCompileOptions {
  /** LLaVA: 'pad' (original LLaVA-1.5, default) or 'crop' (llava-hf processor). */
  imageMode?: 'pad' | 'crop';
  /** Qwen2-VL: smart_resize bounds recorded in the bundle (default: preprocessor_config.json's). */
  minPixels?: number;
  maxPixels?: number;
}

/** A checkpoint opened by its family: config parsed, weights checked against it. */
export interface FamilyCheckpoint {
  /** config.json's model_type. */
  modelType: string;
  /** Weights under the family's canonical names. Close when done. */
  weights: Checkpoint;
  buildGraphs(w: Weights, opts: GraphBuildOptions): BundleGraphs;
  /** The config.json fields that give tensor sizes (checkpoint/size-fields.ts), for shape errors. */
  sizeFields: readonly SizeField[];
  /** The model's section of manifest.json, with the preprocessing read from the checkpoint folder. */
  manifestSection(dir: string, opts: ImageCompileOptions): Promise<ModelSection>;
  /** Token ids from config.json (generation_config.json overrides them). */
  ids: { bosTokenId: number | null; eosTokenIds: number[]; padTokenId: number | null };
}

export interface ModelFamily {
  /** The manifest's `architecture`. */
  architecture: ModelSection['architecture'];
  /** Human name, for messages and the model list. */
  label: string;
  /** HF model_type values this family compiles. */
  modelTypes: readonly string[];
  /** The conversation format used when a checkpoint ships no chat template (tokenizer/chat-template.ts). */
  fallbackTemplate: FallbackTemplate;
  /** Parses config.json (already read as `json`) and opens and checks the weights in `dir`. */
  openCheckpoint(dir: string, json: Record<string, unknown>, file: string): Promise<FamilyCheckpoint>;
}
