import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { rectsOverlap, uniformCellMapping, type Box } from './grid.ts';
import { maskPlan } from './mask.ts';
import { cropImage, fillRects, pixelImage, type FillSpec } from './pixels.ts';

describe('maskPlan (step 9)', () => {
  it('masks the top-kPatch cells and hands back their pixel rectangles', () => {
    const mapping = uniformCellMapping({ gh: 2, gw: 2 }, [0, 0, 100, 50]);
    const plan = maskPlan([0.1, 0.4, 0.3, 0.2], mapping, 2);
    expect(plan.cells).toEqual([1, 2]);
    expect(plan.rects).toEqual([
      [50, 0, 100, 25],
      [0, 25, 50, 50],
    ]);
  });

  it('reads kPatch as a fraction of the cells', () => {
    const mapping = uniformCellMapping({ gh: 4, gw: 4 }, [0, 0, 4, 4]);
    const map = Float64Array.from({ length: 16 }, (_, i) => i + 1);
    expect(maskPlan(map, mapping, 0.25).cells).toEqual([15, 14, 13, 12]);
  });
});

const fills: FillSpec[] = [
  { kind: 'constant', colour: [0, 0, 0] },
  { kind: 'constant', colour: [127, 127, 127] },
  { kind: 'blur', radius: 3 },
];

const maskCase = fc
  .record({
    width: fc.integer({ min: 2, max: 24 }),
    height: fc.integer({ min: 2, max: 24 }),
    gh: fc.integer({ min: 1, max: 6 }),
    gw: fc.integer({ min: 1, max: 6 }),
    // Grid origin and size in pixels: fractional cells, sometimes reaching past the image (padding).
    gx: fc.double({ min: -6, max: 2, noNaN: true }),
    gy: fc.double({ min: -6, max: 2, noNaN: true }),
    gs: fc.double({ min: 0.5, max: 1.6, noNaN: true }),
    bx: fc.nat(),
    by: fc.nat(),
    bw: fc.nat(),
    bh: fc.nat(),
    kPatch: fc.integer({ min: 1, max: 36 }),
    fill: fc.constantFrom(...fills),
    pixels: fc.uint8Array({ minLength: 24 * 24 * 3, maxLength: 24 * 24 * 3 }),
    values: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 36, maxLength: 36 }),
  })
  .map((c) => {
    const x0 = c.bx % c.width;
    const y0 = c.by % c.height;
    const box: Box = [x0, y0, x0 + 1 + (c.bw % (c.width - x0)), y0 + 1 + (c.bh % (c.height - y0))];
    const mapping = uniformCellMapping({ gh: c.gh, gw: c.gw }, [c.gx, c.gy, c.gx + c.width * c.gs, c.gy + c.height * c.gs]);
    const image = pixelImage(c.width, c.height, 3, c.pixels.slice(0, c.width * c.height * 3));
    return { ...c, box, mapping, image, map: Float64Array.from(c.values.slice(0, c.gh * c.gw)) };
  });

describe('the counterfactual crop', () => {
  it('equals the original crop when no masked cell touches the box', () => {
    fc.assert(
      fc.property(maskCase, (c) => {
        // Only cells that share no area with the box may carry mass, so only they can be masked.
        const map = c.map.map((v, j) => (rectsOverlap(c.mapping.cellRect(j), c.box) ? 0 : v));
        const plan = maskPlan(map, c.mapping, c.kPatch);
        expect(plan.rects.some((r) => rectsOverlap(r, c.box))).toBe(false);
        const masked = fillRects(c.image, plan.rects, c.fill);
        expect(Array.from(cropImage(masked, c.box).data)).toEqual(Array.from(cropImage(c.image, c.box).data));
      }),
      { numRuns: 300 },
    );
  });

  it('differs from the original crop when a masked cell covers part of the box', () => {
    const image = pixelImage(4, 4, 1, new Uint8Array(16).fill(200));
    const mapping = uniformCellMapping({ gh: 2, gw: 2 }, [0, 0, 4, 4]);
    const plan = maskPlan([0, 0, 0, 1], mapping, 1); // bottom-right cell [2, 2, 4, 4]
    const masked = fillRects(image, plan.rects, { kind: 'constant', colour: [0] });
    expect(Array.from(cropImage(masked, [1, 1, 3, 3]).data)).toEqual([200, 200, 200, 0]);
  });
});
