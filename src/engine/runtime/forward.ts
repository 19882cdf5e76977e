/**
 * `laser forward`: the exchange format by which any reference implementation can check this
 * runtime. In: a safetensors file with `input_ids` int64 [1, S] (image placeholders expanded) and,
 * when the prompt has image tokens, `pixel_values` float32 [N, 3, H, W] (preprocessed; LLaVA), or
 * `pixel_values` float32 [num_patches, C*T*p*p] with `image_grid_thw` int64 [N, 3] (Qwen2-VL, as
 * its processor makes them; positions are the M-RoPE ones our code computes). Out:
 * `logits` float32 [1, S, V] (every position), `attn_last` float32 [L, H, S] (the last position's
 * attention, batch axis dropped), when a layer is asked for, `attn_full` float32 [H, S, S] (that
 * layer's whole post-softmax attention over the prompt, batch axis dropped) and, when steps are asked
 * for, `greedy_ids` int64 [steps]: the greedy continuation decoded with the KV cache, without
 * stopping at EOS.
 */
import { existsSync } from 'node:fs';
import { SafetensorsFile } from '../checkpoint/safetensors.ts';
import { writeSafetensors, type TensorToWrite } from '../checkpoint/safetensors-writer.ts';
import { cancelledError, WorkbenchError } from '../../common/contract/errors.ts';
import { generateGreedy, promptWorkspace, type RuntimeProgress } from './generate.ts';
import type { PatchGrid } from './model-runtime.ts';
import type { ModelRuntime, SessionTimes } from './model-runtime.ts';

export interface ForwardInputs {
  inputIds: BigInt64Array;
  /** [images, 3, S, S] (fixed-grid) or [num_patches, row] (native-resolution), or null when the prompt has no image. */
  pixelValues: Float32Array | null;
  images: number;
  /** Native-resolution models: each image's patch grid (image_grid_thw). */
  grids?: PatchGrid[];
}

export interface ForwardOutputs {
  /** [S, V] (batch 1). */
  logits: Float32Array;
  /** [L, H, S]. */
  attnLast: Float32Array;
  /** [H, S, S] of the layer asked for, or null. */
  attnFull: Float32Array | null;
  greedyIds: number[] | null;
  timings: { visionMs: number; prefillMs: number; decodeMs: number };
}

export interface ForwardRunOptions {
  steps?: number;
  /** Also return this decoder layer's whole attention (the runtime must be able to inspect). */
  attnLayer?: number;
  signal?: AbortSignal;
  /** encode-images 0/1 → 1/1, prefill 0/1 → 1/1, then decode step/steps. */
  onProgress?: (p: RuntimeProgress) => void;
}

const inputsHint =
  'The inputs file needs input_ids (I64 [1, S]) and, when the prompt has image tokens, pixel_values (F32 [N, 3, H, W]; Qwen2-VL: F32 [num_patches, C*T*p*p] with image_grid_thw I64 [N, 3]).';

/** What the inputs file is checked against: the vision input of the runtime's family. */
export type ForwardVision = { kind: 'fixed-grid'; imageSize: number } | { kind: 'native-resolution'; patchRow: number };

/** The ForwardVision of a runtime. */
export function forwardVisionOf(runtime: ModelRuntime): ForwardVision {
  return runtime.vision.kind === 'fixed-grid'
    ? { kind: 'fixed-grid', imageSize: runtime.imageSize }
    : { kind: 'native-resolution', patchRow: runtime.vision.patchRow };
}

async function readPatches(file: SafetensorsFile, path: string, inputIds: BigInt64Array, patchRow: number): Promise<ForwardInputs> {
  const px = file.info('pixel_values');
  if (px.dtype !== 'F32' || px.shape.length !== 2 || (px.shape[0] ?? 0) < 1 || px.shape[1] !== patchRow) {
    throw new WorkbenchError(
      'bad-request',
      `${path}: pixel_values is ${px.dtype} [${px.shape.join(', ')}], expected F32 [num_patches, ${patchRow}] for this bundle.`,
      inputsHint,
    );
  }
  if (!file.has('image_grid_thw'))
    throw new WorkbenchError(
      'bad-request',
      `${path}: has pixel_values but no image_grid_thw, which this bundle needs to place each image's patches.`,
      inputsHint,
    );
  const g = file.info('image_grid_thw');
  if (g.dtype !== 'I64' || g.shape.length !== 2 || g.shape[1] !== 3 || (g.shape[0] ?? 0) < 1) {
    throw new WorkbenchError('bad-request', `${path}: image_grid_thw is ${g.dtype} [${g.shape.join(', ')}], expected I64 [N, 3].`, inputsHint);
  }
  const flat = Array.from(await file.readInt64('image_grid_thw'), Number);
  const grids: PatchGrid[] = [];
  for (let i = 0; i < flat.length; i += 3) {
    const [t, h, w] = flat.slice(i, i + 3);
    if (t === undefined || h === undefined || w === undefined)
      throw new WorkbenchError('bad-request', `${path}: image_grid_thw has ${flat.length} values, not 3 per image.`, inputsHint);
    grids.push({ t, h, w });
  }
  return { inputIds, pixelValues: await file.readFloat32('pixel_values'), images: grids.length, grids };
}

