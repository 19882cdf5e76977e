/**
 * The LLaMA decoder (transformers LlamaForCausalLM, eager attention) in float64, over one sequence
 * without a KV cache: every position attends causally to itself and all earlier ones.
 *
 * The same code is the Qwen2 decoder of Qwen2-VL / Qwen2.5-VL (Qwen2VLModel) with the options:
 * checkpoint prefix '' instead of 'language_model.', biases on q/k/v (never on o), and multimodal
 * rotary positions (three axes and mrope_section) instead of one position per token.
 */
import type { LlamaConfig } from '../../src/engine/checkpoint/hf-config.ts';
import { add, attention, linear, map, matrix, mul, rmsNorm, silu, type Matrix, type Weights } from './ops-f64.ts';
import { applyMrope, applyRope, ropeInvFreq, type MropePositions } from './rope-f64.ts';

export interface DecoderOptions {
  /** What precedes `model.` and `lm_head.weight` in the checkpoint: 'language_model.' (LLaVA, default) or '' (Qwen2-VL). */
  prefix?: string;
  /** q_proj, k_proj and v_proj have biases (Qwen2). Default false. */
  qkvBias?: boolean;
}

/** One position per token (1-D RoPE), or M-RoPE's three axes with their sections. */
export type Positions = readonly number[] | MropePositions;

function maxPosition(p: Positions): number {
  return 'axes' in p ? Math.max(...p.axes.flat()) : Math.max(...p);
}

export interface LlamaOutput {
  /** [S, vocab]: raw scores at every position. */
  logits: Matrix;
  /** Per layer, [heads, S, S] post-softmax (query head index). */
  attentions: Float64Array[];
  /** numHiddenLayers + 1: the input of each layer, then the last layer's output after the final norm. */
  hiddenStates: Matrix[];
}

/** Row gather of embed_tokens. */
export function embedTokens(c: LlamaConfig, w: Weights, ids: readonly number[], prefix = 'language_model.'): Matrix {
  const E = w(`${prefix}model.embed_tokens.weight`);
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
export function llamaForward(c: LlamaConfig, w: Weights, inputsEmbeds: Matrix, positions: Positions, opts: DecoderOptions = {}): LlamaOutput {
  const prefix = opts.prefix ?? 'language_model.';
  const T = `${prefix}model.`;
  const invFreq = ropeInvFreq(c, maxPosition(positions) + 1);
  let h = inputsEmbeds;
  const hiddenStates: Matrix[] = [];
  const attentions: Float64Array[] = [];
  for (let i = 0; i < c.numHiddenLayers; i++) {
    hiddenStates.push(h);
    const layer = llamaDecoderLayer(c, w, `${T}layers.${i}.`, h, positions, invFreq, opts.qkvBias ?? false);
    h = layer.out;
    attentions.push(layer.probs);
  }
  const final = rmsNorm(h, w(`${T}norm.weight`), c.rmsNormEps);
  hiddenStates.push(final);
  const head = c.tieWordEmbeddings ? w(`${T}embed_tokens.weight`) : w(`${prefix}lm_head.weight`);
  return { logits: linear(final, head, c.vocabSize), attentions, hiddenStates };
}

/** LlamaDecoderLayer: x + attn(rmsnorm(x)), then x + mlp(rmsnorm(x)). */
function llamaDecoderLayer(
  c: LlamaConfig,
  w: Weights,
  p: string,
  x: Matrix,
  positions: Positions,
  invFreq: Float64Array,
  qkvBias: boolean,
): { out: Matrix; probs: Float64Array } {
  const attn = llamaAttention(c, w, `${p}self_attn.`, rmsNorm(x, w(`${p}input_layernorm.weight`), c.rmsNormEps), positions, invFreq, qkvBias);
  const h = add(x, attn.out);
  const out = add(h, llamaMlp(c, w, `${p}mlp.`, rmsNorm(h, w(`${p}post_attention_layernorm.weight`), c.rmsNormEps)));
  return { out, probs: attn.probs };
}

/** LlamaAttention: rope on q and k, causal softmax(q·k/√hd) over KV heads shared by groups (GQA), o_proj. */
function llamaAttention(
  c: LlamaConfig,
  w: Weights,
  p: string,
  x: Matrix,
  positions: Positions,
  invFreq: Float64Array,
  qkvBias: boolean,
): { out: Matrix; probs: Float64Array } {
  const H = c.numAttentionHeads;
  const KVH = c.numKeyValueHeads;
  const hd = c.headDim;
  const proj = (name: string, out: number) => linear(x, w(`${p}${name}.weight`), out, qkvBias ? w(`${p}${name}.bias`) : undefined);
  const rope = (m: Matrix, heads: number) => ('axes' in positions ? applyMrope(m, heads, hd, positions, invFreq) : applyRope(m, heads, hd, positions, invFreq));
  const q = rope(proj('q_proj', H * hd), H);
  const k = rope(proj('k_proj', KVH * hd), KVH);
  const v = proj('v_proj', KVH * hd);
  const a = attention(q, k, v, H, KVH, hd, true);
  return { out: linear(a.out, w(`${p}o_proj.weight`), c.hiddenSize), probs: a.probs };
}

/** LlamaMLP (SwiGLU): down(silu(gate(x)) · up(x)). */
function llamaMlp(c: LlamaConfig, w: Weights, p: string, x: Matrix): Matrix {
  const gate = map(linear(x, w(`${p}gate_proj.weight`), c.intermediateSize), silu);
  const up = linear(x, w(`${p}up_proj.weight`), c.intermediateSize);
  return linear(mul(gate, up), w(`${p}down_proj.weight`), c.hiddenSize);
}
