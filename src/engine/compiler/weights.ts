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
 */
import { WorkbenchError } from '../../common/contract/errors.ts';
import type { Checkpoint } from '../checkpoint/checkpoint.ts';
import { bytesToFloat32, float32ToF16Bits, float32ToHalfBits, isFloatDtype, type Dtype } from '../checkpoint/dtype.ts';
import type { TensorSource } from '../onnx/tensor-source.ts';

export type BundleDtype = 'fp32' | 'fp16';

const CHUNK_BYTES = 16 << 20;

function bytesOf(a: Float32Array | Uint16Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

export class Weights {
  constructor(
    private readonly ckpt: Checkpoint,
    /** Used in messages: the checkpoint folder. */
    private readonly where: string,
  ) {}

  /** The dtype of `name`, after checking that it exists with `shape` and is floating point. */
  private checked(name: string, shape: readonly number[]): Dtype {
    if (!this.ckpt.has(name)) {
      throw new WorkbenchError('invalid-checkpoint', `${this.where}: the weights have no tensor "${name}"`, 'The checkpoint is incomplete or is not the model its config.json describes.');
    }
    const info = this.ckpt.info(name);
    const same = info.shape.length === shape.length && info.shape.every((d, i) => d === shape[i]);
    if (!same) {
      throw new WorkbenchError(
        'invalid-checkpoint',
        `${this.where}: tensor "${name}" has shape [${info.shape.join(', ')}], but config.json implies [${shape.join(', ')}]`,
        'config.json and the weights disagree; re-download the checkpoint.',
      );
    }
    if (!isFloatDtype(info.dtype)) throw new WorkbenchError('invalid-checkpoint', `${this.where}: tensor "${name}" is ${info.dtype}, expected a float type`, 'Quantised checkpoints are not supported; use the float16/bfloat16/float32 weights.');
    return info.dtype;
  }

  /** `name` as stored (shape `shape`), converted to float32 or float16. Streamed in chunks. */
  tensor(name: string, shape: readonly number[], to: BundleDtype): TensorSource {
    const dtype = this.checked(name, shape);
    const ckpt = this.ckpt;
    return {
      dtype: to === 'fp16' ? 'float16' : 'float32',
      dims: [...shape],
      async *chunks() {
        for await (const raw of ckpt.chunks(name, CHUNK_BYTES)) {
          if ((to === 'fp32' && dtype === 'F32') || (to === 'fp16' && dtype === 'F16')) yield raw;
          else {
            const f = bytesToFloat32(dtype, raw);
            yield bytesOf(to === 'fp16' ? float32ToHalfBits('F16', f) : f); // nearest even, as torch's .half()
          }
        }
      },
    };
  }

  /**
   * An HF Linear weight `name` stored [out, in], transposed to [in, out] (so `x @ W` = `x @ weight^T`
   * as nn.Linear computes) and converted.
   */
  linear(name: string, outFeatures: number, inFeatures: number, to: BundleDtype): TensorSource {
    return this.transposed(name, [outFeatures, inFeatures], to);
  }

  /** A 2-D tensor `name` of shape [rows, cols], transposed to [cols, rows] and converted. */
  transposed(name: string, [rows, cols]: readonly number[], to: BundleDtype): TensorSource {
    const dtype = this.checked(name, [rows, cols]);
    const ckpt = this.ckpt;
    return {
      dtype: to === 'fp16' ? 'float16' : 'float32',
      dims: [cols, rows],
      async *chunks() {
        const src = bytesToFloat32(dtype, await ckpt.readRaw(name));
        const out = to === 'fp16' ? new Uint16Array(rows * cols) : new Float32Array(rows * cols);
        // Blocked transpose: both the reads and the writes stay within a few cache lines per block.
        const B = 64;
        if (out instanceof Float32Array) {
          for (let r0 = 0; r0 < rows; r0 += B)
            for (let c0 = 0; c0 < cols; c0 += B)
              for (let r = r0; r < Math.min(r0 + B, rows); r++) for (let c = c0; c < Math.min(c0 + B, cols); c++) out[c * rows + r] = src[r * cols + c];
        } else {
          for (let r0 = 0; r0 < rows; r0 += B)
            for (let c0 = 0; c0 < cols; c0 += B)
              for (let r = r0; r < Math.min(r0 + B, rows); r++) for (let c = c0; c < Math.min(c0 + B, cols); c++) out[c * rows + r] = float32ToF16Bits(src[r * cols + c]);
        }
        yield bytesOf(out);
      },
    };
  }
}
