import { describe, expect, it } from 'vitest';
import { cellsOutlinePath, insetRect, smoothSubdivision, SMOOTH_SUBCELL_PX, type FigureBox } from './heatmap.ts';

const frame = { x: 0, y: 0, scale: 1 };
const cell = (c: number, r: number): FigureBox => [c * 10, r * 10, c * 10 + 10, r * 10 + 10];

/** Path data as a set of unit segments, so the test does not depend on how they are merged. */
function segments(d: string): Set<string> {
  const out = new Set<string>();
  for (const m of d.matchAll(/M([\d.]+) ([\d.]+)([HV])([\d.]+)/g)) {
    const [x, y, dir, to] = [Number(m[1]), Number(m[2]), m[3], Number(m[4])];
    if (dir === 'H') for (let a = x; a < to; a += 10) out.add(`h ${y} ${a}`);
    else for (let a = y; a < to; a += 10) out.add(`v ${x} ${a}`);
  }
  return out;
}

describe('cellsOutlinePath', () => {
  it('traces the boundary of an L-shaped union of cells and nothing inside it', () => {
    // Cells (0,0), (1,0), (0,1): an L of three 10 px cells.
    const d = cellsOutlinePath(frame, [cell(0, 0), cell(1, 0), cell(0, 1)]);
    expect(segments(d)).toEqual(new Set(['h 0 0', 'h 0 10', 'h 10 10', 'h 20 0', 'v 0 0', 'v 0 10', 'v 20 0', 'v 10 10']));
  });

  it('merges collinear edges into single strokes', () => {
    const d = cellsOutlinePath(frame, [cell(0, 0), cell(1, 0), cell(2, 0)]);
    expect(d.match(/M/g)).toHaveLength(4);
    expect(d).toContain('M0 0H30');
  });

  it('maps through the frame and ignores empty cells', () => {
    const d = cellsOutlinePath({ x: 5, y: 7, scale: 2 }, [cell(0, 0), [30, 30, 30, 40]]);
    expect(d).toContain('M5 7H25');
    expect(d.match(/M/g)).toHaveLength(4);
    expect(cellsOutlinePath(frame, [])).toBe('');
  });
});

describe('insetRect', () => {
  it('shrinks a rectangle evenly and never below zero', () => {
    expect(insetRect({ x: 0, y: 0, width: 10, height: 6 }, 1)).toEqual({ x: 1, y: 1, width: 8, height: 4 });
    expect(insetRect({ x: 0, y: 0, width: 2, height: 2 }, 3)).toEqual({ x: 1, y: 1, width: 0, height: 0 });
  });
});

describe('smoothSubdivision', () => {
  it('splits a cell into sub-cells of 2 to 4 px, and a cell of 8 px or less into 2 x 2', () => {
    for (let px = 8.01; px < 120; px += 0.37) {
      const k = smoothSubdivision(px);
      expect(px / k).toBeLessThanOrEqual(SMOOTH_SUBCELL_PX);
      expect(px / k).toBeGreaterThan(2);
    }
    for (const px of [8, 4, 1.5, 0.3, Infinity]) expect(smoothSubdivision(px)).toBe(2);
  });
});
