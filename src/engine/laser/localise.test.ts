import { describe, expect, it } from 'vitest';
import { attentionStack, centroidBox, headVaq, uniformCellMapping, type AttentionStack } from '../../common/laser/index.ts';
import { at } from '../../../test/support/index-access.ts';
import { localise, type LocaliseKnobs } from './localise.ts';

const grid = { gh: 4, gw: 4 };
const size = { width: 400, height: 400 };
const mapping = uniformCellMapping(grid, [0, 0, 400, 400]);
const knobs: LocaliseKnobs = { renormalize: false, kHead: 2, cropRule: 'centroid', topkCells: 0.055, windowBase: 336, minCropSide: 100, kPatch: 2 };

/** [3 layers, 2 heads, 16 cells] filled with `base`, plus `bumps` (layer, head, cell, value). */
function stack(base: number, bumps: [number, number, number, number][] = []): AttentionStack {
  const data = new Float32Array(3 * 2 * 16).fill(base);
  for (const [l, h, j, v] of bumps) {
    const k = (l * 2 + h) * 16 + j;
    data[k] = at(data, k) + v;
  }
  return attentionStack(3, 2, 16, data);
}

describe('localise', () => {
  it('falls back to the full image, masking nothing, when the question adds no attention', () => {
    const same = stack(0.01, [[1, 0, 5, 0.3]]);
    const loc = localise({ query: [same], noQuery: [same], mapping, size }, knobs);
    expect(loc.fallback).toBe('no-activation');
    expect(loc.map).toBeNull();
    expect(loc.mass).toBe(0);
    expect(loc.box).toEqual([0, 0, 400, 400]);
    expect(loc.crop).toEqual({ rule: 'centroid', degenerate: true });
    expect(loc.mask.cells).toEqual([]);
  });

  it('also falls back when the query only takes attention away (ReLU leaves nothing)', () => {
    const loc = localise({ query: [stack(0.01)], noQuery: [stack(0.02)], mapping, size }, knobs);
    expect(loc.fallback).toBe('no-activation');
  });

  it('picks the layer where the question added the most attention, maps it and boxes its centroid', () => {
    const q = stack(0.01, [
      [2, 1, 10, 0.5],
      [2, 0, 10, 0.2],
      [0, 0, 3, 0.1],
    ]);
    const loc = localise({ query: [q], noQuery: [stack(0.01)], mapping, size }, knobs);
    expect(loc.choice).toEqual({ layer: 2, mode: 'argmax', searched: [0, 2] });
    expect(loc.heads).toEqual([1, 0]);
    expect(Array.from(loc.map!)).toEqual(Array.from({ length: 16 }, (_, j) => (j === 10 ? 1 : 0)));
    expect(loc.box).toEqual(centroidBox(loc.map!, mapping, size, 100).box);
    // cell 10 = row 2, column 2: its centre (250, 250); the box side is floor(400 / 2) = 200
    expect(loc.box).toEqual([150, 150, 350, 350]);
    expect(loc.mask.cells).toEqual([10]);
  });

  it('honours fixedLayer and layerRange', () => {
    const q = stack(0.01, [
      [2, 1, 10, 0.5],
      [0, 0, 3, 0.1],
    ]);
    const z = stack(0.01);
    expect(localise({ query: [q], noQuery: [z], mapping, size }, { ...knobs, fixedLayer: 0 }).choice).toEqual({ layer: 0, mode: 'fixed', searched: [0, 0] });
    expect(localise({ query: [q], noQuery: [z], mapping, size }, { ...knobs, layerRange: [0, 1] }).choice.layer).toBe(0);
  });

  it('masks nothing for a method without a counterfactual (kPatch null)', () => {
    const loc = localise({ query: [stack(0.01, [[1, 1, 4, 0.2]])], noQuery: [stack(0.01)], mapping, size }, { ...knobs, kPatch: null });
    expect(loc.fallback).toBeNull();
    expect(loc.mask.cells).toEqual([]);
  });

  it('vaqSteps = answer: per-head VAQ is the mean over positions and A the position-mean', () => {
    const z = stack(0.01);
    const p1 = stack(0.01, [[1, 0, 2, 0.4]]);
    const p2 = stack(0.01, [[2, 1, 7, 0.2]]);
    const loc = localise({ query: [p1, p2], noQuery: [z, z], mapping, size }, knobs);
    const h1 = headVaq(localise({ query: [p1], noQuery: [z], mapping, size }, knobs).contrastive);
    const h2 = headVaq(localise({ query: [p2], noQuery: [z], mapping, size }, knobs).contrastive);
    expect(Array.from(loc.vaq.perHead)).toEqual(Array.from(h1, (v, i) => (v + at(h2, i)) / 2));
    expect(loc.choice.layer).toBe(1);
    // 0.4 added at position 1, nothing at position 2: the mean is 0.2
    expect(loc.contrastive.data[(1 * 2 + 0) * 16 + 2]).toBeCloseTo(0.2, 6);
  });

  it('refuses read-outs of unequal counts', () => {
    expect(() => localise({ query: [stack(0)], noQuery: [], mapping, size }, knobs)).toThrow(/as many no-query read-outs/);
  });
});
