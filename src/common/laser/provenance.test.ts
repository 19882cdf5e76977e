import { describe, expect, it } from 'vitest';
import { figureProvenance } from './provenance.ts';

describe('figure provenance', () => {
  it('names the model, method, layer and how it was chosen, every knob, the question and the record', () => {
    const line = figureProvenance({
      bundle: { id: 'ab'.repeat(32), name: 'llava-1.5-7b', layers: 32, heads: 32, preprocessing: 'pad' } as never,
      method: 'laser',
      layer: 14,
      layerChoice: { mode: 'argmax', searched: [0, 31] },
      knobs: { kHead: 8, cropRule: 'centroid' },
      question: 'What is it?',
      cacheKey: 'c'.repeat(64),
      createdAt: '2026-01-01T00:00:00.000Z',
      prompt: { maxNewTokens: 32 } as never,
    });
    expect(line).toBe(
      'model llava-1.5-7b (bundle abababababab, 32 layers x 32 heads, pad); method laser; layer 14 (argmax of VAQ); knobs kHead=8 cropRule="centroid"; max new tokens 32; question "What is it?"; record cccccccccccccccc (2026-01-01T00:00:00.000Z)',
    );
  });
});
