/**
 * Writes a graph as `<name>.onnx` + `<name>.onnx.data`. Weights are streamed into the data file one
 * tensor at a time, each at a 64-byte aligned offset, and referenced from the protobuf as
 * TensorProto external data {location, offset, length}; only then is the small structural protobuf
 * encoded and written. Memory use is the largest single tensor a source yields, whatever the model
 * size. A second graph over the same weights (a variant with extra outputs) can reference the first
 * one's .data file instead of writing its own (`sharedWeights`).
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
  /**
   * Weights already written by another graph in the same folder (its `SavedModel.weights`): this
   * graph references them there instead of writing its own .data file. Every initializer must be
   * among them with the same type and shape.
   */
  sharedWeights?: ReadonlyMap<string, TensorData>;
}

export interface SavedModel {
  onnxPath: string;
  /** The .data file the weights are in (another graph's with `sharedWeights`). */
  dataPath: string;
  onnxBytes: number;
  /** Bytes this call wrote to its .data file (0 with `sharedWeights`). */
  dataBytes: number;
  /** Each initializer's external reference, by name: pass as `sharedWeights` to another graph. */
  weights: Map<string, TensorData>;
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
  const onnxPath = join(dir, fileName);
  const { refs, dataName, dataBytes } = opts.sharedWeights
    ? { ...shared(graph, opts.sharedWeights), dataBytes: 0 }
    : await writeWeights(graph, dir, `${fileName}.data`, opts);
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
  return { onnxPath, dataPath: join(dir, dataName), onnxBytes: model.byteLength, dataBytes, weights: new Map(refs.map((r) => [r.name, r])) };
}

/** References into weights another graph wrote, checked to be the very tensors this graph declares. */
function shared(graph: Graph, weights: ReadonlyMap<string, TensorData>): { refs: TensorData[]; dataName: string } {
  const refs: TensorData[] = [];
  const locations = new Set<string>();
  for (const init of graph.initializers) {
    const ref = weights.get(init.name);
    const same =
      ref?.external && ref.dtype === init.source.dtype && ref.dims.length === init.source.dims.length && ref.dims.every((d, i) => d === init.source.dims[i]);
    if (!ref?.external || !same)
      throw new Error(`graph ${graph.name}: weight ${init.name} is not among the shared weights with ${init.source.dtype}[${init.source.dims.join(', ')}]`);
    refs.push(ref);
    locations.add(ref.external.location);
  }
  if (locations.size > 1) throw new Error(`graph ${graph.name}: shared weights come from several files`);
  return { refs, dataName: [...locations][0] ?? '' };
}

/** Streams every initializer into `<dir>/<dataName>`; returns their external references. */
async function writeWeights(
  graph: Graph,
  dir: string,
  dataName: string,
  opts: SaveOptions,
): Promise<{ refs: TensorData[]; dataName: string; dataBytes: number }> {
  const refs: TensorData[] = [];
  const fh = await open(join(dir, dataName), 'w');
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
        if (got + chunk.byteLength > want)
          throw new Error(`tensor ${init.name}: its source yielded more than the ${want} bytes of ${init.source.dtype}[${init.source.dims.join(', ')}]`);
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
  return { refs, dataName, dataBytes: offset };
}
