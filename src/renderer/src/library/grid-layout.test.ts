import { describe, expect, it } from 'vitest';
import { gridLayout, moveSelection } from './grid-layout.ts';

const m = { minTileWidth: 100, gap: 10, labelHeight: 20 };

describe('gridLayout', () => {
  it('fits as many columns as the minimum tile width allows and widens tiles to fill the row', () => {
    // 4 tiles of 100 plus 3 gaps of 10 = 430 fit in 450; a fifth would need 540.
    const l = gridLayout(450, 10, m);
    expect(l.columns).toBe(4);
    expect(l.tileWidth).toBe(105);
    expect(l.rows).toBe(3);
    expect(l.rowHeight).toBe(105 + 20 + 10);
  });

  it('keeps one column even when the view is narrower than a tile', () => {
    expect(gridLayout(40, 3, m).columns).toBe(1);
    expect(gridLayout(0, 3, m).tileWidth).toBeGreaterThan(0);
  });

  it('has 20,000 images in ceil(20000 / columns) rows', () => {
    const l = gridLayout(1200, 20_000, m);
    expect(l.rows).toBe(Math.ceil(20_000 / l.columns));
  });
});

describe('moveSelection', () => {
  // 10 tiles in rows of 4:   0 1 2 3 / 4 5 6 7 / 8 9
  const move = (i: number | null, key: Parameters<typeof moveSelection>[1]) => moveSelection(i, key, 4, 10);

  it('selects the first tile on any movement when nothing is selected', () => {
    expect(move(null, 'ArrowDown')).toBe(0);
    expect(move(null, 'End')).toBe(9);
  });

  it('moves left and right along the reading order and stops at the ends', () => {
    expect(move(3, 'ArrowRight')).toBe(4);
    expect(move(4, 'ArrowLeft')).toBe(3);
    expect(move(0, 'ArrowLeft')).toBe(0);
    expect(move(9, 'ArrowRight')).toBe(9);
  });

  it('moves up and down by a whole row', () => {
    expect(move(1, 'ArrowDown')).toBe(5);
    expect(move(5, 'ArrowUp')).toBe(1);
    expect(move(2, 'ArrowUp')).toBe(2);
  });

  it('goes down to the last tile when the last row is too short to hold the column', () => {
    expect(move(6, 'ArrowDown')).toBe(9);
    expect(move(9, 'ArrowDown')).toBe(9);
    expect(move(8, 'ArrowDown')).toBe(8);
  });

  it('pages by whole screens and jumps to the ends', () => {
    expect(moveSelection(1, 'PageDown', 4, 10, 2)).toBe(9);
    expect(moveSelection(9, 'PageUp', 4, 10, 2)).toBe(1);
    expect(moveSelection(5, 'PageUp', 4, 10, 5)).toBe(1);
    expect(move(5, 'Home')).toBe(0);
    expect(move(5, 'End')).toBe(9);
  });

  it('has no selection in an empty grid', () => {
    expect(moveSelection(null, 'ArrowRight', 4, 0)).toBeNull();
  });
});
