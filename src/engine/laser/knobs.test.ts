import { describe, expect, it } from 'vitest';
import { WorkbenchError } from '../../common/contract/errors.ts';
import { defaultKnobs } from '../../common/laser/index.ts';
import { relativeDepthLayer, resolveKnobs } from './knobs.ts';

const llava7b = { layers: 32, heads: 32, imageSize: 336 };
const tiny = { layers: 4, heads: 4, imageSize: 56 };

function refusal(f: () => unknown): WorkbenchError {
  try {
    f();
  } catch (e) {
    if (e instanceof WorkbenchError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('resolveKnobs', () => {
  it('keeps the spec defaults untouched for LLaVA-1.5-7B, with no notes', () => {
    for (const m of ['laser', 'vicrop-rel', 'static-layer'] as const) {
      const r = resolveKnobs(m, {}, llava7b);
      expect(r.knobs).toEqual(defaultKnobs(m));
      expect(r.notes).toEqual([]);
    }
  });

  it('carries ViCrop layer 14 over to a shallow model at the same relative depth, and says so', () => {
    const r = resolveKnobs('static-layer', {}, tiny);
    expect(r.knobs.fixedLayer).toBe(1);
    expect(relativeDepthLayer(14, 4)).toBe(1);
    expect(relativeDepthLayer(14, 32)).toBe(14);
    expect(r.notes.some((n) => n.startsWith('fixedLayer: the default 14'))).toBe(true);
    expect(resolveKnobs('vicrop-rel', {}, tiny).knobs.layer).toBe(1);
  });

  it("sets windowBase to the model's input side unless given", () => {
    expect(resolveKnobs('laser', {}, tiny).knobs.windowBase).toBe(56);
    const given = resolveKnobs('laser', { windowBase: 336 }, tiny);
    expect(given.knobs.windowBase).toBe(336);
    expect(given.notes).toEqual([]);
  });

  it('refuses a layer the model does not have, naming the knob and the range', () => {
    const e = refusal(() => resolveKnobs('static-layer', { fixedLayer: 9 }, tiny));
    expect(e.code).toBe('bad-request');
    expect(e.message).toBe('Knob fixedLayer of static-layer is 9; it must be an integer in 0..3, since this model has 4 layers.');
    expect(refusal(() => resolveKnobs('laser', { layerRange: [1, 4] }, tiny)).message).toMatch(
      /layerRange of laser is \[1,4\]; it must be \[lo, hi\] with 0 <= lo <= hi <= 3/,
    );
    expect(refusal(() => resolveKnobs('vicrop-rel', { layer: 4 }, tiny)).message).toMatch(/^Knob layer of vicrop-rel is 4/);
  });

  it('passes model-independent refusals through from parseKnobs', () => {
    expect(refusal(() => resolveKnobs('laser', { kHead: 0 }, tiny)).message).toMatch(/^Knob kHead of laser is 0; it must be an integer >= 1/);
    expect(refusal(() => resolveKnobs('vanilla', { alpha: 1 }, tiny)).message).toMatch(/Unknown knob 'alpha' for method vanilla/);
  });
});
