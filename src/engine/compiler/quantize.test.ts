/**
 * The block quantiser: its packing by hand on a small case, the round trip error bound (half a step,
 * one step for the clamped end of a symmetric block), and ONNX Runtime's own MatMulNBits and
 * GatherBlockQuantized kernels computing with our bytes exactly what a float MatMul / Gather over the
 * dequantised matrix computes (so the layout is the one the op reads, not merely self-consistent).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { at, field } from '../../../test/support/index-access.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GraphBuilder } from '../onnx/ops.ts';
import { saveModel } from '../onnx/save.ts';
import { arraySource } from '../onnx/tensor-source.ts';
import { dequantizeRows, quantizedBytes, quantizeRows, zeroPointRowBytes, type QuantScheme } from './quantize.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'laser-quant-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Deterministic N(0, 1)-ish values (xorshift + Box-Muller). */
function randn(n: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  const u = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return ((s >>> 0) + 0.5) / 4294967296;
  };
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
  return out;
}

const schemes: QuantScheme[] = [];
for (const bits of [4, 8] as const) for (const blockSize of [32, 64, 128]) for (const symmetric of [true, false]) schemes.push({ bits, blockSize, symmetric });
const label = (s: QuantScheme) => `int${s.bits} block ${s.blockSize} ${s.symmetric ? 'symmetric' : 'asymmetric'}`;

describe('quantizeRows packing', () => {
  it('packs 4-bit codes low nibble first along K, one scale per block, zero points packed per row', () => {
    // One row, K = 20 with block 16: two blocks, the second padded.
    const w = new Float32Array(20);
    for (let i = 0; i < 16; i++) w[i] = i - 8; // block 0: -8 .. 7
    w[16] = 3; // block 1: 3, -1, 0, 0.5
    w[17] = -1;
    w[19] = 0.5;
    const sym = quantizeRows(w, 1, 20, { bits: 4, blockSize: 16, symmetric: true });
    expect(sym.kBlocks).toBe(2);
    expect(sym.data.length).toBe(16); // [1, 2, 8]
    // block 0: m = -8, scale = -8 / -8 = 1, code = w + 8 = 0..15
    expect(sym.scales[0]).toBe(1);
    expect(Array.from(sym.data.subarray(0, 8))).toEqual([0x10, 0x32, 0x54, 0x76, 0x98, 0xba, 0xdc, 0xfe]);
    // block 1: m = 3, scale = -3/8; codes round(w / scale) + 8: 3 -> 0, -1 -> 11 (2.67 -> 3), 0 -> 8, 0.5 -> 7 (-1.33 -> -1); padding = 8
    expect(sym.scales[1]).toBeCloseTo(-0.375, 7);
    expect(Array.from(sym.data.subarray(8, 16))).toEqual([0xb0, 0x78, 0x88, 0x88, 0x88, 0x88, 0x88, 0x88]);
    expect(sym.zeroPoints).toBeNull();

    const asym = quantizeRows(w, 1, 20, { bits: 4, blockSize: 16, symmetric: false });
    // block 0: [-8, 7] over 15 steps: scale 1, zero point 8; block 1: [-1, 3]: scale 4/15, zp round(3.75) = 4
    expect(asym.scales[0]).toBe(1);
    expect(asym.scales[1]).toBeCloseTo(4 / 15, 7);
    expect(zeroPointRowBytes(2, 4)).toBe(1);
    expect(Array.from(asym.zeroPoints!)).toEqual([0x48]);
  });

  it('packs 8-bit codes one per byte with one zero-point byte per block', () => {
    const w = Float32Array.from({ length: 40 }, (_, i) => (i % 2 ? 1 : -1) * (i + 1));
    const q = quantizeRows(w, 1, 40, { bits: 8, blockSize: 32, symmetric: false });
    expect(q.data.length).toBe(64);
    expect(q.zeroPoints!.length).toBe(2);
    const sym = quantizeRows(w, 1, 40, { bits: 8, blockSize: 32, symmetric: true });
    // block 0's largest magnitude is 32 (positive): scale -32/128, so 32 -> code 0 and -31 -> 124 + 128
    expect(sym.scales[0]).toBe(-0.25);
    expect(sym.data[31]).toBe(0);
    expect(sym.data[30]).toBe(252);
    // a block whose ends are -m and m: m -> 0 (the most negative step), -m -> +128 clamped to 127 + 128
    const ends = quantizeRows(
      Float32Array.from({ length: 32 }, (_, i) => (i === 0 ? -2 : i === 1 ? 2 : 0)),
      1,
      32,
      { bits: 8, blockSize: 32, symmetric: true },
    );
    expect([ends.data[0], ends.data[1], ends.data[2]]).toEqual([0, 255, 128]);
  });

  it('sizes: codes bits/8 bytes per weight, a float32 scale (and zero point) per block', () => {
    expect(quantizedBytes(4096, 4096, { bits: 4, blockSize: 32, symmetric: true })).toEqual({ data: 4096 * 2048, scales: 4096 * 128 * 4, zeroPoints: 0 });
    expect(quantizedBytes(10, 100, { bits: 4, blockSize: 64, symmetric: false })).toEqual({ data: 10 * 2 * 32, scales: 10 * 2 * 4, zeroPoints: 10 });
  });

  it('refuses bit widths and block sizes the op does not take', () => {
    expect(() => quantizeRows(new Float32Array(32), 1, 32, { bits: 3 as 4, blockSize: 32, symmetric: true })).toThrow(/bits/);
    expect(() => quantizeRows(new Float32Array(32), 1, 32, { bits: 4, blockSize: 48, symmetric: true })).toThrow(/block size/);
  });
});

