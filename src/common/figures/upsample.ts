/**
 * A map on the model's grid, resampled to pixels for a smooth overlay: nearest (the cells as they
 * are), bilinear, or bicubic (Keys' kernel, a = -0.5, as PIL and OpenCV use). Samples sit at cell
 * centres (half-pixel alignment, `align_corners=False`), and the grid's edge values extend past its
 * border, so an upsampled map keeps the grid's extent and never invents values beyond its edge.
 */

export type Upsampling = 'nearest' | 'bilinear' | 'bicubic';

function cubic(t: number): number {
  const a = -0.5;
  const x = Math.abs(t);
  if (x <= 1) return (a + 2) * x ** 3 - (a + 3) * x ** 2 + 1;
  if (x < 2) return a * x ** 3 - 5 * a * x ** 2 + 8 * a * x - 4 * a;
  return 0;
}

/** `values` (rows x cols, row-major) at `outW` x `outH` pixels, row-major. */
export function upsampleGrid(values: ArrayLike<number>, rows: number, cols: number, outW: number, outH: number, mode: Upsampling): Float64Array {
  if (values.length !== rows * cols) throw new RangeError(`${values.length} values for a ${rows}x${cols} grid.`);
  if (!(Number.isInteger(outW) && Number.isInteger(outH) && outW > 0 && outH > 0))
    throw new RangeError(`Output size ${outW}x${outH} must be positive integers.`);
  // clamped into the grid, whose size was checked against values.length above
  const at = (r: number, c: number) => values[Math.min(rows - 1, Math.max(0, r)) * cols + Math.min(cols - 1, Math.max(0, c))]!;
  const out = new Float64Array(outW * outH);
  for (let y = 0; y < outH; y++) {
    const gy = ((y + 0.5) * rows) / outH - 0.5;
    for (let x = 0; x < outW; x++) {
      const gx = ((x + 0.5) * cols) / outW - 0.5;
      let v: number;
      if (mode === 'nearest') v = at(Math.floor(((y + 0.5) * rows) / outH), Math.floor(((x + 0.5) * cols) / outW));
      else if (mode === 'bilinear') {
        const r0 = Math.floor(gy);
        const c0 = Math.floor(gx);
        const fy = gy - r0;
        const fx = gx - c0;
        v = (1 - fy) * ((1 - fx) * at(r0, c0) + fx * at(r0, c0 + 1)) + fy * ((1 - fx) * at(r0 + 1, c0) + fx * at(r0 + 1, c0 + 1));
      } else {
        const r0 = Math.floor(gy);
        const c0 = Math.floor(gx);
        v = 0;
        for (let i = -1; i <= 2; i++) {
          const wy = cubic(gy - (r0 + i));
          for (let j = -1; j <= 2; j++) v += wy * cubic(gx - (c0 + j)) * at(r0 + i, c0 + j);
        }
      }
      out[y * outW + x] = v;
    }
  }
  return out;
}
