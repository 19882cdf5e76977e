/**
 * Qwen2-VL and Qwen2.5-VL (transformers Qwen2VLForConditionalGeneration v4.45,
 * Qwen2_5_VLForConditionalGeneration v4.49; eager attention) in plain float64 TypeScript: the
 * independent oracle for the compiled graphs and the runtime on this family.
 *
 * pixel rows → patch embedding (the Conv3d over one patch is a dot product with the flattened
 * kernel) → vision blocks with 2-D rotary embedding (row angles, then column angles) and
 * block-diagonal attention (a patch sees its own image frame; in Qwen2.5-VL's windowed blocks only
 * its own window) → merger (norm, rows of merge² patches, fc + gelu + fc) → image embeddings in the
 * image-pad rows → the Qwen2 decoder with q/k/v biases and M-RoPE at get_rope_index's positions.
 *
 * Written to be independent of src/: everything happens in the processor's patch order. Windows are
 * not laid out as HF does (regroup, cu_window_seqlens, reverse): a patch's window is the key
 * (image, frame, unit row / side, unit column / side) of its merge group, and attention is masked
 * by it. Every vision op is row-wise or masked attention, so this equals HF's reordered pass.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { at } from '../support/index-access.ts';
import { openCheckpoint } from '../../src/engine/checkpoint/checkpoint.ts';
import { parseQwenConfig, type QwenConfig } from '../../src/engine/families/qwen2-vl/config.ts';
import { embedTokens, llamaForward, type LlamaOutput } from './llama-f64.ts';
import { add, at64, attention, geluErf, layerNorm, linear, map, matrix, mul, quickGelu, rmsNorm, row, silu, type Matrix, type Weights } from './ops-f64.ts';
import type { MropePositions } from './rope-f64.ts';

export interface QwenF64 {
  config: QwenConfig;
  weights: Weights;
}

/** An image's patch grid, image_grid_thw's row: frames, patch rows, patch columns. */
export interface Grid {
  t: number;
  h: number;
  w: number;
}

/** Loads every tensor of a checkpoint folder as float64. */
export async function loadQwenF64(dir: string): Promise<QwenF64> {
  const file = join(dir, 'config.json');
  const config = parseQwenConfig(JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>, file);
  const ck = await openCheckpoint(dir);
  const w = new Map<string, Float64Array>();
  try {
    for (const name of ck.names()) w.set(name, Float64Array.from(await ck.readFloat32(name)));
  } finally {
    await ck.close();
  }
  return {
    config,
    weights: (name) => {
      const t = w.get(name);
      if (!t) throw new Error(`reference: no weight "${name}"`);
      return t;
    },
  };
}

interface PatchInfo {
  row: number;
  col: number;
  /** Image frame across all images. */
  frame: number;
  /** Window key (Qwen2.5-VL), or '' without windows. */
  window: string;
}

/** Each patch in the processor's order: frame, merge groups row-major, then row-major inside a group. */
function patchInfo(c: QwenConfig, grids: readonly Grid[]): PatchInfo[] {
  const v = c.visionConfig;
  const m = v.spatialMergeSize;
  const side = v.window ? Math.floor(v.window.size / m / v.patchSize) : 0;
  const out: PatchInfo[] = [];
  let frame = 0;
  grids.forEach((g, image) => {
    for (let f = 0; f < g.t; f++, frame++) {
      for (let ur = 0; ur < g.h / m; ur++) {
        for (let uc = 0; uc < g.w / m; uc++) {
          const window = side ? `${image}/${f}/${Math.floor(ur / side)}/${Math.floor(uc / side)}` : '';
          for (let dr = 0; dr < m; dr++) for (let dc = 0; dc < m; dc++) out.push({ row: ur * m + dr, col: uc * m + dc, frame, window });
        }
      }
    }
  });
  return out;
}

export interface VisionOutput {
  /** [Np, E]: the patch embedding. */
  patchEmbed: Matrix;
  /** [Np, hd/2]: rotary angles per patch, (row · inv_freq, column · inv_freq). */
  rotary: Matrix;
  /** Each block's output, [Np, E]. */
  blockOut: Matrix[];
  /** [Np / merge², D]: all images' embeddings, image after image. */
  imageEmbeds: Matrix;
}

