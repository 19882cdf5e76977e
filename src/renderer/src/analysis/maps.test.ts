import { describe, expect, it } from 'vitest';
import { defaultMap, mapChoices } from './maps.ts';
import { sampleResult } from './testing/sample-result.ts';

describe('maps of a result', () => {
  it('offers M, A at the selected layer, and a_q / a_0 at the chosen layer', () => {
    const r = sampleResult();
    const choices = mapChoices(r, 1);
    expect(choices.map((c) => c.label)).toEqual(['M', 'A · L1', 'a_q · L2', 'a_0 · L2', 'a_q−a_0 · L2']);
    expect(choices[0].values).toBe(r.views.map);
    expect(choices[1].values).toBe(r.views.contrastive![1]);
    expect(choices[2].values).toBe(r.views.queryAttention);
    expect(defaultMap(choices)).toBe('M');
  });

  it('offers the signed a_q − a_0 at the chosen layer, negative where the question drew attention away', () => {
    const r = sampleResult();
    r.views.baseAttention = [0.1, 0.3, 0, 0.1];
    const d = mapChoices(r, 1).find((c) => c.id === 'd')!;
    expect(d.values!.map((v) => Number(v.toFixed(12)))).toEqual([0.5, -0.2, 0.2, 0]);
    r.views.baseAttention = null;
    expect(mapChoices(r, 1).find((c) => c.id === 'd')!.values).toBeNull();
  });

  it('has no A for a layer outside the stack or no layer at all', () => {
    const r = sampleResult();
    expect(mapChoices(r, 99)[1].values).toBeNull();
    expect(mapChoices(r, null)[1].values).toBeNull();
  });

  it('has no map at all for a method that makes none', () => {
    const r = sampleResult({ method: 'vanilla', noMaps: true });
    const choices = mapChoices(r, null);
    expect(choices.every((c) => c.values === null)).toBe(true);
    expect(defaultMap(choices)).toBeNull();
  });
});
