import { describe, expect, it } from 'vitest';
import { boxArea } from '../../common/geometry/box.ts';
import { generateScene } from './scene.ts';
import { COLOURS, MEDIUM_MAX_SHARE, SHAPES, SIZE_CLASSES, SMALL_MAX_SHARE, sizeClassOfShare } from './vocabulary.ts';

const scenes = Array.from({ length: 300 }, (_, i) => generateScene(11, i));

describe('generateScene', () => {
  it('is a function of (seed, index): same inputs, identical scene; another seed, another scene', () => {
    expect(JSON.stringify(generateScene(11, 5))).toBe(JSON.stringify(scenes[5]));
    expect(JSON.stringify(generateScene(12, 5))).not.toBe(JSON.stringify(scenes[5]));
  });

  it('keeps every box inside the image, non-empty, and apart from the others', () => {
    for (const s of scenes) {
      for (const o of s.objects) {
        const [x0, y0, x1, y1] = o.box;
        expect(x0).toBeGreaterThanOrEqual(0);
        expect(y0).toBeGreaterThanOrEqual(0);
        expect(x1).toBeLessThanOrEqual(s.width);
        expect(y1).toBeLessThanOrEqual(s.height);
        expect(x1).toBeGreaterThan(x0);
        expect(y1).toBeGreaterThan(y0);
        for (const p of s.objects) {
          if (p.id <= o.id) continue;
          const overlap = Math.min(o.box[2], p.box[2]) > Math.max(o.box[0], p.box[0]) && Math.min(o.box[3], p.box[3]) > Math.max(o.box[1], p.box[1]);
          expect(overlap, `${s.id}: objects ${o.id} and ${p.id} overlap`).toBe(false);
        }
      }
    }
  });

  it('uses every shape, colour and size class, square and non-square canvases, and glyphs', () => {
    const objects = scenes.flatMap((s) => s.objects);
    expect(new Set(objects.map((o) => o.shape))).toEqual(new Set(SHAPES));
    expect(new Set(objects.map((o) => o.colour))).toEqual(new Set(COLOURS));
    expect(new Set(objects.map((o) => o.sizeClass))).toEqual(new Set(SIZE_CLASSES));
    expect(scenes.some((s) => s.width === s.height)).toBe(true);
    expect(scenes.some((s) => s.width !== s.height)).toBe(true);
    expect(objects.filter((o) => o.glyph !== null).length).toBeGreaterThan(objects.length / 10);
    expect(scenes.every((s) => s.objects.length >= 3 && s.objects.length <= 8)).toBe(true);
    expect(scenes.every((s) => s.clutter.length > 0)).toBe(true);
  });

  it('records the size class its box share implies, tiny objects a few percent of the short side', () => {
    for (const s of scenes) {
      for (const o of s.objects) expect(o.sizeClass).toBe(sizeClassOfShare(boxArea(o.box) / (s.width * s.height)));
    }
    const smallest = Math.min(...scenes.flatMap((s) => s.objects.map((o) => o.side / Math.min(s.width, s.height))));
    expect(smallest).toBeLessThan(0.04);
  });

  it('draws as many objects as asked for, when there is room', () => {
    const few = Array.from({ length: 50 }, (_, i) => generateScene(11, i, [1, 2]));
    expect(few.every((s) => s.objects.length >= 1 && s.objects.length <= 2)).toBe(true);
    expect(new Set(few.map((s) => s.objects.length))).toEqual(new Set([1, 2]));
  });

  it('classes by area share at the documented thresholds', () => {
    expect(sizeClassOfShare(SMALL_MAX_SHARE - 1e-9)).toBe('small');
    expect(sizeClassOfShare(SMALL_MAX_SHARE)).toBe('medium');
    expect(sizeClassOfShare(MEDIUM_MAX_SHARE - 1e-9)).toBe('medium');
    expect(sizeClassOfShare(MEDIUM_MAX_SHARE)).toBe('large');
  });
});