describe('quantise then dequantise', () => {
  const rows = 7;
  const cols = 200; // not a multiple of any block size
  const w = randn(rows * cols, 42);
  for (const s of schemes) {
    it(`${label(s)}: every element within half a step of its block (one step where a symmetric block clamps)`, () => {
      const q = quantizeRows(w, rows, cols, s);
      const d = dequantizeRows(q, s);
      for (let r = 0; r < rows; r++) {
        for (let k = 0; k < cols; k++) {
          const step = Math.abs(at(q.scales, r * q.kBlocks + Math.floor(k / s.blockSize)));
          const err = Math.abs(at(d, r * cols + k) - at(w, r * cols + k));
          expect(err).toBeLessThanOrEqual(step * (s.symmetric ? 1 : 0.5) * (1 + 1e-6) + 1e-12);
        }
      }
      // and on average much less: uniform rounding error has RMS step / sqrt(12)
      let se = 0;
      let steps = 0;
      w.forEach((wi, i) => (se += (at(d, i) - wi) ** 2));
      for (const sc of q.scales) steps += sc * sc;
      expect(Math.sqrt(se / w.length)).toBeLessThan(0.4 * Math.sqrt(steps / q.scales.length));
    });
  }

  it('keeps zeros exact, including a block of zeros (scale 0)', () => {
    const z = new Float32Array(64);
    z.set([0.5, -0.25, 0, 1], 32);
    for (const s of [
      { bits: 4, blockSize: 32, symmetric: false },
      { bits: 8, blockSize: 32, symmetric: true },
    ] as QuantScheme[]) {
      const q = quantizeRows(z, 1, 64, s);
      expect(q.scales[0]).toBe(0);
      const d = dequantizeRows(q, s);
      expect(Array.from(d.subarray(0, 32)).every((v) => v === 0)).toBe(true);
      expect(d[34] === 0).toBe(true); // (-0 where the scale is negative)
    }
  });
});

async function session(g: GraphBuilder, file: string): Promise<ort.InferenceSession> {
  const saved = await saveModel(g, dir, file);
  return ort.InferenceSession.create(saved.onnxPath, { intraOpNumThreads: 1 });
}

