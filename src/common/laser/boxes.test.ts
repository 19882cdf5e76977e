import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { centroidBox, cropBox, sideBounds, topkBox, type CropRule } from './boxes.ts';
import { fullImageMapping, uniformCellMapping, type CellMapping, type Rect } from './grid.ts';
import { at } from '../../../test/support/index-access.ts';

const grid2 = { gh: 2, gw: 2 };

describe('sideBounds', () => {
  it('is [minCropSide, half the side] for large sides and the whole side for small ones', () => {
    expect(sideBounds(1000, 224)).toEqual({ lo: 224, hi: 500 });
    expect(sideBounds(300, 224)).toEqual({ lo: 224, hi: 224 });
    expect(sideBounds(100, 224)).toEqual({ lo: 100, hi: 100 });
  });
});

describe('centroidBox (spec step 8)', () => {
  const size = { width: 1000, height: 800 };
  const mapping = fullImageMapping(grid2, size);

  it('centres a half-side box on the map centroid', () => {
    // Mass on the two top cells: centroid (500, 200); the 500x400 box starts at x 250, y 0.
    const r = centroidBox([0.5, 0.5, 0, 0], mapping, size);
    expect(r.centroid).toEqual([500, 200]);
    expect(r.box).toEqual([250, 0, 750, 400]);
    expect(r.degenerate).toBe(false);
  });

  it('shifts a box that would leave the image back inside', () => {
    // All mass on the bottom-right cell: centroid (750, 600); the box ends at the image corner.
    expect(centroidBox([0, 0, 0, 1], mapping, size).box).toEqual([500, 400, 1000, 800]);
  });

  it('spans a side shorter than minCropSide entirely and crops the other', () => {
    const tall = { width: 200, height: 1000 };
    const r = centroidBox([1, 0, 0, 0], fullImageMapping(grid2, tall), tall);
    expect(r.box).toEqual([0, 0, 200, 500]);
    expect(r.degenerate).toBe(false);
  });

  it('degenerates to the full image when the image is smaller than minCropSide, and says so', () => {
    const small = { width: 200, height: 150 };
    const r = centroidBox([0, 0, 0, 1], fullImageMapping(grid2, small), small);
    expect(r.box).toEqual([0, 0, 200, 150]);
    expect(r.degenerate).toBe(true);
  });

  it('refuses a map without mass (the caller should have taken the fallback)', () => {
    expect(() => centroidBox([0, 0, 0, 0], mapping, size)).toThrow(/no mass/);
  });
});

describe('topkBox', () => {
  const size = { width: 800, height: 800 };
  const mapping = fullImageMapping({ gh: 4, gw: 4 }, size); // 200 px cells

  it('grows the bounding box of a single cell to minCropSide about its centre', () => {
    const map = new Float64Array(16);
    map[5] = 1; // [200, 200, 400, 400]
    const r = topkBox(map, mapping, size, 1);
    expect(r.cells).toEqual([5]);
    expect(r.cellBounds).toEqual([200, 200, 400, 400]);
    expect(r.box).toEqual([188, 188, 412, 412]);
  });

  it('shrinks a box spread over the image to half a side about its centre', () => {
    const map = new Float64Array(16);
    map[0] = 2;
    map[15] = 1;
    expect(topkBox(map, mapping, size, 2).box).toEqual([200, 200, 600, 600]);
  });

  it('takes only the top cells, by count or by fraction of the grid', () => {
    const map = Float64Array.from({ length: 16 }, (_, i) => (i === 5 ? 5 : i === 6 ? 4 : i === 15 ? 1 : 0));
    // 2 cells: 5 and 6 -> [200, 200, 600, 400] -> width 400 (at most half), height 224.
    expect(topkBox(map, mapping, size, 2).box).toEqual([200, 188, 600, 412]);
    // 0.125 of 16 cells is 2 cells: the same box.
    expect(topkBox(map, mapping, size, 0.125).box).toEqual([200, 188, 600, 412]);
  });
});

