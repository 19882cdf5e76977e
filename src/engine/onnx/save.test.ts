import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at, field } from '../../../test/support/index-access.ts';
import { GraphBuilder } from './ops.ts';
import { DATA_ALIGNMENT, saveModel } from './save.ts';
import { arraySource } from './tensor-source.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'laser-onnx-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('saveModel', () => {
  it('writes MatMul+Add with external weights that onnxruntime runs exactly', async () => {
    const g = new GraphBuilder('tiny');
    const x = g.input('x', 'float32', ['batch', 3]);
    // 3x2 weight and a 2-vector bias; 7 floats of bias would misalign the next tensor without padding
    const w = g.initializer('w', arraySource('float32', [3, 2], Float32Array.from([1, 2, 3, 4, 5, 6])));
    const b = g.initializer('b', arraySource('float32', [2], Float32Array.from([0.5, -1])));
    const w2 = g.initializer('w2', arraySource('float32', [2, 1], Float32Array.from([2, -3])));
    g.output(g.matmul(g.add(g.matmul(x, w), b), w2), 'y', ['batch', 1]);
    const saved = await saveModel(g, dir, 'tiny.onnx');
    // b starts at 24 → padded to 64; w2 at 64 + 8 = 72 → padded to 128; ends at 136
    expect(saved.dataBytes).toBe(2 * DATA_ALIGNMENT + 8);
    const s = await ort.InferenceSession.create(saved.onnxPath);
    const out = await s.run({ x: new ort.Tensor('float32', Float32Array.from([1, 0, 0, 0, 1, 1]), [2, 3]) });
    // row 0: [1,2]+[0.5,-1] = [1.5,1] → 3-3 = 0; row 1: [8,10]+b = [8.5,9] → 17-27 = -10
    const y = field(out, 'y');
    expect(Array.from(y.data as Float32Array)).toEqual([0, -10]);
    expect(y.dims).toEqual([2, 1]);
    await s.release();
  });

  it('keeps every weight at a 64-byte aligned offset of the data file', async () => {
    const g = new GraphBuilder('align');
    const x = g.input('x', 'float32', [1]);
    let v = x;
    const sizes = [1, 3, 17, 5];
    for (const [i, n] of sizes.entries()) {
      const data = Float32Array.from({ length: n }, (_, k) => k + i);
      const t = g.initializer(`t${i}`, arraySource('float32', [n], data));
      v = g.add(v, g.reduceSum(t, [0], true));
    }
    g.output(v, 'y', [1]);
    const saved = await saveModel(g, dir, 'align.onnx');
    const data = await readFile(saved.dataPath);
    // each tensor starts at the next multiple of 64 after the previous one and holds its first value
    // (0 + i) there: 4 B at 0, 12 B at 64, 68 B at 128, 20 B at 256
    const offsets = [0, 64, 128, 256];
    for (const [i, off] of offsets.entries()) expect(data.readFloatLE(off)).toBe(i);
    expect(data.byteLength).toBe(256 + 20);
    const s = await ort.InferenceSession.create(saved.onnxPath);
    const out = await s.run({ x: new ort.Tensor('float32', Float32Array.from([0]), [1]) });
    const expected = sizes.reduce((acc, n, i) => acc + Array.from({ length: n }, (_, k) => k + i).reduce((a, b) => a + b, 0), 0);
    expect(at(field(out, 'y').data as Float32Array, 0)).toBe(expected);
    await s.release();
  });

  it("lets a second graph reference the first one's weights instead of writing its own", async () => {
    const build = (extra: boolean) => {
      const g = new GraphBuilder(extra ? 'b' : 'a');
      const x = g.input('x', 'float32', [2]);
      const y = g.mul(x, g.initializer('w', arraySource('float32', [2], Float32Array.from([3, 4]))));
      g.output(g.add(y, g.initializer('b', arraySource('float32', [2], Float32Array.from([1, 1])))), 'y', [2]);
      if (extra) g.output(y, 'product', [2]);
      return g;
    };
    const first = await saveModel(build(false), dir, 'a.onnx');
    const second = await saveModel(build(true), dir, 'b.onnx', { sharedWeights: first.weights });
    expect(second.dataPath).toBe(first.dataPath);
    expect(second.dataBytes).toBe(0);
    await expect(readFile(join(dir, 'b.onnx.data'))).rejects.toThrow();
    const s = await ort.InferenceSession.create(second.onnxPath);
    const out = await s.run({ x: new ort.Tensor('float32', Float32Array.from([1, 2]), [2]) });
    expect(Array.from(field(out, 'y').data as Float32Array)).toEqual([4, 9]);
    expect(Array.from(field(out, 'product').data as Float32Array)).toEqual([3, 8]);
    await s.release();
    // a weight the first graph does not have, or has with another shape, is refused
    const other = new GraphBuilder('c');
    other.output(other.add(other.input('x', 'float32', [3]), other.initializer('w', arraySource('float32', [3], new Float32Array(3)))), 'y', [3]);
    await expect(saveModel(other, dir, 'c.onnx', { sharedWeights: first.weights })).rejects.toThrow(/weight w is not among the shared weights/);
  });

  it('refuses a source that yields the wrong number of bytes', async () => {
    const g = new GraphBuilder('bad');
    const x = g.input('x', 'float32', [2]);
    const short = {
      dtype: 'float32' as const,
      dims: [2],
      async *chunks() {
        yield new Uint8Array(4);
      },
    };
    g.output(g.add(x, g.initializer('w', short)), 'y', [2]);
    await expect(saveModel(g, dir, 'bad.onnx')).rejects.toThrow(/yielded 4 bytes, expected 8/);
  });
});
