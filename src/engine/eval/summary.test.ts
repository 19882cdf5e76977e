import { describe, expect, it } from 'vitest';
import type { SampleResult } from './score.ts';
import { summarizeMethod } from './summary.ts';
import type { EvalSample } from './types.ts';
import { field, present } from '../../../test/support/index-access.ts';

const sample = (id: string, groups: Record<string, string>, extra: Partial<EvalSample> = {}): EvalSample => ({
  id,
  imagePath: `/i/${id}.png`,
  question: 'q?',
  groups,
  ...extra,
});

const result = (sampleId: string, o: Partial<SampleResult>): SampleResult => ({
  sampleId,
  method: 'laser',
  answer: 'a',
  score: null,
  pope: null,
  layer: null,
  layerMode: null,
  fallback: false,
  aggregation: null,
  record: null,
  cached: false,
  ms: 10,
  cropBox: null,
  error: null,
  ...o,
});

describe('per-method summary', () => {
  const samples = [
    sample('a', { family: 'attribute', size: 'small' }, { vqa: { answers: ['x'], protocol: 'simple' }, box: [0, 0, 1, 1] }),
    sample('b', { family: 'attribute', size: 'large' }, { vqa: { answers: ['x'], protocol: 'simple' }, box: [0, 0, 1, 1] }),
    sample('c', { family: 'existence' }, { pope: 'no' }),
    sample('d', { family: 'existence', size: 'small' }, { pope: 'yes', box: [0, 0, 1, 1] }),
  ];
  const results = [
    result('a', { score: 1, layer: 3, layerMode: 'argmax', aggregation: { raw: 0.2, map: 0.6, uniform: 0.1, crop: 1 }, ms: 30 }),
    result('b', { score: 0.5, layer: 5, layerMode: 'argmax', aggregation: { raw: 0.4, map: 0, uniform: 0.2, crop: null }, fallback: true, cached: true }),
    result('c', { score: 1, pope: 'no', layer: 3, layerMode: 'argmax' }),
    result('d', { score: 0, pope: 'no', layer: 3, layerMode: 'argmax', aggregation: { raw: 0.3, map: 0.3, uniform: 0.05, crop: 0.5 } }),
    result('a', { method: 'vanilla', score: 0 }),
  ];
  const s = summarizeMethod('laser', samples, results);

  it('means over the scored runs, overall and per group value', () => {
    expect(s.accuracy).toMatchObject({ samples: 4, mean: 2.5 / 4 });
    expect(s.accuracy.byGroup.family).toEqual({ attribute: { samples: 2, mean: 0.75 }, existence: { samples: 2, mean: 0.5 } });
    expect(s.accuracy.byGroup.size).toEqual({ large: { samples: 1, mean: 0.5 }, small: { samples: 2, mean: 0.5 } });
    expect(s).toMatchObject({ runs: 4, cached: 1, meanMs: (30 + 10 + 10) / 3 });
  });

  it("POPE over the labelled samples, under 'all' when they have no split", () => {
    expect(s.pope!.bySplit.all).toMatchObject({ samples: 2, tp: 0, fn: 1, tn: 1, fp: 0, accuracy: 0.5 });
    expect(s.pope!.overall).toEqual(s.pope!.bySplit.all);
  });

  it('grounding over the runs with an aggregation, fallbacks counted (their map scores 0)', () => {
    expect(s.grounding).toMatchObject({ samples: 3, raw: (0.2 + 0.4 + 0.3) / 3, map: 0.3, fallbacks: 1 });
    expect(s.grounding!.uniform).toBeCloseTo((0.1 + 0.2 + 0.05) / 3, 12);
    expect(s.grounding!.crop).toBe((1 + 0.5) / 2); // a run without a crop is left out
    const family = field(present(s.grounding, 'the grounding summary').byGroup, 'family');
    const [attribute, existence] = [field(family, 'attribute'), field(family, 'existence')];

    expect([attribute.samples, attribute.raw, attribute.map]).toEqual([2, (0.2 + 0.4) / 2, (0.6 + 0) / 2]);
    expect(existence).toEqual({ samples: 1, raw: 0.3, map: 0.3, uniform: 0.05, crop: 0.5 });
  });

  it('layer counts overall and per group, with the way the layer was picked', () => {
    expect(s.layers).toMatchObject({ mode: 'argmax', overall: { 3: 3, 5: 1 } });
    expect(s.layers!.byGroup.family).toEqual({ attribute: { 3: 1, 5: 1 }, existence: { 3: 2 } });
    const mixed = summarizeMethod('laser', samples, [result('a', { layer: 1, layerMode: 'fixed' }), result('b', { layer: 2, layerMode: 'argmax' })]);
    expect(mixed.layers!.mode).toBe('mixed');
  });

  it('a method without layers, boxes or labels has nulls, not zeros', () => {
    const v = summarizeMethod('vanilla', samples, results);
    expect(v).toMatchObject({ runs: 1, accuracy: { samples: 1, mean: 0 }, pope: null, grounding: null, layers: null });
    expect(summarizeMethod('vcd', samples, results)).toMatchObject({ runs: 0, meanMs: null, accuracy: { samples: 0, mean: null } });
  });
});
