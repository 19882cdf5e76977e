import { describe, expect, it } from 'vitest';
import { effectiveScale, fitScale, zoomStep } from './zoom.ts';

describe('zoom', () => {
  it('fits a large image by its tighter side', () => {
    expect(fitScale({ width: 800, height: 600 }, { width: 1600, height: 600 })).toBe(0.5);
    expect(fitScale({ width: 800, height: 600 }, { width: 800, height: 1200 })).toBe(0.5);
  });

  it('never enlarges a small image to fit', () => {
    expect(fitScale({ width: 800, height: 600 }, { width: 40, height: 30 })).toBe(1);
  });

  it('steps along the ladder from any scale, including a fitted one in between', () => {
    expect(zoomStep(1, 1)).toBe(1.5);
    expect(zoomStep(1, -1)).toBe(0.75);
    expect(zoomStep(0.6, 1)).toBe(0.67);
    expect(zoomStep(0.6, -1)).toBe(0.5);
    expect(zoomStep(32, 1)).toBe(32);
    expect(zoomStep(0.05, -1)).toBe(0.05);
  });

  it('uses the fit scale in fit mode and the fixed one otherwise', () => {
    const box = { width: 100, height: 100 };
    const img = { width: 400, height: 200 };
    expect(effectiveScale({ mode: 'fit' }, box, img)).toBe(0.25);
    expect(effectiveScale({ mode: 'scale', scale: 2 }, box, img)).toBe(2);
  });
});
