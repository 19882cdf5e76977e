/**
 * What the hand-written ONNX writer (src/engine/onnx/onnx-proto.ts, protobuf.ts) costs on a real
 * model's structure: LLaVA-1.5-7B's decoder graph (32 layers, attn_last taps) built by the compiler
 * from the tensor shapes alone (no weights are read), its initializers as external-data references
 * the way save.ts writes them, then encoded. Prints the graph's size, the encode time (median of
 * several) and the heap the encode adds. The weights never pass through the encoder: save.ts streams
 * them to the .data file before the structure is encoded, so any encoder sees only this.
 *
 *   npx tsx bench/onnx-encode.ts [--preset llava-1.5-7b|llava-1.5-13b] [--repeat 7]
 */
import { parseArgs } from 'node:util';
import type { Checkpoint } from '../src/engine/checkpoint/checkpoint.ts';
import { parseModelConfig } from '../src/engine/checkpoint/hf-config.ts';
import { Weights } from '../src/engine/compiler/weights.ts';
import { buildLlavaDecoder } from '../src/engine/families/llava/graphs.ts';
import { llavaTensorShapes } from '../src/engine/families/llava/tensors.ts';
import { encodeModel, type TensorData } from '../src/engine/onnx/onnx-proto.ts';
import { DATA_ALIGNMENT } from '../src/engine/onnx/save.ts';
import { byteLength } from '../src/engine/onnx/tensor-source.ts';
import { presets } from './random-checkpoint.ts';

const { values } = parseArgs({ options: { preset: { type: 'string', default: 'llava-1.5-7b' }, repeat: { type: 'string', default: '7' } } });
const make = presets[values.preset];
if (!make) throw new Error(`unknown preset ${values.preset}; use ${Object.keys(presets).join(', ')}`);
const cfg = parseModelConfig(make(), 'config.json');
const shapes = new Map(llavaTensorShapes(cfg).map((t) => [t.name, t.shape]));

// The tensors' shapes and dtype only: the graph builder never reads weights.
const shapesOnly: Checkpoint = {
  dir: '(shapes only)',
  names: () => [...shapes.keys()],
  has: (name: string) => shapes.has(name),
  info: (name: string) => ({ dtype: 'F16', shape: [...shapes.get(name)!], file: 'model.safetensors' }),
  readFloat32: () => Promise.reject(new Error('not read')),
  readRaw: () => Promise.reject(new Error('not read')),
  readRawChunks: () => {
    throw new Error('not read');
  },
} as unknown as Checkpoint;

const t0 = performance.now();
const graph = buildLlavaDecoder(cfg, new Weights(shapesOnly, '(shapes only)'), { dtype: 'fp16' });
const buildMs = performance.now() - t0;

let offset = 0;
const refs: TensorData[] = graph.initializers.map((init) => {
  offset += (DATA_ALIGNMENT - (offset % DATA_ALIGNMENT)) % DATA_ALIGNMENT;
  const length = byteLength(init.source);
  const ref = { name: init.name, dtype: init.source.dtype, dims: init.source.dims, external: { location: 'decoder.onnx.data', offset, length } };
  offset += length;
  return ref;
});
const data = {
  graph: { name: graph.name, nodes: graph.nodes, inputs: graph.inputs, outputs: graph.outputs, initializers: [...refs, ...graph.constants] },
  producerName: 'laser-workbench',
  producerVersion: '0',
};

const times: number[] = [];
let bytes = 0;
global.gc?.();
const heapBefore = process.memoryUsage().heapUsed;
let heapPeak = heapBefore;
for (let i = 0; i < Number(values.repeat); i++) {
  const s = performance.now();
  bytes = encodeModel(data).byteLength;
  times.push(performance.now() - s);
  heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
}
times.sort((a, b) => a - b);
console.log(
  `${values.preset} decoder: ${graph.nodes.length} nodes, ${graph.initializers.length} initializers (${(offset / 1e9).toFixed(2)} GB of weights as external data), ${graph.constants.length} constants; ` +
    `built in ${buildMs.toFixed(0)} ms; encoded ${(bytes / 1e6).toFixed(2)} MB in ${times[Math.floor(times.length / 2)].toFixed(1)} ms (median of ${times.length}, min ${times[0].toFixed(1)}); ` +
    `heap after encoding ${((heapPeak - heapBefore) / 1e6).toFixed(1)} MB above before`,
);
