/**
 * The op helpers produce graphs onnxruntime accepts and computes as the ONNX spec says, for the
 * operators whose opset-17 form is easy to get wrong (axes as attribute vs input, Shape start/end,
 * Slice with negative starts, Trilu, float16 casts). Expected values are worked out by hand.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at, field, first } from '../../../test/support/index-access.ts';
import type { Value } from './graph.ts';
import { GraphBuilder } from './ops.ts';
import { saveModel } from './save.ts';
import { arraySource } from './tensor-source.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'laser-ops-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

let n = 0;
/** Builds a graph with input x (float32 [2, 3] = [[1, 2, 3], [4, 5, 6]]), runs it, returns outputs. */
async function run(build: (g: GraphBuilder, x: Value) => Record<string, Value>): Promise<Record<string, ort.Tensor>> {
  const g = new GraphBuilder(`t${n}`);
  const x = g.input('x', 'float32', [2, 3]);
  for (const [name, v] of Object.entries(build(g, x))) g.output(v, name);
  const saved = await saveModel(g, dir, `t${n++}.onnx`);
  const s = await ort.InferenceSession.create(saved.onnxPath);
  try {
    return await s.run({ x: new ort.Tensor('float32', Float32Array.from([1, 2, 3, 4, 5, 6]), [2, 3]) });
  } finally {
    await s.release();
  }
}

/** Output `name` of a run as numbers; a name the graph did not output fails by name. */
const values = (outputs: Record<string, ort.Tensor>, name: string) => Array.from(field(outputs, name).data as ArrayLike<number | bigint>, Number);

