/**
 * A safetensors file opened for reading on demand. Opening reads and validates only the header; a
 * tensor's bytes are read when asked for (one positioned read into a fresh buffer), and `chunks`
 * streams a large tensor piece by piece, so no caller ever needs the whole file in memory.
 *
 * Data is little-endian on disk and the typed arrays returned here are host-endian: this assumes a
 * little-endian host, which every platform Node ships for (x64, arm64) is.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { WorkbenchError } from '../../common/contract/errors.ts';
import { bytesToFloat32, bytesToInt64, dtypeSize } from './dtype.ts';
import { parseHeader, parseHeaderLength, type TensorInfo } from './safetensors-header.ts';

export type { TensorInfo } from './safetensors-header.ts';

export class SafetensorsFile {
  private constructor(
    readonly path: string,
    private readonly fd: FileHandle,
    private readonly tensors: Map<string, TensorInfo>,
    /** The header's `__metadata__` string map ({} when absent). */
    readonly metadata: Record<string, string>,
  ) {}

  /**
   * Opens and validates `path`. Throws WorkbenchError 'not-found' if it does not exist and
   * 'invalid-checkpoint' for any inconsistency in the header (the message names file and tensor).
   */
  static async open(path: string): Promise<SafetensorsFile> {
    let fd: FileHandle;
    try {
      fd = await open(path, 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new WorkbenchError('not-found', `${path}: no such file`, 'Check the checkpoint folder; the file may not have been downloaded.');
      }
      throw e;
    }
    try {
      const { size } = await fd.stat();
      const first8 = await readExactly(fd, path, 0, Math.min(8, size), '(header length)');
      const n = parseHeaderLength(path, first8, size);
      const header = parseHeader(path, await readExactly(fd, path, 8, n, '(header)'), size);
      return new SafetensorsFile(path, fd, header.tensors, header.metadata);
    } catch (e) {
      await fd.close();
      throw e;
    }
  }

  /** Tensor names in header order. */
  names(): string[] {
    return [...this.tensors.keys()];
  }

  has(name: string): boolean {
    return this.tensors.has(name);
  }

  /** dtype, shape and absolute byte range; throws 'invalid-checkpoint' if the tensor is absent. */
  info(name: string): TensorInfo {
    const t = this.tensors.get(name);
    if (!t)
      throw new WorkbenchError('invalid-checkpoint', `${this.path}: has no tensor "${name}"`, 'The checkpoint is incomplete or is for a different model.');
    return t;
  }

  /** The tensor's raw little-endian bytes, in a buffer of its own (offset 0, so any view is aligned). */
  async readRaw(name: string): Promise<Buffer> {
    const t = this.info(name);
    return readExactly(this.fd, this.path, t.begin, t.end - t.begin, `tensor "${name}"`);
  }

  /** F32/F16/BF16/F64 tensor → Float32Array (exact for F16/BF16). */
  async readFloat32(name: string): Promise<Float32Array> {
    const t = this.info(name);
    if (t.dtype !== 'F32' && t.dtype !== 'F16' && t.dtype !== 'BF16' && t.dtype !== 'F64') {
      throw new WorkbenchError(
        'invalid-checkpoint',
        `${this.path}: tensor "${name}" is ${t.dtype}, expected a floating-point dtype`,
        'The checkpoint is for a different model or was quantised; use an unquantised checkpoint.',
      );
    }
    return bytesToFloat32(t.dtype, await this.readRaw(name));
  }

  /** I64 tensor → BigInt64Array. */
  async readInt64(name: string): Promise<BigInt64Array> {
    const t = this.info(name);
    if (t.dtype !== 'I64') throw new WorkbenchError('invalid-checkpoint', `${this.path}: tensor "${name}" is ${t.dtype}, expected I64`);
    return bytesToInt64(await this.readRaw(name));
  }

  /**
   * Streams a tensor's bytes in order, `chunkBytes` at a time (rounded down to whole elements, at
   * least one), each in a fresh buffer the caller may keep. Memory stays flat for any tensor size.
   */
  async *chunks(name: string, chunkBytes: number): AsyncGenerator<Buffer> {
    const t = this.info(name);
    const elem = dtypeSize(t.dtype);
    const step = Math.max(elem, Math.floor(chunkBytes / elem) * elem);
    for (let pos = t.begin; pos < t.end; pos += step) {
      yield await readExactly(this.fd, this.path, pos, Math.min(step, t.end - pos), `tensor "${name}"`);
    }
  }

  async close(): Promise<void> {
    await this.fd.close();
  }
}

/** Reads exactly `length` bytes at `position`; a short read means the file shrank under us. */
async function readExactly(fd: FileHandle, path: string, position: number, length: number, what: string): Promise<Buffer> {
  const buf = Buffer.from(new ArrayBuffer(length));
  let done = 0;
  while (done < length) {
    const { bytesRead } = await fd.read(buf, done, length - done, position + done);
    if (bytesRead === 0) {
      throw new WorkbenchError(
        'invalid-checkpoint',
        `${path}: ${what}: file ended after ${position + done} bytes while reading ${length} bytes at offset ${position}`,
        'The file was truncated or changed while it was being read.',
      );
    }
    done += bytesRead;
  }
  return buf;
}
