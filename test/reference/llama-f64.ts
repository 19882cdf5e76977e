/**
 * The LLaMA decoder (transformers LlamaForCausalLM, eager attention) in float64, over one sequence
 * without a KV cache: every position attends causally to itself and all earlier ones.
 */
import type { LlamaConfig } from '../../src/engine/checkpoint/hf-config.ts';
import { lmHeadName } from '../../src/engine/checkpoint/llava-tensors.ts';
import { add, attention, linear, map, matrix, mul, rmsNorm, silu, type Matrix, type Weights } from './ops-f64.ts';
import { applyRope, ropeInvFreq } from './rope-f64.ts';

const T = 'language_model.model.';

export interface LlamaOutput {
  /** [S, vocab]: raw scores at every position. */
  logits: Matrix;
  /** Per layer, [heads, S, S] post-softmax (query head index). */
  attentions: Float64Array[];
  /** numHiddenLayers + 1: the input of each layer, then the last layer's output after the final norm. */
  hiddenStates: Matrix[];
}

/** Row gather of embed_tokens. */
export function embedTokens(c: LlamaConfig, w: Weights, ids: readonly number[]): Matrix {
  const E = w(`${T}embed_tokens.weight`);
  const H = c.hiddenSize;
  const x = matrix(ids.length, H);
  ids.forEach((id, i) => {
    if (!(id >= 0 && id < c.vocabSize)) throw new Error(`embedTokens: id ${id} outside the vocabulary (${c.vocabSize})`);
    x.data.set(E.subarray(id * H, (id + 1) * H), i * H);
  });
  return x;
}

/**
 * The decoder over `inputsEmbeds` [S, hidden] at `positions` (usually 0..S−1). Rope frequencies are
 * those for a pass over max(position) + 1 tokens (it matters for dynamic NTK only).
 */
export function llamaForward(c: LlamaConfig, w: Weights, inputsEmbeds: Matrix, positions: readonly number[]): LlamaOutput {
  const invFreq = ropeInvFreq(c, Math.max(...positions) + 1);
  let h = inputsEmbeds;
  const hiddenStates: Matrix[] = [];
  const attentions: Float64Array[] = [];
  for (let i = 0; i < c.numHiddenLayers; i++) {
    hiddenStates.push(h);
    const layer = llamaDecoderLayer(c, w, `${T}layers.${i}.`, h, positions, invFreq);
    h = layer.out;
    attentions.push(layer.probs);
  }
  const final = rmsNorm(h, w(`${T}norm.weight`), c.rmsNormEps);
  hiddenStates.push(final);
  const head = c.tieWordEmbeddings ? w(`${T}embed_tokens.weight`) : w(lmHeadName);
  return { logits: linear(final, head, c.vocabSize), attentions, hiddenStates };
}

/** LlamaDecoderLayer: x + attn(rmsnorm(x)), then x + mlp(rmsnorm(x)). */
function llamaDecoderLayer(c: LlamaConfig, w: Weights, p: string, x: Matrix, positions: readonly number[], invFreq: Float64Array): { out: Matrix; probs: Float64Array } {
  const attn = llamaAttention(c, w, `${p}self_attn.`, rmsNorm(x, w(`${p}input_layernorm.weight`), c.rmsNormEps), positions, invFreq);
  const h = add(x, attn.out);
  const out = add(h, llamaMlp(c, w, `${p}mlp.`, rmsNorm(h, w(`${p}post_attention_layernorm.weight`), c.rmsNormEps)));
  return { out, probs: attn.probs };
}

/** LlamaAttention: rope on q and k, causal softmax(q·k/√hd) over KV heads shared by groups (GQA), o_proj. */
function llamaAttention(c: LlamaConfig, w: Weights, p: string, x: Matrix, positions: readonly number[], invFreq: Float64Array): { out: Matrix; probs: Float64Array } {
  const H = c.numAttentionHeads;
  const KVH = c.numKeyValueHeads;
  const hd = c.headDim;
  const q = applyRope(linear(x, w(`${p}q_proj.weight`), H * hd), H, hd, positions, invFreq);
  const k = applyRope(linear(x, w(`${p}k_proj.weight`), KVH * hd), KVH, hd, positions, invFreq);
  const v = linear(x, w(`${p}v_proj.weight`), KVH * hd);
  const a = attention(q, k, v, H, KVH, hd, true);
  return { out: linear(a.out, w(`${p}o_proj.weight`), c.hiddenSize), probs: a.probs };
}

/** LlamaMLP (SwiGLU): down(silu(gate(x)) · up(x)). */
function llamaMlp(c: LlamaConfig, w: Weights, p: string, x: Matrix): Matrix {
  const gate = map(linear(x, w(`${p}gate_proj.weight`), c.intermediateSize), silu);
  const up = linear(x, w(`${p}up_proj.weight`), c.intermediateSize);
  return linear(mul(gate, up), w(`${p}down_proj.weight`), c.hiddenSize);
}
