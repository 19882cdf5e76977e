/**
 * Checkpoint tensors as initializer sources for the graphs: looked up by their canonical HF (v4.45)
 * names (the checkpoint is a `canonicalLlavaView`, whatever its layout on disk), shape-checked
 * against what the graph being built expects, converted to the bundle's float type and, for
 * Linear weights, transposed to the [in, out] layout MatMul wants.
 *
 * Shapes are checked when a graph is *built* (before a single byte is written), so a checkpoint that
 * does not match its config fails at once with the tensor's name; data is read only when the graph
 * is saved, one tensor at a time. Untransposed tensors are streamed in chunks, so memory stays at a
 * chunk; a transposed matrix needs the whole matrix once (the largest in LLaVA-7B is lm_head,
 * 32000 x 4096).
 *
 * While they stream, every chunk is checked for NaN/Inf, and an fp16 compile for values beyond
 * float16's range (finite.ts): the compile stops naming the tensor and its first bad element.
 */
import { WorkbenchError } from '../../common/contract/errors.ts';
import type { Checkpoint } from '../checkpoint/checkpoint.ts';
import { dtypeSize, isFloatDtype, type Dtype } from '../checkpoint/dtype.ts';
import { impliedBy, type SizeField } from '../checkpoint/size-fields.ts';
import { convertElements } from './convert.ts';
import { F16_MAX, firstF16Overflow, firstNonFinite, unravel, type BadElement } from './finite.ts';
import type { TensorSource } from '../onnx/tensor-source.ts';
import { blockCount, quantizeRows, zeroPointRowBytes, type QuantScheme } from './quantize.ts';

/** The float type of a bundle's float weights (all of them, or those not quantised). */
export type FloatDtype = 'fp32' | 'fp16';
/** `laser compile --dtype`: float weights, or weight-only int8/int4 (docs/bundle-format.md). */
export type BundleDtype = FloatDtype | 'int8' | 'int4';

/** A quantised matrix's three initializer sources, in MatMulNBits' layout (quantize.ts). */
export interface QuantizedSources {
  /** uint8 [rows, kBlocks, blobSize] */
  data: TensorSource;
  /** float32 [rows, kBlocks] */
  scales: TensorSource;
  /** uint8 [rows, ceil(kBlocks * bits / 8)], or null when symmetric */
  zeroPoints: TensorSource | null;
  kBlocks: number;
  blobSize: number;
}

const CHUNK_BYTES = 16 << 20;

function bytesOf(a: Uint32Array | Uint16Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.byteLength + b.byteLength);
  out.set(a);
  out.set(b, a.byteLength);
  return out;
}

export class Weights {
  constructor(
    private readonly ckpt: Checkpoint,
    /** Used in messages: the checkpoint folder. */
    private readonly where: string,
    /** The config.json fields that give tensor sizes, so a wrong shape names the one it contradicts. */
    private readonly sizeFields: readonly SizeField[] = [],
  ) {}

  /** The dtype of `name`, after checking that it exists with `shape` and is floating point. */
  private checked(name: string, shape: readonly number[]): Dtype {
    if (!this.ckpt.has(name)) {
      throw new WorkbenchError(
        'invalid-checkpoint',
        `${this.where}: the weights have no tensor "${name}"`,
        'The checkpoint is incomplete or is not the model its config.json describes.',
      );
    }
    const info = this.ckpt.info(name);
    const same = info.shape.length === shape.length && info.shape.every((d, i) => d === shape[i]);
    if (!same) {
      throw new WorkbenchError(
        'invalid-checkpoint',
        `${this.where}: tensor "${name}" has shape [${info.shape.join(', ')}], but config.json implies [${shape.join(', ')}]${impliedBy(this.sizeFields, shape, info.shape)}`,
        'config.json and the weights disagree; re-download the checkpoint.',
      );
    }
    if (!isFloatDtype(info.dtype))
      throw new WorkbenchError(
        'invalid-checkpoint',
        `${this.where}: tensor "${name}" is ${info.dtype}, expected a float type`,
        'Quantised checkpoints are not supported; use the float16/bfloat16/float32 weights.',
      );
    return info.dtype;
  }

  /** Throws when a chunk of `name` (its first element being `offset`) holds a non-finite value. */
  private checkFinite(name: string, dtype: Dtype, raw: Uint8Array, offset: number): void {
    const bad = firstNonFinite(dtype, raw);
    if (bad) throw this.badValue(name, { index: offset + bad.index, value: bad.value }, 'non-finite');
  }

