import { describe, it, expect } from 'vitest';
import { WorkbenchError } from '../contract/errors.ts';
import { defaultKnobs, KNOB_RANGES, knobNames, METHOD_IDS, parseKnobs, type MethodId } from './knobs.ts';

function refusal(method: MethodId, partial: unknown): WorkbenchError {
  try {
    parseKnobs(method, partial);
  } catch (e) {
    expect(e).toBeInstanceOf(WorkbenchError);
    return e as WorkbenchError;
  }
  throw new Error(`parseKnobs(${method}, ${JSON.stringify(partial)}) was accepted`);
}

describe('defaultKnobs', () => {
  it("fills LASER's spec defaults", () => {
    expect(defaultKnobs('laser')).toEqual({
      renormalize: false,
      noQueryPrompt: 'instruction-only',
      kHead: 8,
      vaqSteps: 'prefill',
      cropRule: 'centroid',
      topkCells: 0.055,
      windowBase: 336,
      minCropSide: 224,
      layerRange: null,
      fixedLayer: null,
      kPatch: 0.055,
      fill: 'mean',
      feed: 'pair',
      alpha: 1,
      apcBeta: null,
    });
  });

  it('gives each baseline its own complete knob set', () => {
    expect(defaultKnobs('vanilla')).toEqual({});
    expect(defaultKnobs('vicrop-rel')).toEqual({ layer: 14, windowBase: 336, epsilon: 0 });
    expect(defaultKnobs('vcd')).toEqual({ noiseStep: 500, alpha: 1, beta: 0.1, seed: 0 });
    expect(defaultKnobs('static-layer').fixedLayer).toBe(14);
    expect(knobNames('static-layer')).not.toContain('layerRange');
    expect(knobNames('laser-crop').filter((k) => ['kPatch', 'fill', 'feed', 'alpha', 'apcBeta'].includes(k))).toEqual([]);
  });

  it('has a range description for every knob of every method', () => {
    for (const m of METHOD_IDS) for (const k of knobNames(m)) expect(KNOB_RANGES[k], `${m}.${k}`).toBeTypeOf('string');
  });
});

describe('parseKnobs', () => {
  it('keeps given values and fills the rest', () => {
    const k = parseKnobs('laser', { kHead: 4, layerRange: [10, 20], cropRule: 'topk-bbox', kPatch: 16, apcBeta: 0.1 });
    expect(k).toMatchObject({ kHead: 4, layerRange: [10, 20], cropRule: 'topk-bbox', kPatch: 16, apcBeta: 0.1, alpha: 1 });
  });

  it.each([
    ['laser', { kHead: 0 }, 'kHead', 'integer >= 1'],
    ['laser', { kHead: 2.5 }, 'kHead', 'integer >= 1'],
    ['laser', { alpha: -0.5 }, 'alpha', '>= 0'],
    ['laser', { apcBeta: 0 }, 'apcBeta', '(0, 1]'],
    ['laser', { apcBeta: 1.5 }, 'apcBeta', '(0, 1]'],
    ['laser', { kPatch: 1.5 }, 'kPatch', 'integer count'],
    ['laser', { kPatch: 0 }, 'kPatch', 'fraction in (0, 1)'],
    ['laser', { layerRange: [5, 2] }, 'layerRange', 'lo <= hi'],
    ['laser', { layerRange: [-1, 2] }, 'layerRange', 'lo <= hi'],
    ['laser', { fixedLayer: -1 }, 'fixedLayer', 'integer >= 0'],
    ['laser', { minCropSide: 0 }, 'minCropSide', 'integer >= 1'],
    ['laser', { cropRule: 'random' }, 'cropRule', "'centroid'"],
    ['laser', { fill: 'white' }, 'fill', "'gray127'"],
    ['laser', { renormalize: 'yes' }, 'renormalize', 'true or false'],
    ['static-layer', { fixedLayer: null }, 'fixedLayer', 'integer >= 0'],
    ['vicrop-rel', { windowBase: 1 }, 'windowBase', 'integer >= 2'],
    ['vcd', { noiseStep: 1000 }, 'noiseStep', '0..999'],
    ['vcd', { beta: 0 }, 'beta', '(0, 1]'],
  ] as const)('refuses %s %j as a bad request naming %s and its range', (method, partial, knob, range) => {
    const e = refusal(method, partial);
    expect(e.code).toBe('bad-request');
    expect(e.message).toContain(knob);
    expect(e.message).toContain(range);
    expect(e.hint).toMatch(/default/);
  });

  it('refuses an unknown knob, listing the ones the method has', () => {
    const e = refusal('laser-crop', { alpha: 1 });
    expect(e.message).toContain("'alpha'");
    expect(e.hint).toContain('kHead');
  });

  it('refuses fixedLayer together with layerRange', () => {
    expect(refusal('laser', { fixedLayer: 3, layerRange: [1, 5] }).message).toMatch(/exclude each other/);
  });

  it('refuses an unknown method and a non-object', () => {
    expect(refusal('magic' as MethodId, {}).hint).toContain('laser');
    expect(refusal('laser', [1]).message).toMatch(/must be an object/);
  });

  it('parses its own output to the same value, so a recorded knob set replays exactly', () => {
    for (const m of METHOD_IDS) {
      const k = defaultKnobs(m);
      expect(parseKnobs(m, JSON.parse(JSON.stringify(k)))).toEqual(k);
    }
  });
});
