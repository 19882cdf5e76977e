import { describe, expect, it } from 'vitest';
import type { EvaluateResult } from './evaluate.ts';
import type { SampleResult } from './score.ts';
import type { EvalSample } from './types.ts';
import { worldExtraTables, worldReport, worldReportSchema, worldTable } from './world-report.ts';
import { at, field } from '../../../test/support/index-access.ts';

const s = (id: string, family: string, size: string | null, extra: Partial<EvalSample> = {}): EvalSample => ({
  id,
  imagePath: '/w.png',
  question: 'q?',
  groups: size === null ? { family } : { family, size, familySize: `${family}/${size}` },
  vqa: { answers: ['x'], protocol: 'simple' },
  ...extra,
});
const r = (sampleId: string, method: 'vanilla' | 'laser', score: number, layer: number | null = null, boxed = true): SampleResult => ({
  sampleId,
  method,
  answer: 'x',
  score,
  pope: null,
  layer,
  layerMode: layer === null ? null : 'argmax',
  fallback: false,
  aggregation: layer === null || !boxed ? null : { raw: 0.1, map: 0.4, uniform: 0.05, crop: 1 },
  record: null,
  cached: false,
  ms: 1,
  cropBox: null,
  error: null,
});

const samples = [
  s('1', 'attribute', 'small', { box: [0, 0, 2, 2] }),
  s('2', 'attribute', 'large', { box: [0, 0, 2, 2] }),
  s('3', 'existence', null, { pope: 'no' }),
];
const result: EvaluateResult = {
  dataset: { format: 'world', name: 'world seed 1', sources: ['/w'], samples },
  samples,
  methods: ['vanilla', 'laser'],
  knobs: { vanilla: {}, laser: { cropRule: 'topk-bbox', topkCells: 0.055 } },
  skipped: 0,
  results: [r('1', 'vanilla', 0), r('1', 'laser', 1, 2), r('2', 'vanilla', 1), r('2', 'laser', 1, 3), r('3', 'vanilla', 1), r('3', 'laser', 0, 3, false)],
  bundle: { dir: '/b', id: 'f'.repeat(64), name: 'tiny', layers: 4, heads: 4 },
  cacheDir: null,
};

describe('laser world evaluate report', () => {
  const report = worldReport(result);

  it('accuracy overall, by target size (null for a size the set lacks) and by family', () => {
    expect(report.methods).toEqual({
      vanilla: { accuracy: 2 / 3, bySize: { small: 0, medium: null, large: 1 }, byFamily: { attribute: 0.5, existence: 1 } },
      laser: { accuracy: 2 / 3, bySize: { small: 1, medium: null, large: 1 }, byFamily: { attribute: 1, existence: 0 } },
    });
    expect(worldReportSchema.parse(JSON.parse(JSON.stringify(report)))).toBeTruthy();
  });

  it("records each method's knobs as the runs used them", () => {
    expect(report.knobs).toEqual({ vanilla: {}, laser: { cropRule: 'topk-bbox', topkCells: 0.055 } });
  });

  it('aggregation and layers beside "methods", for the methods that have them', () => {
    expect(Object.keys(report.attentionAggregation)).toEqual(['laser']);
    expect(report.attentionAggregation.laser).toMatchObject({ samples: 2, raw: 0.1, map: 0.4, uniform: 0.05, crop: 1, fallbacks: 0 });
    expect(field(report.attentionAggregation, 'laser').bySize).toEqual({
      small: { samples: 1, raw: 0.1, map: 0.4, uniform: 0.05, crop: 1 },
      large: { samples: 1, raw: 0.1, map: 0.4, uniform: 0.05, crop: 1 },
    });
    expect(at(worldExtraTables(report), 1).rows).toEqual([['laser', '2', '10.0', '40.0', '5.0', '100.0', '40.0', '5.0', '100.0', '0']]);
    expect(report.layers.laser).toMatchObject({ mode: 'argmax', overall: { 2: 1, 3: 2 }, byFamily: { attribute: { 2: 1, 3: 1 }, existence: { 3: 1 } } });
  });

  it('accuracy by size within each family, and its table with a column per method', () => {
    expect(report.bySizeInFamily).toEqual({
      vanilla: { attribute: { small: 0, medium: null, large: 1 } },
      laser: { attribute: { small: 1, medium: null, large: 1 } },
    });
    expect(worldExtraTables(report)[0]).toEqual({
      title: 'Accuracy by question family and target size (%)',
      head: ['family', 'size', 'vanilla', 'laser'],
      rows: [
        ['attribute', 'small', '0.0', '100.0'],
        ['attribute', 'medium', '-', '-'],
        ['attribute', 'large', '100.0', '100.0'],
      ],
    });
  });

  it('prints the methods part as one table', () => {
    expect(worldTable(report)).toEqual({
      title: 'Accuracy (%)',
      head: ['method', 'accuracy', 'small', 'medium', 'large', 'attribute', 'existence'],
      rows: [
        ['vanilla', '66.7', '0.0', '-', '100.0', '50.0', '100.0'],
        ['laser', '66.7', '100.0', '-', '100.0', '100.0', '0.0'],
      ],
    });
  });
});