/** A grid laid over the image, over a padded square around it, or over a centred crop of it. */
function arbitraryMapping(gh: number, gw: number, width: number, height: number, layout: number): CellMapping {
  const side = Math.max(width, height);
  const inner = Math.min(width, height);
  const rects: Rect[] = [
    [0, 0, width, height],
    [(width - side) / 2, (height - side) / 2, (width + side) / 2, (height + side) / 2],
    [(width - inner) / 2, (height - inner) / 2, (width + inner) / 2, (height + inner) / 2],
  ];
  return uniformCellMapping({ gh, gw }, at(rects, layout));
}

const boxCase = fc
  .record({
    gh: fc.integer({ min: 1, max: 8 }),
    gw: fc.integer({ min: 1, max: 8 }),
    width: fc.integer({ min: 1, max: 3000 }),
    height: fc.integer({ min: 1, max: 3000 }),
    layout: fc.integer({ min: 0, max: 2 }),
    minCropSide: fc.integer({ min: 1, max: 400 }),
    windowBase: fc.integer({ min: 2, max: 500 }),
    topkCells: fc.oneof(fc.integer({ min: 1, max: 70 }), fc.double({ min: 0.001, max: 0.999, noNaN: true })),
    values: fc.array(fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1, noNaN: true })), { minLength: 64, maxLength: 64 }),
  })
  .map((c) => ({ ...c, map: Float64Array.from(c.values.slice(0, c.gh * c.gw)) }))
  .filter((c) => c.map.some((v) => v > 0));

function check(rule: CropRule): void {
  fc.assert(
    fc.property(boxCase, (c) => {
      const size = { width: c.width, height: c.height };
      const mapping = arbitraryMapping(c.gh, c.gw, c.width, c.height, c.layout);
      const r = cropBox(c.map, mapping, size, { cropRule: rule, minCropSide: c.minCropSide, topkCells: c.topkCells, windowBase: c.windowBase });
      const [x0, y0, x1, y1] = r.box;
      const w = x1 - x0;
      const h = y1 - y0;
      expect(r.box.every(Number.isInteger)).toBe(true);
      expect(x0 >= 0 && y0 >= 0 && x1 <= c.width && y1 <= c.height && w > 0 && h > 0).toBe(true);
      expect(r.degenerate).toBe(x0 === 0 && y0 === 0 && w === c.width && h === c.height);
      const bx = sideBounds(c.width, c.minCropSide);
      const by = sideBounds(c.height, c.minCropSide);
      if (r.rule === 'centroid') {
        expect([w, h]).toEqual([bx.hi, by.hi]);
      } else if (r.rule === 'topk-bbox') {
        expect(w >= bx.lo && w <= bx.hi && h >= by.lo && h <= by.hi).toBe(true);
      } else if (r.ratio === null) {
        expect(r.box).toEqual([0, 0, c.width, c.height]);
      } else {
        const side = 2 * Math.floor((c.windowBase * r.ratio) / 2);
        expect([w, h]).toEqual([Math.min(c.width, side), Math.min(c.height, side)]);
      }
    }),
    { numRuns: 300 },
  );
}

describe('every crop rule', () => {
  it.each(['centroid', 'topk-bbox', 'vicrop-window'] as const)('%s gives an integer box inside the image with its size constraints', (rule) => {
    check(rule);
  });

  it.each(['centroid', 'topk-bbox'] as const)('%s degenerates to the full image below minCropSide on both sides', (rule) => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 224 }), fc.integer({ min: 1, max: 224 }), fc.nat(3), (width, height, cell) => {
        const size = { width, height };
        const map = new Float64Array(4);
        map[cell] = 1;
        const r = cropBox(map, fullImageMapping(grid2, size), size, { cropRule: rule, minCropSide: 224, topkCells: 1, windowBase: 336 });
        return r.degenerate && r.box.join() === [0, 0, width, height].join();
      }),
    );
  });
});
