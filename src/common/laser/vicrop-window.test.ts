import { describe, it, expect } from 'vitest';
import { fullImageMapping, uniformCellMapping } from './grid.ts';
import { vicropWindowBox } from './vicrop-window.ts';

/**
 * Reference boxes from the original Python, `bbox_from_att_image_adaptive` in
 * saccharomycetes/mllms_know utils.py (a64c5d5), run with numpy on the maps below. The maps are
 * integers ((37 i + 101 s) mod 97)^4, so every window sum is exact in both languages and a tie is a
 * tie in both: the comparison is bit for bit, not up to rounding.
 */
const REFERENCE: [gh: number, gw: number, s: number, size: [number, number], bboxSize: number, box: [number, number, number, number]][] = [
  [24, 24, 1, [1024, 768], 336, [664, 56, 1000, 392]],
  [24, 24, 2, [640, 480], 336, [152, 12, 488, 348]],
  [24, 24, 3, [2000, 1500], 336, [1582, 50, 1918, 386]],
  [16, 16, 4, [800, 600], 224, [0, 131, 224, 355]],
  [24, 24, 5, [336, 336], 336, [0, 0, 336, 336]],
  [24, 24, 6, [500, 300], 336, [15, 0, 485, 300]],
  [6, 8, 7, [1200, 900], 224, [563, 413, 787, 637]],
  [24, 24, 8, [3000, 800], 336, [1332, 0, 1668, 336]],
  [24, 24, 9, [4000, 3000], 336, [0, 986, 402, 1388]],
  [24, 24, 10, [700, 2100], 336, [364, 225, 700, 561]],
  [12, 12, 11, [450, 450], 224, [19, 0, 243, 224]],
  [24, 24, 12, [800, 800], 336, [432, 0, 768, 336]],
];

function referenceMap(gh: number, gw: number, s: number): Float64Array {
  return Float64Array.from({ length: gh * gw }, (_, i) => ((i * 37 + s * 101) % 97) ** 4);
}

describe('vicropWindowBox (port of ViCrop bbox_from_att_image_adaptive)', () => {
  it.each(REFERENCE)('matches the original on a %ix%i map #%i over %j with bbox_size %i', (gh, gw, s, [width, height], bboxSize, box) => {
    const grid = { gh, gw };
    const r = vicropWindowBox(referenceMap(gh, gw, s), fullImageMapping(grid, { width, height }), { width, height }, bboxSize);
    expect(r.box).toEqual(box);
  });

  it('answers the full image when the ratio-1 window already covers the grid', () => {
    const r = vicropWindowBox(referenceMap(24, 24, 5), fullImageMapping({ gh: 24, gw: 24 }, { width: 336, height: 336 }), { width: 336, height: 336 }, 336);
    expect(r).toMatchObject({ box: [0, 0, 336, 336], degenerate: true, ratio: null, window: null });
  });

  it('prefers the sharpest ratio: a lone hot cell wins with the smallest window', () => {
    // 4x4 grid of 200 px cells; bbox 224 gives 1-cell windows up to ratio 1.6, then 2x2.
    const map = new Float64Array(16);
    map[9] = 1; // row 2, column 1
    const r = vicropWindowBox(map, fullImageMapping({ gh: 4, gw: 4 }, { width: 800, height: 800 }), { width: 800, height: 800 }, 224);
    expect(r.ratio).toBe(1);
    expect(r.window).toEqual({ col: 1, row: 2, cols: 1, rows: 1 });
    // Sharpness 1 for the 1-cell windows; for 2x2 windows (1 - mean(1, 0, 1)) / 4 = 1/12.
    expect(r.sharpness.map((v) => +v.toFixed(12))).toEqual([1, 1, 1, 1, +(1 / 12).toFixed(12), +(1 / 12).toFixed(12)]);
    expect(r.box).toEqual([188, 388, 412, 612]);
  });

  it('offsets windows by where the grid lies, e.g. a pad-to-square grid reaching above the image', () => {
    // 800x600 image padded to 800x800: the grid covers y from -100 to 700.
    const map = new Float64Array(16);
    map[9] = 1;
    const mapping = uniformCellMapping({ gh: 4, gw: 4 }, [0, -100, 800, 700]);
    const r = vicropWindowBox(map, mapping, { width: 800, height: 600 }, 224);
    // The hot cell spans y 300..500, centre 400; x 200..400, centre 300.
    expect(r.box).toEqual([188, 288, 412, 512]);
  });
});