  /** Throws when converting a chunk of `name` to float16 turned a finite value into ±Inf. */
  private checkHalf(name: string, dtype: Dtype, raw: Uint8Array, converted: Uint32Array | Uint16Array, offset: number): void {
    if (!(converted instanceof Uint16Array)) return;
    const bad = firstF16Overflow(dtype, raw, converted);
    if (bad) throw this.badValue(name, { index: offset + bad.index, value: bad.value }, 'f16-overflow');
  }

  private badValue(name: string, bad: BadElement, kind: 'non-finite' | 'f16-overflow'): WorkbenchError {
    const { shape, file } = this.ckpt.info(name);
    const at = `element ${bad.index} (index [${unravel(bad.index, shape).join(', ')}] of [${shape.join(', ')}])`;
    if (kind === 'non-finite') {
      return new WorkbenchError(
        'invalid-checkpoint',
        `${this.where}: tensor "${name}" in ${file} holds ${bad.value} at ${at}; a model with non-finite weights answers nothing`,
        'The checkpoint is corrupt or its training diverged; re-download it, or use a checkpoint saved before the weights went bad.',
      );
    }
    return new WorkbenchError(
      'invalid-checkpoint',
      `${this.where}: tensor "${name}" in ${file} holds ${bad.value} at ${at}, beyond float16's largest value ${F16_MAX}; an fp16 bundle would store it as ${bad.value > 0 ? '' : '-'}Infinity`,
      'Compile with --dtype fp32: this checkpoint does not fit in float16.',
    );
  }

  /** `name` as stored (shape `shape`), converted to float32 or float16. Streamed in chunks. */
  tensor(name: string, shape: readonly number[], to: FloatDtype): TensorSource {
    const dtype = this.checked(name, shape);
    const ckpt = this.ckpt;
    const target = to === 'fp16' ? 'float16' : 'float32';
    const size = dtypeSize(dtype);
    const checkFinite = (raw: Uint8Array, offset: number) => this.checkFinite(name, dtype, raw, offset);
    const checkHalf = (raw: Uint8Array, converted: Uint32Array | Uint16Array, offset: number) => this.checkHalf(name, dtype, raw, converted, offset);
    return {
      dtype: target,
      dims: [...shape],
      async *chunks() {
        let offset = 0;
        for await (const raw of ckpt.chunks(name, CHUNK_BYTES)) {
          checkFinite(raw, offset);
          if ((target === 'float32' && dtype === 'F32') || (target === 'float16' && dtype === 'F16')) yield raw;
          else {
            const converted = convertElements(dtype, raw, target, { rows: 0, cols: 0, transpose: false });
            checkHalf(raw, converted, offset);
            yield bytesOf(converted);
          }
          offset += raw.byteLength / size;
        }
      },
    };
  }

  /**
   * An HF Linear weight `name` stored [out, in], transposed to [in, out] (so `x @ W` = `x @ weight^T`
   * as nn.Linear computes) and converted.
   */
  linear(name: string, outFeatures: number, inFeatures: number, to: FloatDtype): TensorSource {
    return this.transposed(name, [outFeatures, inFeatures], to);
  }

  /**
   * A weight stored with more axes than two whose first axis is the output, used as a Linear over
   * the rest flattened (Qwen2-VL's Conv3d patch embedding, kernel = stride = one patch):
   * `stored` [out, ...rest] → [prod(rest), out].
   */
  flattenedLinear(name: string, stored: readonly [number, ...number[]], to: FloatDtype): TensorSource {
    const [out, ...rest] = stored;
    this.checked(name, stored);
    return this.transposedAs(name, [out, rest.reduce((a, b) => a * b, 1)], to);
  }

  /** A 2-D tensor `name` of shape [rows, cols], transposed to [cols, rows] and converted. */
  transposed(name: string, [rows, cols]: readonly [number, number], to: FloatDtype): TensorSource {
    this.checked(name, [rows, cols]);
    return this.transposedAs(name, [rows, cols], to);
  }

