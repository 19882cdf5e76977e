import { describe, expect, it } from 'vitest';
import type { SampleResult } from './score.ts';
import { summarize } from './summary.ts';
import { layersText, pct, renderTable, renderTables, summaryTables } from './tables.ts';
import type { EvalSample } from './types.ts';
import { at } from '../../../test/support/index-access.ts';

const samples: EvalSample[] = [
  { id: 'r/1', imagePath: '/a.png', question: 'Is there a cat?', groups: { split: 'random' }, pope: 'yes', box: [0, 0, 4, 4] },
  { id: 'r/2', imagePath: '/a.png', question: 'Is there a dog?', groups: { split: 'random' }, pope: 'no' },
];
const base = {
  answer: 'yes',
  layer: null,
  layerMode: null,
  fallback: false,
  aggregation: null,
  record: null,
  cached: false,
  ms: 12,
  cropBox: null,
  error: null,
} as const;
const results: SampleResult[] = [
  { ...base, sampleId: 'r/1', method: 'vanilla', score: 1, pope: 'yes' },
  { ...base, sampleId: 'r/2', method: 'vanilla', score: 0, pope: 'yes' },
  {
    ...base,
    sampleId: 'r/1',
    method: 'laser',
    score: 1,
    pope: 'yes',
    layer: 2,
    layerMode: 'argmax',
    aggregation: { raw: 0.25, map: 0.5, uniform: 0.125, crop: 0.75 },
  },
  { ...base, sampleId: 'r/2', method: 'laser', answer: 'no', score: 1, pope: 'no', layer: 3, layerMode: 'argmax' },
];

describe('summary tables', () => {
  it('formats fractions as percentages and layer counts in layer order', () => {
    expect(pct(0.4177)).toBe('41.8');
    expect(pct(null)).toBe('-');
    expect(layersText({ 10: 1, 2: 3 })).toBe('2:3 10:1');
  });

  it('aligned text and markdown from the same table', () => {
    const t = {
      title: 'T',
      head: ['method', 'acc'],
      rows: [
        ['laser', '50.0'],
        ['a|b', '1'],
      ],
    };
    expect(renderTable(t, 'text')).toEqual(['method  acc', '------  ----', 'laser   50.0', 'a|b     1']);
    expect(renderTable(t, 'markdown')).toEqual(['| method | acc |', '|---|---|', '| laser | 50.0 |', '| a\\|b | 1 |']);
  });

  it('accuracy, POPE, grounding and layer tables from a summary, each only when there is something to show', () => {
    const tables = summaryTables(summarize(['vanilla', 'laser'], samples, results));
    expect(tables.map((t) => t.title)).toEqual([
      'Accuracy (%, samples)',
      'Accuracy by split (%, samples)',
      'POPE (%)',
      'Attention aggregation: share of map mass inside the box (%)',
      'Layer of the map (layer:runs)',
      'Chosen layer by split (layer:runs)',
    ]);
    expect(at(tables, 0).rows).toEqual([
      ['vanilla', '50.0 (2)', '2', '0', '12'],
      ['laser', '100.0 (2)', '2', '0', '12'],
    ]);
    expect(at(tables, 2).rows).toEqual([
      ['vanilla', 'random', '2', '50.0', '50.0', '100.0', '66.7', '100.0'],
      ['laser', 'random', '2', '100.0', '100.0', '100.0', '100.0', '50.0'],
    ]);
    expect(at(tables, 3).rows).toEqual([['laser', '1', '25.0', '50.0', '12.5', '75.0', '0']]);
    expect(at(tables, 5).rows).toEqual([['laser', 'random', '2:1 3:1']]);
    const md = renderTables(tables, 'markdown');
    expect(md[0]).toBe('### Accuracy (%, samples)');
    expect(md[1]).toBe('');
  });
});