function maxAbs(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(at(a, i) - at(b, i)));
  return m;
}

describe('onnxruntime reads our layout', () => {
  const K = 200;
  const N = 24;
  const w = randn(N * K, 7); // [N, K] = nn.Linear's [out, in]
  const x = randn(2 * 3 * K, 9);
  let file = 0;
  for (const s of schemes) {
    it(`MatMulNBits (${label(s)}) equals a float MatMul over the dequantised weight`, async () => {
      const q = quantizeRows(w, N, K, s);
      const deq = dequantizeRows(q, s);
      const t = new Float32Array(K * N); // [K, N] for MatMul
      for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) t[k * N + n] = at(deq, n * K + k);
      const g = new GraphBuilder('q');
      const a = g.input('a', 'float32', [2, 3, K]);
      const b = g.initializer('b', arraySource('uint8', [N, q.kBlocks, q.blobSize], q.data));
      const scales = g.initializer('scales', arraySource('float32', [N, q.kBlocks], q.scales));
      const zp = q.zeroPoints ? g.initializer('zp', arraySource('uint8', [N, zeroPointRowBytes(q.kBlocks, s.bits)], q.zeroPoints)) : null;
      g.output(g.matMulNBits(a, b, scales, zp, { K, N, bits: s.bits, blockSize: s.blockSize }), 'y');
      g.output(g.matmul(a, g.initializer('w', arraySource('float32', [K, N], t))), 'ref');
      const sess = await session(g, `mm${file++}.onnx`);
      try {
        const out = await sess.run({ a: new ort.Tensor('float32', x, [2, 3, K]) });
        const y = field(out, 'y');
        expect(y.dims).toEqual([2, 3, N]);
        const ref = field(out, 'ref').data as Float32Array;
        // float32 sums of 200 products of size ~1 in a different order: ~1e-5
        expect(maxAbs(y.data as Float32Array, ref)).toBeLessThan(1e-4);
        // and the quantised product is near the float one (not a vacuous match of two zeros)
        expect(Math.max(...Array.from(ref, Math.abs))).toBeGreaterThan(1);
      } finally {
        await sess.release();
      }
    });
  }

  for (const s of schemes.filter((q) => q.blockSize !== 64)) {
    it(`GatherBlockQuantized (${label(s)}) returns the dequantised rows`, async () => {
      const V = 10;
      const D = 256;
      const table = randn(V * D, 11);
      const q = quantizeRows(table, V, D, s);
      const deq = dequantizeRows(q, s);
      const g = new GraphBuilder('gq');
      const ids = g.input('ids', 'int64', [1, 3]);
      const data = g.initializer('data', arraySource('uint8', [V, q.kBlocks * q.blobSize], q.data));
      const scales = g.initializer('scales', arraySource('float32', [V, q.kBlocks], q.scales));
      const zp = q.zeroPoints ? g.initializer('zp', arraySource('uint8', [V, zeroPointRowBytes(q.kBlocks, s.bits)], q.zeroPoints)) : null;
      g.output(g.gatherBlockQuantized(data, ids, scales, zp, { bits: s.bits, blockSize: s.blockSize }), 'rows');
      const sess = await session(g, `g${file++}.onnx`);
      try {
        const picked = [7, 0, 3];
        const out = await sess.run({ ids: new ort.Tensor('int64', BigInt64Array.from(picked, BigInt), [1, 3]) });
        const rows = field(out, 'rows');
        expect(rows.dims).toEqual([1, 3, D]);
        const want = new Float32Array(3 * D);
        picked.forEach((r, i) => want.set(deq.subarray(r * D, (r + 1) * D), i * D));
        expect(maxAbs(rows.data as Float32Array, want)).toBeLessThan(1e-6);
      } finally {
        await sess.release();
      }
    });
  }
});
