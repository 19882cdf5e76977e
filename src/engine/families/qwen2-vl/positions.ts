/**
 * Qwen2-VL's inputs to the graphs that depend on each image's size, as pure functions:
 *
 * - `ropeIndex`: the three-axis M-RoPE positions of a prompt (transformers' `get_rope_index`,
 *   FIXTURES.md §3). A text token gets (n, n, n) and advances n by one; an image whose merged grid is
 *   (t, h, w) starts at s = n, its merged token (ti, r, c) gets (s + ti, s + r, s + c), and then
 *   n = s + max(t, h, w). Decoding continues at `cache index + ropeDelta` on every axis, where
 *   ropeDelta = n - length. The rule is shift-invariant, so a chunk that continues a cache is
 *   positioned from the cache's next position.
 * - `patchLayout`: each patch's (row, column) in its image and its frame, in the processor's row
 *   order (frame, then merge x merge windows row-major, then row-major inside a window: §2.5).
 */

/** An image's patch grid as the processor reports it (`image_grid_thw`): frames, patch rows, patch columns. */
export interface PatchGrid {
  t: number;
  h: number;
  w: number;
}

export interface RopePositions {
  /** [3][S]: t, h and w positions of each token. */
  axes: [number[], number[], number[]];
  /** The position the next token takes (max + 1). */
  next: number;
}

/**
 * Positions of `ids`, whose image-pad runs hold `grids` in order (each run exactly t*h*w/merge²
 * tokens), starting at position `start`. Throws a RangeError when runs and grids disagree.
 */
export function ropeIndex(ids: ArrayLike<number | bigint>, imageTokenId: number, grids: readonly PatchGrid[], mergeSize: number, start = 0): RopePositions {
  const axes: [number[], number[], number[]] = [[], [], []];
  let n = start;
  let image = 0;
  const isImage = (i: number) => Number(ids[i]) === imageTokenId;
  for (let i = 0; i < ids.length;) {
    if (!isImage(i)) {
      for (const a of axes) a.push(n);
      n++;
      i++;
      continue;
    }
    const grid = grids[image];
    if (grid === undefined) throw new RangeError(`image-pad run ${image + 1} at position ${i} has no image grid (${grids.length} given)`);
    const gh = grid.h / mergeSize;
    const gw = grid.w / mergeSize;
    const tokens = grid.t * gh * gw;
    for (let j = 0; j < tokens; j++) {
      if (i + j >= ids.length || !isImage(i + j))
        throw new RangeError(`image-pad run ${image + 1} at position ${i} is shorter than its grid's ${tokens} tokens`);
      const ti = Math.floor(j / (gh * gw));
      const r = Math.floor((j % (gh * gw)) / gw);
      const c = j % gw;
      axes[0].push(n + ti);
      axes[1].push(n + r);
      axes[2].push(n + c);
    }
    n += Math.max(grid.t, gh, gw);
    i += tokens;
    image++;
  }
  if (image !== grids.length) throw new RangeError(`${grids.length} image grids given for ${image} image-pad run(s)`);
  return { axes, next: n };
}

export interface PatchLayout {
  /** [Np * 2]: (row, column) of each patch in its image. */
  hw: number[];
  /** [Np]: the frame (across all images) each patch belongs to. */
  frame: number[];
}

export function patchLayout(grids: readonly PatchGrid[], mergeSize: number): PatchLayout {
  const hw: number[] = [];
  const frame: number[] = [];
  let f = 0;
  for (const { t, h, w } of grids) {
    for (let ti = 0; ti < t; ti++, f++) {
      for (let wr = 0; wr < h / mergeSize; wr++) {
        for (let wc = 0; wc < w / mergeSize; wc++) {
          for (let r = 0; r < mergeSize; r++) {
            for (let c = 0; c < mergeSize; c++) {
              hw.push(wr * mergeSize + r, wc * mergeSize + c);
              frame.push(f);
            }
          }
        }
      }
    }
  }
  return { hw, frame };
}

/** Image tokens an image of this grid takes in the prompt. */
export function imageTokenCount(grid: PatchGrid, mergeSize: number): number {
  return (grid.t * grid.h * grid.w) / (mergeSize * mergeSize);
}
