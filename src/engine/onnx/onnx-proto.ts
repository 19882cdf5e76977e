/**
 * The subset of onnx.proto that the compiler writes, as plain TypeScript data, and its encoding.
 * Field numbers are those of onnx/onnx.proto (IR version 8): ModelProto, GraphProto, NodeProto,
 * AttributeProto, TensorProto (with external data), ValueInfoProto/TypeProto and OperatorSetIdProto.
 */
import { ProtoWriter } from './protobuf.ts';

export const IR_VERSION = 8;
export const OPSET_VERSION = 17;
/** ONNX Runtime's contrib domain (MatMulNBits, GatherBlockQuantized), imported at version 1 when a graph uses it. */
export const MS_DOMAIN = 'com.microsoft';

/** Element types by name; the numbers are TensorProto.DataType. */
export const dataTypeCodes = {
  float32: 1,
  uint8: 2,
  int8: 3,
  int32: 6,
  int64: 7,
  bool: 9,
  float16: 10,
  float64: 11,
  bfloat16: 16,
} as const;
export type DataType = keyof typeof dataTypeCodes;

const byteSizes: Record<DataType, number> = { float32: 4, uint8: 1, int8: 1, int32: 4, int64: 8, bool: 1, float16: 2, float64: 8, bfloat16: 2 };

export function dataTypeSize(t: DataType): number {
  return byteSizes[t];
}

/** A fixed size, or a symbolic name (dim_param) for a size known only at run time. */
export type Dim = number | string;

export interface ValueInfo {
  name: string;
  dtype: DataType;
  /** null: the shape is not declared (left to shape inference). */
  dims: readonly Dim[] | null;
}

export interface ExternalRef {
  location: string;
  offset: number;
  length: number;
}

/** A tensor in the protobuf: inline bytes for small constants, an external reference for weights. */
export interface TensorData {
  name: string;
  dtype: DataType;
  dims: readonly number[];
  raw?: Uint8Array;
  external?: ExternalRef;
}

export type Attribute =
  | { kind: 'int'; value: number }
  | { kind: 'float'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'ints'; value: readonly number[] }
  | { kind: 'floats'; value: readonly number[] }
  | { kind: 'tensor'; value: TensorData }
  | { kind: 'graph'; value: GraphData };

export interface NodeData {
  opType: string;
  name: string;
  /** '' marks an omitted optional input. */
  inputs: readonly string[];
  outputs: readonly string[];
  attributes: Readonly<Record<string, Attribute>>;
  domain?: string;
}

/** A graph, or the body of an If branch (which has no inputs and may read outer-scope values). */
export interface GraphData {
  name: string;
  nodes: readonly NodeData[];
  inputs: readonly ValueInfo[];
  outputs: readonly ValueInfo[];
  initializers: readonly TensorData[];
}

export interface ModelData {
  graph: GraphData;
  producerName: string;
  producerVersion: string;
  docString?: string;
  metadata?: Readonly<Record<string, string>>;
}

const attributeTypeCodes = { float: 1, int: 2, string: 3, tensor: 4, graph: 5, floats: 6, ints: 7 } as const;

function stringEntry(key: string, value: string): Uint8Array {
  return new ProtoWriter().string(1, key).string(2, value).finish();
}

export function encodeTensor(t: TensorData): Uint8Array {
  const w = new ProtoWriter();
  w.packedInts(1, t.dims);
  w.int(2, dataTypeCodes[t.dtype]);
  w.string(8, t.name);
  if (t.raw && t.external) throw new Error(`tensor ${t.name}: both inline and external data`);
  if (t.raw) w.bytes(9, t.raw);
  if (t.external) {
    w.message(13, stringEntry('location', t.external.location));
    w.message(13, stringEntry('offset', String(t.external.offset)));
    w.message(13, stringEntry('length', String(t.external.length)));
    w.int(14, 1); // data_location = EXTERNAL
  }
  return w.finish();
}

function encodeAttribute(name: string, a: Attribute): Uint8Array {
  const w = new ProtoWriter();
  w.string(1, name);
  switch (a.kind) {
    case 'float':
      w.float(2, a.value);
      break;
    case 'int':
      w.int(3, a.value);
      break;
    case 'string':
      w.string(4, a.value);
      break;
    case 'tensor':
      w.message(5, encodeTensor(a.value));
      break;
    case 'graph':
      w.message(6, encodeGraph(a.value));
      break;
    case 'floats':
      w.packedFloats(7, a.value);
      break;
    case 'ints':
      w.packedInts(8, a.value);
      break;
  }
  w.int(20, attributeTypeCodes[a.kind]);
  return w.finish();
}

function encodeNode(n: NodeData): Uint8Array {
  const w = new ProtoWriter();
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, n.name);
  w.string(4, n.opType);
  for (const [k, a] of Object.entries(n.attributes)) w.message(5, encodeAttribute(k, a));
  if (n.domain) w.string(7, n.domain);
  return w.finish();
}

function encodeValueInfo(v: ValueInfo): Uint8Array {
  const tensorType = new ProtoWriter().int(1, dataTypeCodes[v.dtype]);
  if (v.dims !== null) {
    const shape = new ProtoWriter();
    for (const d of v.dims) {
      const dim = new ProtoWriter();
      if (typeof d === 'number') dim.int(1, d);
      else dim.string(2, d);
      shape.message(1, dim.finish());
    }
    tensorType.message(2, shape.finish());
  }
  const type = new ProtoWriter().message(1, tensorType.finish()).finish();
  return new ProtoWriter().string(1, v.name).message(2, type).finish();
}

export function encodeGraph(g: GraphData): Uint8Array {
  const w = new ProtoWriter(1 << 16);
  for (const n of g.nodes) w.message(1, encodeNode(n));
  w.string(2, g.name);
  for (const t of g.initializers) w.message(5, encodeTensor(t));
  for (const v of g.inputs) w.message(11, encodeValueInfo(v));
  for (const v of g.outputs) w.message(12, encodeValueInfo(v));
  return w.finish();
}

/** Whether a node of `g` or of a graph nested in one of its attributes (If branches) is in `domain`. */
function usesDomain(g: GraphData, domain: string): boolean {
  return g.nodes.some((n) => n.domain === domain || Object.values(n.attributes).some((a) => a.kind === 'graph' && usesDomain(a.value, domain)));
}

export function encodeModel(m: ModelData): Uint8Array {
  const w = new ProtoWriter(1 << 16);
  w.int(1, IR_VERSION);
  w.string(2, m.producerName);
  w.string(3, m.producerVersion);
  if (m.docString) w.string(6, m.docString);
  w.message(7, encodeGraph(m.graph));
  w.message(8, new ProtoWriter().string(1, '').int(2, OPSET_VERSION).finish());
  if (usesDomain(m.graph, MS_DOMAIN)) w.message(8, new ProtoWriter().string(1, MS_DOMAIN).int(2, 1).finish());
  for (const [k, v] of Object.entries(m.metadata ?? {})) w.message(14, stringEntry(k, v));
  return w.finish();
}