/** pixelValues: [Np, C·T·p·p] rows as the processor makes them, for images of `grids`. */
export function visionTower(m: QwenF64, pixelValues: Float64Array, grids: readonly Grid[]): VisionOutput {
  const c = m.config;
  const v = c.visionConfig;
  const w = m.weights;
  const E = v.embedDim;
  const hd = E / v.numHeads;
  const patches = patchInfo(c, grids);
  const R = v.inChannels * v.temporalPatchSize * v.patchSize * v.patchSize;
  if (pixelValues.length !== patches.length * R) throw new Error(`visionTower: ${pixelValues.length} values for ${patches.length} patches of ${R}`);
  const patchEmbed = linear(matrix(patches.length, R, pixelValues), w('visual.patch_embed.proj.weight'), E);

  const quarter = hd / 4;
  const rotary = matrix(patches.length, hd / 2);
  patches.forEach((p, n) => {
    for (let j = 0; j < quarter; j++) {
      const inv = 1 / 10000 ** ((2 * j) / (hd / 2));
      rotary.data[n * (hd / 2) + j] = p.row * inv;
      rotary.data[n * (hd / 2) + quarter + j] = p.col * inv;
    }
  });

  const qwen25 = c.modelType === 'qwen2_5_vl';
  const norm = (x: Matrix, p: string) => (qwen25 ? rmsNorm(x, w(`${p}.weight`), 1e-6) : layerNorm(x, w(`${p}.weight`), w(`${p}.bias`), 1e-6));
  const act = { quick_gelu: quickGelu, gelu: geluErf, silu }[v.hiddenAct];
  const full = new Set(v.window?.fullAttentionBlocks ?? []);
  const sameFrame = (i: number, j: number) => at(patches, i).frame === at(patches, j).frame;
  const sameWindow = (i: number, j: number) => at(patches, i).window === at(patches, j).window;

  let x = patchEmbed;
  const blockOut: Matrix[] = [];
  for (let b = 0; b < v.depth; b++) {
    const p = `visual.blocks.${b}`;
    const h = norm(x, `${p}.norm1`);
    const qkv = linear(h, w(`${p}.attn.qkv.weight`), 3 * E, w(`${p}.attn.qkv.bias`));
    const part = (k: number) =>
      matrix(
        qkv.rows,
        E,
        Float64Array.from({ length: qkv.rows * E }, (_, i) => at64(qkv.data, Math.floor(i / E) * 3 * E + k * E + (i % E))),
      );
    const allowed = v.window && !full.has(b) ? sameWindow : sameFrame;
    const a = attention(rotate(part(0), v.numHeads, hd, rotary), rotate(part(1), v.numHeads, hd, rotary), part(2), v.numHeads, v.numHeads, hd, false, allowed);
    x = add(x, linear(a.out, w(`${p}.attn.proj.weight`), E, w(`${p}.attn.proj.bias`)));
    const h2 = norm(x, `${p}.norm2`);
    const mlp = qwen25
      ? linear(
          mul(
            map(linear(h2, w(`${p}.mlp.gate_proj.weight`), v.mlpHidden, w(`${p}.mlp.gate_proj.bias`)), act),
            linear(h2, w(`${p}.mlp.up_proj.weight`), v.mlpHidden, w(`${p}.mlp.up_proj.bias`)),
          ),
          w(`${p}.mlp.down_proj.weight`),
          E,
          w(`${p}.mlp.down_proj.bias`),
        )
      : linear(map(linear(h2, w(`${p}.mlp.fc1.weight`), v.mlpHidden, w(`${p}.mlp.fc1.bias`)), act), w(`${p}.mlp.fc2.weight`), E, w(`${p}.mlp.fc2.bias`));
    x = add(x, mlp);
    blockOut.push(x);
  }

  const unit = v.spatialMergeSize ** 2;
  const normed = norm(x, 'visual.merger.ln_q');
  const rows = matrix(normed.rows / unit, unit * E, normed.data);
  const hidden = map(linear(rows, w('visual.merger.mlp.0.weight'), unit * E, w('visual.merger.mlp.0.bias')), geluErf);
  const imageEmbeds = linear(hidden, w('visual.merger.mlp.2.weight'), v.outHidden, w('visual.merger.mlp.2.bias'));
  return { patchEmbed, rotary, blockOut, imageEmbeds };
}

/** Rotate-half rotary embedding with per-row angles [rows, hd/2] (the same angles on both halves). */
function rotate(x: Matrix, heads: number, hd: number, angles: Matrix): Matrix {
  const half = hd / 2;
  const y = matrix(x.rows, x.cols);
  for (let n = 0; n < x.rows; n++) {
    for (let h = 0; h < heads; h++) {
      const base = n * x.cols + h * hd;
      for (let i = 0; i < half; i++) {
        const a = at64(angles.data, n * half + i);
        const x1 = at64(x.data, base + i);
        const x2 = at64(x.data, base + half + i);
        y.data[base + i] = x1 * Math.cos(a) - x2 * Math.sin(a);
        y.data[base + half + i] = x2 * Math.cos(a) + x1 * Math.sin(a);
      }
    }
  }
  return y;
}