  /**
   * A 2-D tensor `name` stored [rows, cols] (an HF Linear weight [out, in], or an embedding table
   * [vocab, hidden]), quantised block-wise along each row, which is MatMulNBits' B layout as stored
   * (no transpose). Streamed: `data` reads the tensor a few rows at a time and quantises them, so
   * memory stays at a chunk plus the scales; `scales` and `zeroPoints` yield what that pass computed
   * (they are saved after `data`; asked first, they run the pass themselves).
   */
  quantized(name: string, rows: number, cols: number, scheme: QuantScheme): QuantizedSources {
    const dtype = this.checked(name, [rows, cols]);
    const ckpt = this.ckpt;
    const kBlocks = blockCount(cols, scheme.blockSize);
    const blobSize = (scheme.blockSize * scheme.bits) / 8;
    const zpRow = zeroPointRowBytes(kBlocks, scheme.bits);
    const rowBytes = cols * (dtype === 'F64' ? 8 : dtype === 'F32' ? 4 : 2);
    const rowsPerChunk = Math.max(1, Math.floor(CHUNK_BYTES / rowBytes));
    let side: { scales: Float32Array; zeroPoints: Uint8Array | null } | null = null;
    const checkFinite = (raw: Uint8Array, offset: number) => this.checkFinite(name, dtype, raw, offset);
    async function* pass(): AsyncGenerator<Uint8Array> {
      const scales = new Float32Array(rows * kBlocks);
      const zeroPoints = scheme.symmetric ? null : new Uint8Array(rows * zpRow);
      let pending = new Uint8Array(0);
      let row = 0;
      for await (const raw of ckpt.chunks(name, rowsPerChunk * rowBytes)) {
        const bytes = pending.byteLength ? concat(pending, raw) : raw;
        const whole = Math.floor(bytes.byteLength / rowBytes);
        if (whole > 0) {
          checkFinite(bytes.subarray(0, whole * rowBytes), row * cols);
          const f = new Float32Array(convertElements(dtype, bytes.subarray(0, whole * rowBytes), 'float32', { rows: 0, cols: 0, transpose: false }).buffer);
          const q = quantizeRows(f, whole, cols, scheme);
          scales.set(q.scales, row * kBlocks);
          if (zeroPoints && q.zeroPoints) zeroPoints.set(q.zeroPoints, row * zpRow);
          row += whole;
          yield q.data;
        }
        pending = bytes.slice(whole * rowBytes);
      }
      if (row !== rows || pending.byteLength) throw new Error(`tensor ${name}: read ${row} rows of ${rows}`);
      side = { scales, zeroPoints };
    }
    const computed = async (): Promise<{ scales: Float32Array; zeroPoints: Uint8Array | null }> => {
      if (!side) for await (const chunk of pass()) void chunk;
      return side!;
    };
    const data: TensorSource = { dtype: 'uint8', dims: [rows, kBlocks, blobSize], chunks: pass };
    const scales: TensorSource = {
      dtype: 'float32',
      dims: [rows, kBlocks],
      async *chunks() {
        const s = (await computed()).scales;
        yield new Uint8Array(s.buffer, s.byteOffset, s.byteLength);
        if (scheme.symmetric) side = null; // nothing else needs it
      },
    };
    const zeroPoints: TensorSource | null = scheme.symmetric
      ? null
      : {
          dtype: 'uint8',
          dims: [rows, zpRow],
          async *chunks() {
            yield (await computed()).zeroPoints!;
            side = null;
          },
        };
    return { data, scales, zeroPoints, kBlocks, blobSize };
  }

  /** The stored elements of `name` read as a [rows, cols] matrix (shape already checked), transposed. */
  private transposedAs(name: string, [rows, cols]: readonly [number, number], to: FloatDtype): TensorSource {
    const dtype = this.ckpt.info(name).dtype;
    const ckpt = this.ckpt;
    const target = to === 'fp16' ? 'float16' : 'float32';
    const checkFinite = (raw: Uint8Array, offset: number) => this.checkFinite(name, dtype, raw, offset);
    const checkHalf = (raw: Uint8Array, converted: Uint32Array | Uint16Array, offset: number) => this.checkHalf(name, dtype, raw, converted, offset);
    return {
      dtype: target,
      dims: [cols, rows],
      async *chunks() {
        const raw = await ckpt.readRaw(name);
        checkFinite(raw, 0);
        const converted = convertElements(dtype, raw, target, { rows, cols, transpose: true });
        checkHalf(raw, converted, 0);
        yield bytesOf(converted);
      },
    };
  }
}