describe('op helpers under onnxruntime', () => {
  it('reductions take opset-17 axes (attribute for ReduceMean/Max, input for ReduceSum)', async () => {
    const o = await run((g, x) => ({ mean: g.reduceMean(x, [-1], true), max: g.reduceMax(x, [0], false), sum: g.reduceSum(x, [1], false) }));
    expect(values(o, 'mean')).toEqual([2, 5]);
    expect(field(o, 'mean').dims).toEqual([2, 1]);
    expect(values(o, 'max')).toEqual([4, 5, 6]);
    expect(values(o, 'sum')).toEqual([6, 15]);
  });

  it('shape, slicing and reshaping', async () => {
    const o = await run((g, x) => ({
      dim1: g.dim(x, 1),
      last: g.slice(x, [-1], [Number.MAX_SAFE_INTEGER], [1]),
      t: g.transpose(x, [1, 0]),
      r: g.reshape(g.unsqueeze(x, [0]), [0, -1]),
      sq: g.squeeze(g.unsqueeze(x, [2]), [2]),
      cat: g.concat([x, x], 0),
      gather: g.gather(x, g.ints([1, 0]), 0),
      exp: g.expand(g.slice(x, [0], [1], [0]), [3, 1]),
    }));
    expect(values(o, 'dim1')).toEqual([3]);
    expect(values(o, 'last')).toEqual([3, 6]);
    expect(values(o, 't')).toEqual([1, 4, 2, 5, 3, 6]);
    expect(field(o, 'r').dims).toEqual([1, 6]);
    expect(field(o, 'sq').dims).toEqual([2, 3]);
    expect(field(o, 'cat').dims).toEqual([4, 3]);
    expect(values(o, 'gather')).toEqual([4, 5, 6, 1, 2, 3]);
    expect(values(o, 'exp')).toEqual([1, 2, 3, 1, 2, 3, 1, 2, 3]);
  });

  it('split takes its sizes as an input (opset 13+) and gives one output per part', async () => {
    const o = await run((g, x) => {
      const columns = g.split(x, [1, 2], 1);
      const rows = g.split(x, [1, 1], 0);
      expect(columns).toHaveLength(2);
      return { left: at(columns, 0), right: at(columns, 1), top: at(rows, 0), bottom: at(rows, 1) };
    });
    expect(values(o, 'left')).toEqual([1, 4]);
    expect(field(o, 'right').dims).toEqual([2, 2]);
    expect(values(o, 'right')).toEqual([2, 3, 5, 6]);
    expect(values(o, 'top')).toEqual([1, 2, 3]);
    expect(values(o, 'bottom')).toEqual([4, 5, 6]);
  });

  it("elementwise maths with scalar operands of the tensor's type", async () => {
    const o = await run((g, x) => ({
      a: g.sub(g.div(g.mul(g.add(x, 1), 2), 4), 0.5), // (x+1)*2/4 - 0.5 = x/2
      p: g.pow(x, 2),
      s: g.sqrt(g.mul(x, x)),
      neg: g.neg(x),
      w: g.where(g.less(x, 3), x, 0),
      m: g.max([x, g.scalar('float32', 3.5)]),
      c: g.cumsum(x, 1),
      trig: g.add(g.mul(g.cos(x), g.cos(x)), g.mul(g.sin(x), g.sin(x))),
    }));
    expect(values(o, 'a')).toEqual([0.5, 1, 1.5, 2, 2.5, 3]);
    expect(values(o, 'p')).toEqual([1, 4, 9, 16, 25, 36]);
    expect(values(o, 's')).toEqual([1, 2, 3, 4, 5, 6]);
    expect(values(o, 'neg')).toEqual([-1, -2, -3, -4, -5, -6]);
    expect(values(o, 'w')).toEqual([1, 2, 0, 0, 0, 0]);
    expect(values(o, 'm')).toEqual([3.5, 3.5, 3.5, 4, 5, 6]);
    expect(values(o, 'c')).toEqual([1, 3, 6, 4, 9, 15]);
    for (const v of values(o, 'trig')) expect(v).toBeCloseTo(1, 6);
  });

  it('integer ranges, comparisons and masks', async () => {
    const o = await run((g, x) => {
      const len = g.squeeze(g.dim(x, 1), [0]); // 3
      const keys = g.range(0, len, 1);
      const queries = g.range(1, len, 1);
      return {
        keys,
        causal: g.cast(g.lessOrEqual(g.unsqueeze(keys, [0]), g.unsqueeze(queries, [1])), 'int64'),
        tri: g.trilu(x, { upper: true }),
        eq: g.cast(g.and(g.equal(x, 2), g.not(g.equal(x, 3))), 'int64'),
        zeros: g.constantOfShape(g.shape(x), 'float32', 7),
      };
    });
    expect(values(o, 'keys')).toEqual([0, 1, 2]);
    expect(values(o, 'causal')).toEqual([1, 1, 0, 1, 1, 1]);
    expect(values(o, 'tri')).toEqual([1, 2, 3, 0, 5, 6]);
    expect(values(o, 'eq')).toEqual([0, 1, 0, 0, 0, 0]);
    expect(values(o, 'zeros')).toEqual([7, 7, 7, 7, 7, 7]);
  });

  it('softmax, matmul, layer norm and a strided conv', async () => {
    const o = await run((g, x) => {
      const img = g.reshape(x, [1, 1, 2, 3]);
      const w = g.initializer('w', arraySource('float32', [1, 1, 1, 2], Float32Array.from([1, -1])));
      return {
        sm: g.softmax(x, -1),
        mm: g.matmul(x, g.transpose(x, [1, 0])),
        ln: g.layerNormalization(x, g.floats([3], Float32Array.from([1, 1, 1])), g.floats([3], Float32Array.from([0, 0, 0])), { epsilon: 0 }),
        conv: g.conv(img, w, null, { kernelShape: [1, 2], strides: [1, 1] }),
      };
    });
    const e = [Math.exp(-2), Math.exp(-1), 1];
    const z = e.reduce((a, b) => a + b);
    values(o, 'sm').forEach((v, i) => expect(v).toBeCloseTo(at(e, i % 3) / z, 6));
    expect(values(o, 'mm')).toEqual([14, 32, 32, 77]);
    // each row is [m-1, m, m+1]: variance 2/3, so (x - m) / sqrt(2/3) = ±1.2247
    values(o, 'ln').forEach((v, i) => expect(v).toBeCloseTo(at([-1, 0, 1], i % 3) * Math.sqrt(1.5), 5));
    expect(values(o, 'conv')).toEqual([-1, -1, -1, -1]);
  });

  it('If picks a branch at run time, and branches read outer values', async () => {
    const g = new GraphBuilder('if');
    const x = g.input('x', 'float32', [2, 3]);
    const which = g.input('which', 'int64', []);
    const doubled = g.mul(x, 2);
    const y = first(
      g.if(
        g.equal(which, 1),
        (b) => b.output(b.identity(doubled), 'then_out'),
        (b) => b.output(b.slice(doubled, [0], [0], [0]), 'else_out'), // an empty [0, 3]
        { dtype: 'float32' },
      ),
    );
    g.output(y, 'y');
    const saved = await saveModel(g, dir, 'if.onnx');
    const s = await ort.InferenceSession.create(saved.onnxPath);
    const feed = new ort.Tensor('float32', Float32Array.from([1, 2, 3, 4, 5, 6]), [2, 3]);
    try {
      const off = await s.run({ x: feed, which: new ort.Tensor('int64', BigInt64Array.from([-1n]), []) });
      expect(field(off, 'y').dims).toEqual([0, 3]);
      const on = await s.run({ x: feed, which: new ort.Tensor('int64', BigInt64Array.from([1n]), []) });
      expect(values(on, 'y')).toEqual([2, 4, 6, 8, 10, 12]);
    } finally {
      await s.release();
    }
  });

  it('outputs take the name of the node that makes them (no Identity copy), except inputs, second names and values an If branch reads', async () => {
    const g = new GraphBuilder('names');
    const x = g.input('x', 'float32', [2, 3]);
    const which = g.input('which', 'int64', []);
    const doubled = g.mul(x, 2);
    const plusOne = g.add(doubled, 1);
    g.output(plusOne, 'plus_one');
    expect(plusOne.name).toBe('plus_one');
    const later = g.mul(plusOne, 3); // built after the rename: reads the new name
    g.output(later, 'later');
    g.output(plusOne, 'plus_one_again'); // a second name for an output: through an Identity
    g.output(x, 'x_out'); // a graph input: through an Identity
    const y = first(
      g.if(
        g.equal(which, 1),
        (b) => b.output(b.identity(doubled), 't'),
        (b) => b.output(b.identity(doubled), 'e'),
        { dtype: 'float32' },
      ),
    );
    g.output(doubled, 'doubled'); // read by the If's branches by name: through an Identity
    g.output(y, 'y');
    const identities = g.nodes.filter((nd) => nd.opType === 'Identity').map((nd) => nd.outputs[0]);
    expect(identities.sort()).toEqual(['doubled', 'plus_one_again', 'x_out']);
    const saved = await saveModel(g, dir, 'names.onnx');
    const s = await ort.InferenceSession.create(saved.onnxPath);
    try {
      const out = await s.run({
        x: new ort.Tensor('float32', Float32Array.from([1, 2, 3, 4, 5, 6]), [2, 3]),
        which: new ort.Tensor('int64', BigInt64Array.from([1n]), []),
      });
      expect(values(out, 'plus_one')).toEqual([3, 5, 7, 9, 11, 13]);
      expect(values(out, 'later')).toEqual([9, 15, 21, 27, 33, 39]);
      expect(values(out, 'plus_one_again')).toEqual(values(out, 'plus_one'));
      expect(values(out, 'x_out')).toEqual([1, 2, 3, 4, 5, 6]);
      expect(values(out, 'doubled')).toEqual([2, 4, 6, 8, 10, 12]);
      expect(values(out, 'y')).toEqual([2, 4, 6, 8, 10, 12]);
    } finally {
      await s.release();
    }
  });

  it('casts to float16 and back, rounding to the nearest half', async () => {
    const o = await run((g, x) => ({
      h: g.cast(g.cast(g.add(x, 1 / 3), 'float16'), 'float32'),
      hc: g.cast(g.mul(g.cast(x, 'float16'), g.scalar('float16', 0.5)), 'float32'),
    }));
    // 1 + 1/3 in half: 1.3330078125 (1/1024 steps); 6 + 1/3: 6.33203125 (1/256 steps)
    expect(first(values(o, 'h'))).toBe(1.3330078125);
    expect(at(values(o, 'h'), 5)).toBe(6.33203125);
    expect(values(o, 'hc')).toEqual([0.5, 1, 1.5, 2, 2.5, 3]);
  });
});
