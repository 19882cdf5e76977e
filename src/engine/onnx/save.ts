/**
 * Writes a graph as `<name>.onnx` + `<name>.onnx.data`. Weights are streamed into the data file one
 * tensor at a time, each at a 64-byte aligned offset, and referenced from the protobuf as
 * TensorProto external data {location, offset, length}; only then is the small structural protobuf
 * encoded and written. Memory use is the largest single tensor a source yields, whatever the model
 * size.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { cancelledError } from '../../common/contract/errors.ts';
import type { Graph } from './graph.ts';
import { encodeModel, type TensorData } from './onnx-proto.ts';
import { byteLength } from './tensor-source.ts';

export const DATA_ALIGNMENT = 64;

export interface SaveProgress {
  /** The tensor just written. */
  tensor: string;
  bytes: number;
}

export interface SaveOptions {
  producerName?: string;
  producerVersion?: string;
  docString?: string;
  metadata?: Record<string, string>;
  onTensor?: (p: SaveProgress) => void;
  signal?: AbortSignal;
}

export interface SavedModel {
  onnxPath: string;
  dataPath: string;
  onnxBytes: number;
  dataBytes: number;
}

async function writeAll(fh: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < bytes.byteLength) {
    const { bytesWritten } = await fh.write(bytes, done, bytes.byteLength - done, position + done);
    done += bytesWritten;
  }
}

/** Marks a write we will await later as handled now, so its failure is not an unhandled rejection meanwhile. */
function inFlight(p: Promise<void>): Promise<void> {
  p.catch(() => undefined);
  return p;
}

/** Saves `graph` in `dir` as `<fileName>` (e.g. "decoder.onnx") and `<fileName>.data`. */
export async function saveModel(graph: Graph, dir: string, fileName: string, opts: SaveOptions = {}): Promise<SavedModel> {
  const dataName = `${fileName}.data`;
  const dataPath = join(dir, dataName);
  const onnxPath = join(dir, fileName);
  const refs: TensorData[] = [];
  const fh = await open(dataPath, 'w');
  let offset = 0;
  let pending: Promise<void> = Promise.resolve();
  try {
    for (const init of graph.initializers) {
      if (opts.signal?.aborted) throw cancelledError();
      const pad = (DATA_ALIGNMENT - (offset % DATA_ALIGNMENT)) % DATA_ALIGNMENT;
      if (pad) {
        await pending;
        pending = inFlight(writeAll(fh, new Uint8Array(pad), offset));
        offset += pad;
      }
      const want = byteLength(init.source);
      let got = 0;
      for await (const chunk of init.source.chunks()) {
        if (got + chunk.byteLength > want) throw new Error(`tensor ${init.name}: its source yielded more than the ${want} bytes of ${init.source.dtype}[${init.source.dims.join(', ')}]`);
        // One write in flight while the source prepares the next chunk (or tensor): I/O overlaps
        // conversion, and memory stays at two chunks.
        await pending;
        pending = inFlight(writeAll(fh, chunk, offset + got));
        got += chunk.byteLength;
      }
      if (got !== want) throw new Error(`tensor ${init.name}: its source yielded ${got} bytes, expected ${want}`);
      refs.push({ name: init.name, dtype: init.source.dtype, dims: init.source.dims, external: { location: dataName, offset, length: want } });
      offset += want;
      opts.onTensor?.({ tensor: init.name, bytes: want });
    }
    await pending;
  } finally {
    await pending.catch(() => undefined);
    await fh.close();
  }
  const model = encodeModel({
    graph: {
      name: graph.name,
      nodes: graph.nodes,
      inputs: graph.inputs,
      outputs: graph.outputs,
      initializers: [...refs, ...graph.constants],
    },
    producerName: opts.producerName ?? 'laser-workbench',
    producerVersion: opts.producerVersion ?? '0',
    docString: opts.docString,
    metadata: opts.metadata,
  });
  const out = await open(onnxPath, 'w');
  try {
    await out.write(model);
  } finally {
    await out.close();
  }
  return { onnxPath, dataPath, onnxBytes: model.byteLength, dataBytes: offset };
}