/** Reads and checks the inputs file against the runtime's vision input. */
export async function readForwardInputs(path: string, vision: ForwardVision | number): Promise<ForwardInputs> {
  const v: ForwardVision = typeof vision === 'number' ? { kind: 'fixed-grid', imageSize: vision } : vision;
  if (!existsSync(path)) throw new WorkbenchError('not-found', `${path}: no such inputs file.`, inputsHint);
  const file = await SafetensorsFile.open(path);
  try {
    if (!file.has('input_ids')) throw new WorkbenchError('bad-request', `${path}: has no tensor "input_ids".`, inputsHint);
    const ids = file.info('input_ids');
    if (ids.dtype !== 'I64' || ids.shape.length !== 2 || ids.shape[0] !== 1 || (ids.shape[1] ?? 0) < 1) {
      throw new WorkbenchError('bad-request', `${path}: input_ids is ${ids.dtype} [${ids.shape.join(', ')}], expected I64 [1, S] with S >= 1.`, inputsHint);
    }
    const inputIds = await file.readInt64('input_ids');
    if (!file.has('pixel_values')) return { inputIds, pixelValues: null, images: 0 };
    if (v.kind === 'native-resolution') return await readPatches(file, path, inputIds, v.patchRow);
    const imageSize = v.imageSize;
    const px = file.info('pixel_values');
    const [n, c, h, w] = px.shape;
    if (px.dtype !== 'F32' || px.shape.length !== 4 || n === undefined || n < 1 || c !== 3 || h !== imageSize || w !== imageSize) {
      throw new WorkbenchError(
        'bad-request',
        `${path}: pixel_values is ${px.dtype} [${px.shape.join(', ')}], expected F32 [N, 3, ${imageSize}, ${imageSize}] for this bundle.`,
        inputsHint,
      );
    }
    return { inputIds, pixelValues: await file.readFloat32('pixel_values'), images: n };
  } finally {
    await file.close();
  }
}

/** The forward pass itself: every position's logits, the last position's attention, and greedy steps. */
export async function runForward(runtime: ModelRuntime, inputs: ForwardInputs, options: ForwardRunOptions = {}): Promise<ForwardOutputs> {
  const steps = options.steps ?? 0;
  if (!Number.isInteger(steps) || steps < 0) throw new WorkbenchError('bad-request', `--steps must be a non-negative integer, got ${steps}.`);
  const { signal, onProgress, attnLayer } = options;
  // Before any work: a wrong layer should not cost an image encoding first.
  if (attnLayer !== undefined) runtime.checkAttnLayer(attnLayer);
  const stage = async <T>(name: 'encode-images' | 'prefill', fn: () => Promise<T>): Promise<[T, number]> => {
    if (signal?.aborted) throw cancelledError();
    onProgress?.({ stage: name, step: 0, total: 1 });
    const t0 = performance.now();
    const value = await fn();
    const ms = performance.now() - t0;
    onProgress?.({ stage: name, step: 1, total: 1 });
    return [value, ms];
  };
  const pixels = inputs.pixelValues;
  const grids = inputs.grids;
  const encode = () => (grids ? runtime.encodePatches(pixels!, grids) : runtime.encodeImages(pixels!, inputs.images));
  const [images, visionMs] = pixels === null ? [null, 0] : await stage('encode-images', encode);
  // The prompt's cache is only continued by the greedy steps: it goes straight into their workspace,
  // so the process holds two sets of KV buffers, not the prefill's cache beside the steps' two.
  const { layers, kvHeads, headDim } = runtime.dims;
  const workspace = promptWorkspace({ layers, batch: 1, kvHeads, headDim }, inputs.inputIds.length, steps - 1);
  const [prefill, prefillMs] = await stage('prefill', () => runtime.prefill([{ ids: inputs.inputIds, images }], { logits: 'all', attnLayer, into: workspace }));
  const t = performance.now();
  let greedyIds: number[] | null = null;
  if (steps > 0) {
    const out = await generateGreedy(runtime, prefill, { maxNewTokens: steps, signal, onProgress, workspace });
    greedyIds = out.ids;
  }
  return {
    logits: prefill.logits,
    attnLast: prefill.attnLast,
    attnFull: prefill.attnFull ?? null,
    greedyIds,
    timings: { visionMs, prefillMs, decodeMs: performance.now() - t },
  };
}

/** The tensors of the output file. */
export function forwardTensors(runtime: ModelRuntime, sequence: number, out: ForwardOutputs): Record<string, TensorToWrite> {
  const { layers, heads, vocab } = runtime.dims;
  const tensors: Record<string, TensorToWrite> = {
    logits: { dtype: 'F32', shape: [1, sequence, vocab], data: out.logits },
    attn_last: { dtype: 'F32', shape: [layers, heads, sequence], data: out.attnLast },
  };
  if (out.attnFull !== null) tensors.attn_full = { dtype: 'F32', shape: [heads, sequence, sequence], data: out.attnFull };
  if (out.greedyIds !== null) {
    tensors.greedy_ids = { dtype: 'I64', shape: [out.greedyIds.length], data: BigInt64Array.from(out.greedyIds.map(BigInt)) };
  }
  return tensors;
}

export interface ForwardFilesResult {
  sequence: number;
  images: number;
  greedyIds: number[] | null;
  timings: ForwardOutputs['timings'] & { sessions: SessionTimes };
}

/** Reads `inputsPath`, runs, and writes `outPath` (atomically). */
export async function forwardFiles(runtime: ModelRuntime, inputsPath: string, outPath: string, options: ForwardRunOptions = {}): Promise<ForwardFilesResult> {
  const inputs = await readForwardInputs(inputsPath, forwardVisionOf(runtime));
  const out = await runForward(runtime, inputs, options);
  await writeSafetensors(outPath, forwardTensors(runtime, inputs.inputIds.length, out), { format: 'laser-forward' });
  return { sequence: inputs.inputIds.length, images: inputs.images, greedyIds: out.greedyIds, timings: { ...out.timings, sessions: runtime.sessionMs } };
}
