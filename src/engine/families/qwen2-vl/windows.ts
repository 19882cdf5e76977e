/**
 * Qwen2.5-VL's window attention layout, as a pure function of the image grids: what transformers'
 * `Qwen2_5_VisionTransformerPretrainedModel.get_window_index` (v4.49+) computes, and the three
 * vision.onnx inputs built from it (vision.ts).
 *
 * The unit is one merge x merge group of patches (= one image token; the processor emits its
 * patches as consecutive rows). Windows are `side` x `side` units, side = window_size / merge /
 * patch (112 / 2 / 14 = 4 for the published checkpoints). Per image and per frame, the unit grid
 * (h/merge x w/merge) is padded at the bottom and right by `side - n % side` — a whole extra row
 * or column of windows when n is already a multiple of side, as HF does — and cut into windows
 * row-major; each window lists its real units row-major. So windows at the bottom/right edge are
 * smaller, and windows made only of padding are empty. `cu_window_seqlens` are the running patch
 * counts at each window's end; HF passes them through `torch.unique_consecutive`, which drops the
 * empty windows.
 *
 * Graph inputs (all int64):
 *   window_index   [num_units]    unit order for the window blocks (x.reshape(units, merge², E)[window_index])
 *   window_segment [num_patches]  each regrouped patch's window, ids distinct across images
 *   reverse_index  [num_units]    argsort(window_index): puts the merged tokens back in prompt order
 */
import type { PatchGrid } from './positions.ts';

export interface WindowLayout {
  /** HF's window_index: unit ids (across all images, in the processor's order) in window order. */
  windowIndex: number[];
  /** HF's cu_window_seqlens after unique_consecutive: 0, then each non-empty window's end, in patches. */
  cuWindowSeqlens: number[];
  /** [num_patches], in window order: which window each patch is in (0, 1, ... across all images). */
  windowSegment: number[];
  /** argsort(windowIndex): reverseIndex[u] is where unit u sits in window order. */
  reverseIndex: number[];
}

/** Units per window side: HF's vit_merger_window_size = window_size // merge // patch. */
export function windowSide(windowSize: number, mergeSize: number, patchSize: number): number {
  const side = Math.floor(Math.floor(windowSize / mergeSize) / patchSize);
  if (side < 1) throw new RangeError(`window_size ${windowSize} is smaller than one merged token (${mergeSize * patchSize} pixels)`);
  return side;
}

export function windowLayout(grids: readonly PatchGrid[], mergeSize: number, patchSize: number, windowSize: number): WindowLayout {
  const side = windowSide(windowSize, mergeSize, patchSize);
  const unit = mergeSize * mergeSize;
  const windowIndex: number[] = [];
  const cu: number[] = [0];
  let cuLast = 0;
  let offset = 0;
  for (const { t, h, w } of grids) {
    if (h % mergeSize !== 0 || w % mergeSize !== 0) throw new RangeError(`grid ${t}x${h}x${w} is not made of ${mergeSize}x${mergeSize} merge groups`);
    const uh = h / mergeSize;
    const uw = w / mergeSize;
    const rows = (uh + side - (uh % side)) / side;
    const cols = (uw + side - (uw % side)) / side;
    for (let f = 0; f < t; f++) {
      for (let wy = 0; wy < rows; wy++) {
        for (let wx = 0; wx < cols; wx++) {
          let n = 0;
          for (let r = wy * side; r < Math.min((wy + 1) * side, uh); r++) {
            for (let c = wx * side; c < Math.min((wx + 1) * side, uw); c++) {
              windowIndex.push(offset + (f * uh + r) * uw + c);
              n++;
            }
          }
          cuLast += n * unit;
          cu.push(cuLast);
        }
      }
    }
    offset += t * uh * uw;
  }
  const cuWindowSeqlens = cu.filter((x, i) => i === 0 || x !== cu[i - 1]);
  const windowSegment: number[] = [];
  let segmentStart = 0;
  for (const [k, end] of cuWindowSeqlens.slice(1).entries()) {
    for (let p = segmentStart; p < end; p++) windowSegment.push(k);
    segmentStart = end;
  }
  const reverseIndex = new Array<number>(windowIndex.length);
  windowIndex.forEach((u, i) => (reverseIndex[u] = i));
  return { windowIndex, cuWindowSeqlens, windowSegment, reverseIndex };
}
