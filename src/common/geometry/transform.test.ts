import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { boxArea, boxContains, isEmptyBox, type Box } from './box.ts';
import {
  cellBoxes,
  cellToImageBox,
  composeTransform,
  gridToImagePoint,
  imageToCell,
  imageToGridPoint,
  seenRegion,
  withGrid,
  type GridTransform,
} from './transform.ts';

/** LLaVA original "pad": expand2square, then CLIP's resize to edge x edge (the crop is a no-op). */
function padGrid(w: number, h: number, edge = 336, patch = 14): GridTransform {
  const s = Math.max(w, h);
  const t = composeTransform('pad', w, h, [
    { kind: 'pad', left: Math.floor((s - w) / 2), top: Math.floor((s - h) / 2), width: s, height: s, fill: [122, 116, 104] },
    { kind: 'resize', width: edge, height: edge },
    { kind: 'crop', left: 0, top: 0, width: edge, height: edge },
  ]);
  return withGrid(t, edge / patch, edge / patch);
}

/** llava-hf CLIPImageProcessor: shortest edge -> edge (long edge truncated), centre crop edge x edge. */
function cropGrid(w: number, h: number, edge = 336, patch = 14): GridTransform {
  const rw = w <= h ? edge : Math.trunc((edge * w) / h);
  const rh = w <= h ? Math.trunc((edge * h) / w) : edge;
  const t = composeTransform('crop', w, h, [
    { kind: 'resize', width: rw, height: rh },
    { kind: 'crop', left: Math.floor((rw - edge) / 2), top: Math.floor((rh - edge) / 2), width: edge, height: edge },
  ]);
  return withGrid(t, edge / patch, edge / patch);
}

/** Qwen2-VL: resize to multiples of 28, one merged cell per 28x28. */
function resizeGrid(w: number, h: number, rw: number, rh: number): GridTransform {
  return withGrid(composeTransform('resize', w, h, [{ kind: 'resize', width: rw, height: rh }]), rw / 28, rh / 28);
}

describe('grid cells to original pixels, hand-worked', () => {
  it('500x375 in pad mode: S = 500, pasted at y = 62, scale 336/500 = 0.672, grid 24 of 14 px', () => {
    const t = padGrid(500, 375);
    expect([t.scaleX, t.scaleY, t.offsetX]).toEqual([0.672, 0.672, 0]);
    expect(t.offsetY).toBeCloseTo(41.664, 12); // 62 * 0.672 input pixels of letterbox above the image
    // cell (0, 0) covers input rows 0..14, all letterbox: nothing of the image
    const c00 = cellToImageBox(t, 0, 0);
    expect(isEmptyBox(c00)).toBe(true);
    // rows 0 and 1 are all padding; row 2 (input y 28..42) catches 0.336 input px = 0.5 px of image
    expect(isEmptyBox(cellToImageBox(t, 5, 1))).toBe(true);
    expect(cellToImageBox(t, 5, 2)).toEqual([104, 0, 125, 1]);
    // centre cell (12, 12): input [168, 182)^2 -> x 168/0.672 = 250 .. 270.83, y (168 - 41.664)/0.672 = 188 .. 208.83
    expect(cellToImageBox(t, 12, 12)).toEqual([250, 188, 271, 209]);
    // the image ends at input y 41.664 + 375 * 0.672 = 293.664, inside row 20; rows 21..23 are padding
    expect(cellToImageBox(t, 0, 20)).toEqual([0, 355, 21, 375]);
    expect(isEmptyBox(cellToImageBox(t, 0, 21))).toBe(true);
    // the bottom-right cell: its columns are image (x 479..500), its rows all letterbox
    expect(cellToImageBox(t, 23, 23)).toEqual([479, 375, 500, 375]);
    expect(seenRegion(t)).toEqual([0, 0, 500, 375]);
  });

  it('500x375 in crop mode: resized 448x336, crop left 56, so only x 62.5 .. 437.5 was seen', () => {
    const t = cropGrid(500, 375);
    expect([t.scaleX, t.scaleY, t.offsetX, t.offsetY]).toEqual([0.896, 0.896, -56, 0]);
    // cell (0, 0): x (0 + 56)/0.896 = 62.5 .. 78.125, y 0 .. 15.625 (halves round up)
    expect(cellToImageBox(t, 0, 0)).toEqual([63, 0, 78, 16]);
    // centre cell (12, 12): x (168 + 56)/0.896 = 250 .. 265.6, y 168/0.896 = 187.5 .. 203.1
    expect(cellToImageBox(t, 12, 12)).toEqual([250, 188, 266, 203]);
    expect(seenRegion(t)).toEqual([63, 0, 438, 375]);
    // the left and right strips were cut off by the crop
    expect(imageToCell(t, 10, 100)).toBeNull();
    expect(imageToCell(t, 62, 100)).toBeNull();
    expect(imageToCell(t, 63, 100)).toEqual({ col: 0, row: 6 });
    expect(imageToCell(t, 499, 374)).toBeNull();
  });

  it('37x91 on Qwen2-VL: 56x112 input, a 2x4 grid of merged 28 px cells', () => {
    const t = resizeGrid(37, 91, 56, 112);
    // x lines at 0, 28 * 37/56 = 18.5 -> 19, 37; y lines every 28 * 91/112 = 22.75 -> 0, 23, 46, 68, 91
    expect(cellToImageBox(t, 0, 0)).toEqual([0, 0, 19, 23]);
    expect(cellToImageBox(t, 1, 3)).toEqual([19, 68, 37, 91]);
    expect(imageToCell(t, 18, 45)).toEqual({ col: 0, row: 1 });
    expect(imageToCell(t, 19, 46)).toEqual({ col: 1, row: 2 });
  });

  it('lists cell boxes in token order', () => {
    const t = padGrid(500, 375);
    const boxes = cellBoxes(t);
    expect(boxes).toHaveLength(576);
    expect(boxes[12 * 24 + 12]).toEqual(cellToImageBox(t, 12, 12));
    expect(boxes[20 * 24 + 0]).toEqual([0, 355, 21, 375]);
  });

  it('maps grid-unit points and back (a map centroid to the crop centre)', () => {
    const t = padGrid(500, 375);
    // the centre of the grid is the centre of the square canvas: (250, 250 - 62)
    const [x, y] = gridToImagePoint(t, 12, 12);
    expect(x).toBeCloseTo(250, 9);
    expect(y).toBeCloseTo(188, 9);
    const [gx, gy] = imageToGridPoint(t, x, y);
    expect(gx).toBeCloseTo(12, 9);
    expect(gy).toBeCloseTo(12, 9);
  });

  it('rejects cells outside the grid and fractional pixels', () => {
    const t = padGrid(500, 375);
    expect(() => cellToImageBox(t, 24, 0)).toThrow(/outside the 24x24 grid/);
    expect(() => imageToCell(t, 1.5, 2)).toThrow(/integer/);
    expect(imageToCell(t, -1, 0)).toBeNull();
    expect(imageToCell(t, 500, 0)).toBeNull();
  });
});

