import { describe, it, expect } from 'vitest';
import * as laser from './index.ts';
import { at } from '../../../test/support/index-access.ts';

describe('the LASER barrel', () => {
  it('exports the pipeline end to end: knobs, VAQ, map, box, mask, fusion, metrics', () => {
    for (const name of [
      'parseKnobs',
      'contrastiveAttention',
      'computeVaq',
      'chooseLayer',
      'localisationMap',
      'relativeAttention',
      'cropBox',
      'vicropWindowBox',
      'maskPlan',
      'fillRects',
      'cropImage',
      'vatStep',
      'addDiffusionNoise',
      'createRng',
      'normalizeVqaAnswer',
      'vqaSoftAccuracy',
      'attentionAggregation',
      'popeScores',
    ]) {
      expect(typeof (laser as Record<string, unknown>)[name], name).toBe('function');
    }
  });

  it('runs the LASER steps 3-9 on a toy read-out and lands the crop on the evidence', () => {
    // 4 layers, 2 heads, a 4x4 grid over a 800x800 image. The question adds attention on cell 10
    // (row 2, col 2) in layer 2 only; a sink on cell 0 is the same with and without the question.
    const L = 4,
      H = 2,
      N = 16;
    const q = new Float64Array(L * H * N).fill(0.01);
    const z = new Float64Array(L * H * N).fill(0.01);
    for (let r = 0; r < L * H; r++) {
      q[r * N] = 0.5;
      z[r * N] = 0.5;
    }
    q[(2 * H + 1) * N + 10] = 0.3;
    const knobs = laser.parseKnobs('laser', { kHead: 1 });
    const A = laser.contrastiveAttention(laser.attentionStack(L, H, N, q), laser.attentionStack(L, H, N, z), { renormalize: knobs.renormalize });
    const vaq = laser.computeVaq(A, knobs.kHead);
    const choice = laser.chooseLayer(vaq.perLayer, knobs);
    expect(choice.layer).toBe(2);
    const grid = { gh: 4, gw: 4 };
    const m = laser.localisationMap(A, choice.layer, at(vaq.topHeads, choice.layer), grid);
    expect(m.ok).toBe(true);
    if (!m.ok) return;
    const size = { width: 800, height: 800 };
    const mapping = laser.fullImageMapping(grid, size);
    const box = laser.cropBox(m.map, mapping, size, knobs);
    // Cell 10 is [400, 400, 600, 600]; the centroid box of side 400 is centred on (500, 500).
    expect(box.box).toEqual([300, 300, 700, 700]);
    expect(laser.maskPlan(m.map, mapping, knobs.kPatch).cells).toEqual([10]);
  });
});