/**
 * get_rope_index for images: text continues from (max position so far) + 1 on all three axes; an
 * image's merged token (ti, r, c) sits at (st + ti, st + r, st + c) with st the position its run
 * starts at. Returns the positions and rope_deltas = max + 1 − length.
 */
export function ropePositions(c: QwenConfig, ids: readonly number[], grids: readonly Grid[]): { positions: MropePositions; ropeDelta: number } {
  const m = c.visionConfig.spatialMergeSize;
  const axes: [number[], number[], number[]] = [[], [], []];
  let next = 0;
  let image = 0;
  for (let i = 0; i < ids.length;) {
    if (ids[i] !== c.imageTokenId) {
      for (const a of axes) a.push(next);
      next++;
      i++;
      continue;
    }
    const g = grids[image++];
    if (!g) throw new Error(`ropePositions: more image runs than the ${grids.length} grids`);
    const [gh, gw] = [g.h / m, g.w / m];
    let max = next;
    for (let ti = 0; ti < g.t; ti++) {
      for (let r = 0; r < gh; r++) {
        for (let col = 0; col < gw; col++, i++) {
          if (ids[i] !== c.imageTokenId) throw new Error(`ropePositions: image run ${image} is shorter than its grid`);
          const p: [number, number, number] = [next + ti, next + r, next + col];
          p.forEach((v, a) => at(axes, a).push(v));
          max = Math.max(max, ...p);
        }
      }
    }
    next = max + 1;
  }
  if (image !== grids.length) throw new Error(`ropePositions: ${grids.length} grids for ${image} image runs`);
  return { positions: { axes, section: c.mropeSection }, ropeDelta: next - ids.length };
}

/** Token embeddings with the image embeddings written over the image-pad rows, in order. */
export function mergeImageEmbeds(m: QwenF64, ids: readonly number[], imageEmbeds: Matrix | null): Matrix {
  const t = m.config.textConfig;
  // The image-pad id may lie outside a tiny vocabulary; its rows are overwritten anyway.
  const x = embedTokens(
    t,
    m.weights,
    ids.map((id) => (id === m.config.imageTokenId && id >= t.vocabSize ? 0 : id)),
    '',
  );
  const slots = ids.flatMap((id, i) => (id === m.config.imageTokenId ? [i] : []));
  const rows = imageEmbeds?.rows ?? 0;
  if (slots.length !== rows) throw new Error(`mergeImageEmbeds: ${slots.length} image-pad tokens but ${rows} image embeddings`);
  slots.forEach((s, i) => x.data.set(row(imageEmbeds as Matrix, i), s * x.cols));
  return x;
}

export interface QwenOutput extends LlamaOutput {
  vision: VisionOutput | null;
  positions: MropePositions;
  ropeDelta: number;
}

/** The full forward over one prompt without cache; pixelValues empty and grids [] when it has no image. */
export function qwenForward(m: QwenF64, ids: readonly number[], pixelValues: Float64Array, grids: readonly Grid[]): QwenOutput {
  const vision = grids.length > 0 ? visionTower(m, pixelValues, grids) : null;
  return { ...decode(m, ids, grids, vision), vision };
}

function decode(
  m: QwenF64,
  ids: readonly number[],
  grids: readonly Grid[],
  vision: VisionOutput | null,
): LlamaOutput & { positions: MropePositions; ropeDelta: number } {
  const embeds = mergeImageEmbeds(m, ids, vision?.imageEmbeds ?? null);
  const { positions, ropeDelta } = ropePositions(m.config, ids, grids);
  return { ...llamaForward(m.config.textConfig, m.weights, embeds, positions, { prefix: '', qkvBias: true }), positions, ropeDelta };
}

/**
 * Greedy decoding of `steps` tokens by full recomputation (no cache, positions recomputed over the
 * grown prompt): each step's last-position logits and the chosen ids (first maximum on ties).
 */
export function qwenGreedy(
  m: QwenF64,
  ids: readonly number[],
  pixelValues: Float64Array,
  grids: readonly Grid[],
  steps: number,
): { newIds: number[]; stepLogits: Float64Array[] } {
  const vision = grids.length > 0 ? visionTower(m, pixelValues, grids) : null;
  const all = [...ids];
  const newIds: number[] = [];
  const stepLogits: Float64Array[] = [];
  for (let s = 0; s < steps; s++) {
    const { logits } = decode(m, all, grids, vision);
    const last = row(logits, logits.rows - 1).slice();
    let best = 0;
    for (let i = 1; i < last.length; i++) if (at64(last, i) > at64(last, best)) best = i;
    stepLogits.push(last);
    newIds.push(best);
    all.push(best);
  }
  return { newIds, stepLogits };
}