const side = fc.integer({ min: 1, max: 3000 });
const anyGrid: fc.Arbitrary<GridTransform> = fc.oneof(
  fc.tuple(side, side, fc.constantFrom(224, 336)).map(([w, h, e]) => padGrid(w, h, e)),
  fc.tuple(side, side, fc.constantFrom(224, 336)).map(([w, h, e]) => cropGrid(w, h, e)),
  fc
    .tuple(fc.integer({ min: 28, max: 3000 }), fc.integer({ min: 28, max: 3000 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 }))
    .map(([w, h, gw, gh]) => resizeGrid(w, h, gw * 28, gh * 28)),
);

function allCells(t: GridTransform): { col: number; row: number; box: Box }[] {
  // cellBoxes is in token order: j = row * gridWidth + col
  return cellBoxes(t).map((box, j) => ({ col: j % t.gridWidth, row: Math.floor(j / t.gridWidth), box }));
}

describe('grid cells to original pixels, properties', () => {
  it('every cell maps inside the image or to an empty box', () => {
    fc.assert(
      fc.property(anyGrid, (t) => {
        const outside = allCells(t).filter(
          ({ box }) =>
            !(0 <= box[0] && box[0] <= box[2] && box[2] <= t.imageWidth) ||
            !(0 <= box[1] && box[1] <= box[3] && box[3] <= t.imageHeight) ||
            !box.every(Number.isInteger),
        );
        expect(outside).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it('cells tile the seen region: their areas add up to it, and sampled pixels lie in exactly one cell', () => {
    fc.assert(
      fc.property(
        anyGrid,
        fc.array(fc.tuple(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true })), {
          minLength: 1,
          maxLength: 20,
        }),
        (t, pts) => {
          const cells = allCells(t);
          const seen = seenRegion(t);
          expect(cells.reduce((a, c) => a + boxArea(c.box), 0)).toBe(boxArea(seen));
          for (const [u, v] of pts) {
            const x = Math.floor(u * t.imageWidth);
            const y = Math.floor(v * t.imageHeight);
            const owners = cells.filter((c) => boxContains(c.box, x, y)).length;
            expect(owners).toBe(boxContains(seen, x, y) ? 1 : 0);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('pad and resize modes see the whole image; crop mode sees a centred band of full height or width', () => {
    fc.assert(
      fc.property(anyGrid, (t) => {
        const s = seenRegion(t);
        if (t.mode !== 'crop') {
          expect(s).toEqual([0, 0, t.imageWidth, t.imageHeight]);
        } else {
          expect((s[0] === 0 && s[2] === t.imageWidth) || (s[1] === 0 && s[3] === t.imageHeight)).toBe(true);
          // centred up to the processor's own asymmetry: the crop offset is floored (1/2 input px)
          // and the resized long edge truncated (< 1 input px), plus 1 px of rounding here
          expect(Math.abs(s[0] - (t.imageWidth - s[2]))).toBeLessThanOrEqual(2 / t.scaleX + 1);
          expect(Math.abs(s[1] - (t.imageHeight - s[3]))).toBeLessThanOrEqual(2 / t.scaleY + 1);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('pixel -> cell -> box contains the pixel, and unseen pixels have no cell', () => {
    fc.assert(
      fc.property(
        anyGrid,
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (t, u, v) => {
          const x = Math.floor(u * t.imageWidth);
          const y = Math.floor(v * t.imageHeight);
          const cell = imageToCell(t, x, y);
          if (cell === null) {
            expect(boxContains(seenRegion(t), x, y)).toBe(false);
          } else {
            expect(boxContains(cellToImageBox(t, cell.col, cell.row), x, y)).toBe(true);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('imageToGridPoint inverts gridToImagePoint', () => {
    fc.assert(
      fc.property(anyGrid, fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (t, u, v) => {
        const [x, y] = gridToImagePoint(t, u * t.gridWidth, v * t.gridHeight);
        const [gx, gy] = imageToGridPoint(t, x, y);
        expect(Math.abs(gx - u * t.gridWidth)).toBeLessThan(1e-9 * t.gridWidth);
        expect(Math.abs(gy - v * t.gridHeight)).toBeLessThan(1e-9 * t.gridHeight);
      }),
      { numRuns: 500 },
    );
  });
});
