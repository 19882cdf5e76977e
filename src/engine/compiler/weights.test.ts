/**
 * Weights.quantized streams a checkpoint matrix through the quantiser in pieces that need not end on
 * a row: the bytes it yields, and the scales and zero points after them, equal quantizeRows over the
 * whole matrix at once, whatever the chunking and the checkpoint dtype.
 */
import { describe, expect, it } from 'vitest';
import type { Checkpoint } from '../checkpoint/checkpoint.ts';
import { float32ToHalfBits, type Dtype } from '../checkpoint/dtype.ts';
import type { TensorSource } from '../onnx/tensor-source.ts';
import { quantizeRows, type QuantScheme } from './quantize.ts';
import { Weights } from './weights.ts';

/** A one-tensor checkpoint whose chunks() yields `piece` bytes at a time (ignoring what is asked). */
function fakeCheckpoint(name: string, dtype: Dtype, shape: number[], bytes: Uint8Array, piece: number): Checkpoint {
  return {
    dir: '/fake',
    names: () => [name],
    has: (n) => n === name,
    info: () => ({ dtype, shape, file: '/fake/model.safetensors' }),
    readFloat32: () => Promise.reject(new Error('unused')),
    readRaw: async () => Buffer.from(bytes),
    async *chunks() {
      for (let i = 0; i < bytes.byteLength; i += piece) yield Buffer.from(bytes.subarray(i, i + piece));
    },
    close: async () => undefined,
  };
}

async function collect(s: TensorSource): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const c of s.chunks()) parts.push(new Uint8Array(c));
  return Uint8Array.from(parts.flatMap((p) => Array.from(p)));
}

const rows = 9;
const cols = 70;
const values = Float32Array.from({ length: rows * cols }, (_, i) => Math.sin(i * 0.37) * (1 + (i % 5)));

describe('Weights.quantized', () => {
  const cases: [string, Dtype, Uint8Array][] = [
    ['F32', 'F32', new Uint8Array(values.buffer)],
    ['F16', 'F16', new Uint8Array(float32ToHalfBits('F16', values).buffer)],
  ];
  for (const [label, dtype, bytes] of cases) {
    for (const scheme of [
      { bits: 4, blockSize: 32, symmetric: false },
      { bits: 8, blockSize: 64, symmetric: true },
    ] as QuantScheme[]) {
      it(`${label}, int${scheme.bits} ${scheme.symmetric ? 'symmetric' : 'asymmetric'}: chunks of 13 bytes give the whole-matrix result`, async () => {
        const w = new Weights(fakeCheckpoint('m.weight', dtype, [rows, cols], bytes, 13), '/fake');
        const q = w.quantized('m.weight', rows, cols, scheme);
        const whole = new Weights(fakeCheckpoint('m.weight', dtype, [rows, cols], bytes, 1 << 20), '/fake');
        const ref = whole.quantized('m.weight', rows, cols, scheme);
        const data = await collect(q.data);
        expect(q.data.dims).toEqual([rows, q.kBlocks, q.blobSize]);
        expect(data).toEqual(await collect(ref.data));
        expect(await collect(q.scales)).toEqual(await collect(ref.scales));
        if (scheme.symmetric) expect(q.zeroPoints).toBeNull();
        else expect(await collect(q.zeroPoints!)).toEqual(await collect(ref.zeroPoints!));
        if (dtype === 'F32') {
          const direct = quantizeRows(values, rows, cols, scheme);
          expect(data).toEqual(direct.data);
          expect(await collect(ref.scales)).toEqual(new Uint8Array(direct.scales.buffer));
        }
      });
    }
  }

  it('scales asked for before the codes run the pass themselves', async () => {
    const scheme: QuantScheme = { bits: 4, blockSize: 32, symmetric: true };
    const w = new Weights(fakeCheckpoint('m.weight', 'F32', [rows, cols], new Uint8Array(values.buffer), 100), '/fake');
    const q = w.quantized('m.weight', rows, cols, scheme);
    const direct = quantizeRows(values, rows, cols, scheme);
    expect(await collect(q.scales)).toEqual(new Uint8Array(direct.scales.buffer));
    expect(await collect(q.data)).toEqual(direct.data);
  });

  it('stops at a non-finite weight, naming the tensor and its element, as float compiles do', async () => {
    const bad = Float32Array.from(values);
    bad[3 * cols + 5] = Number.NaN;
    const w = new Weights(fakeCheckpoint('m.weight', 'F32', [rows, cols], new Uint8Array(bad.buffer), 13), '/fake');
    await expect(collect(w.quantized('m.weight', rows, cols, { bits: 4, blockSize: 32, symmetric: true }).data)).rejects.toThrow(
      /tensor "m\.weight" .* holds NaN at element 215 \(index \[3, 5\] of \[9, 70\]\)/,
    );
  });

  it('refuses a shape that disagrees with the checkpoint before reading anything', () => {
    const w = new Weights(fakeCheckpoint('m.weight', 'F32', [rows, cols], new Uint8Array(values.buffer), 100), '/fake');
    expect(() => w.quantized('m.weight', cols, rows, { bits: 4, blockSize: 32, symmetric: true })).toThrow(
      /has shape \[9, 70\], but config.json implies \[70, 9\]/,
    );
  });
});
