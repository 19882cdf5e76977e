/**
 * The core of the graph builder: values, nodes, graph inputs/outputs, initializers (external weights
 * from a TensorSource) and inline constants, with unique names. Op helpers live in ops.ts on top of
 * this; model code (src/engine/compiler) uses those.
 *
 * Every value carries its element type, so helpers can make scalar constants of the right type
 * (`g.mul(x, 0.5)`) and the compiler can check the float type at graph boundaries.
 */
import type { Attribute, DataType, Dim, GraphData, NodeData, TensorData, ValueInfo } from './onnx-proto.ts';
import { byteLength, elementCount, type NumericArray, type TensorSource } from './tensor-source.ts';

export interface Value {
  readonly name: string;
  readonly dtype: DataType;
}

export interface Initializer {
  readonly name: string;
  readonly source: TensorSource;
}

export interface NodeOptions {
  /** Element type of the outputs; defaults to the first input's. */
  dtype?: DataType;
  /** Number of outputs (default 1). */
  outputs?: number;
  /** A readable stem for the output names (default: the op type in lower case). */
  name?: string;
  domain?: string;
}

export class Graph {
  readonly name: string;
  private readonly nodeList: NodeData[] = [];
  private readonly inputList: ValueInfo[] = [];
  private readonly outputList: ValueInfo[] = [];
  private readonly initializerList: Initializer[] = [];
  private readonly constantList: TensorData[] = [];
  /** Names taken in this graph and in every graph nested in it (ONNX names are global across scopes). */
  private readonly used: Set<string>;
  private readonly constantCache = new Map<string, Value>();
  private scopes: string[] = [];

  constructor(name: string, sharedNames?: Set<string>) {
    this.name = name;
    this.used = sharedNames ?? new Set<string>();
  }

  /** The name registry, for a nested graph (an If branch) built by a subclass. */
  protected get names(): Set<string> {
    return this.used;
  }

  /** A name not yet used in this graph: `stem`, else `stem_1`, `stem_2`, … (prefixed by the scope). */
  uniqueName(stem: string): string {
    const base = this.scopes.length ? `${this.scopes.join('/')}/${stem}` : stem;
    let name = base;
    for (let i = 1; this.used.has(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }

  private claim(name: string): void {
    if (this.used.has(name)) throw new Error(`graph ${this.name}: the name "${name}" is already used`);
    this.used.add(name);
  }

  /** Runs `fn` with node and value names prefixed by `prefix` (e.g. the HF module path). */
  scope<T>(prefix: string, fn: () => T): T {
    this.scopes.push(prefix);
    try {
      return fn();
    } finally {
      this.scopes.pop();
    }
  }

  input(name: string, dtype: DataType, dims: readonly Dim[]): Value {
    this.claim(name);
    this.inputList.push({ name, dtype, dims: [...dims] });
    return { name, dtype };
  }

  /**
   * Declares `value` a graph output named `name`, with shape `dims` (omit to leave the shape
   * undeclared). A value made by a node here is renamed to `name` (the Value passed in too); one that
   * cannot be (a graph input, an output already, or read by an If branch) goes through an Identity.
   */
  output(value: Value, name: string, dims?: readonly Dim[]): void {
    let v = value;
    if (value.name !== name) {
      this.claim(name);
      if (this.renameNodeOutput(value.name, name)) {
        // The caller's Value now names the output, so nodes added later read it under its new name.
        (value as { name: string }).name = name;
      } else {
        this.nodeList.push({ opType: 'Identity', name: `${name}/Identity`, inputs: [value.name], outputs: [name], attributes: {} });
      }
      v = { name, dtype: value.dtype };
    }
    this.outputList.push({ name: v.name, dtype: v.dtype, dims: dims ? [...dims] : null });
  }

  /**
   * Gives the value `from`, made by a node of this graph, the name `to` everywhere in this graph,
   * so that an output needs no Identity (onnxruntime copies through one: a KV cache's worth per
   * decoder call). Not done (false) when `from` is not a node's output here, is already a graph
   * output, or is read by a nested graph (an If branch reads outer values by name).
   */
  private renameNodeOutput(from: string, to: string): boolean {
    const producer = this.nodeList.find((n) => n.outputs.includes(from));
    if (producer === undefined || this.outputList.some((o) => o.name === from)) return false;
    const readInBranch = (nodes: readonly NodeData[]): boolean =>
      nodes.some((n) => n.inputs.includes(from) || Object.values(n.attributes).some((a) => a.kind === 'graph' && readInBranch(a.value.nodes)));
    if (this.nodeList.some((n) => Object.values(n.attributes).some((a) => a.kind === 'graph' && readInBranch(a.value.nodes)))) return false;
    this.nodeList.forEach((n, i) => {
      if (n.outputs.includes(from) || n.inputs.includes(from)) {
        this.nodeList[i] = { ...n, outputs: n.outputs.map((o) => (o === from ? to : o)), inputs: n.inputs.map((x) => (x === from ? to : x)) };
      }
    });
    return true;
  }

  /** This graph as If-branch data (nodes, outputs and inline constants; no inputs or weights). */
  toBranch(): GraphData {
    if (this.inputList.length || this.initializerList.length) throw new Error(`graph ${this.name}: a branch has no inputs or external weights`);
    return { name: this.name, nodes: this.nodeList, inputs: [], outputs: this.outputList, initializers: this.constantList };
  }

  /** A weight, stored as external data when the model is saved; its bytes are read only then. */
  initializer(name: string, source: TensorSource): Value {
    this.claim(name);
    this.initializerList.push({ name, source });
    return { name, dtype: source.dtype };
  }

  /**
   * A small constant stored inline in the .onnx (shapes, scalars, tables). Identical constants are
   * shared. Use `initializer` for anything weight-sized.
   */
  constant(dtype: DataType, dims: readonly number[], data: NumericArray, stem = 'const'): Value {
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    if (bytes.byteLength !== byteLength({ dtype, dims })) throw new RangeError(`constant ${stem}: ${bytes.byteLength} bytes for ${dtype}[${dims.join(', ')}]`);
    const key = bytes.byteLength <= 4096 ? `${dtype}|${dims.join(',')}|${Buffer.from(bytes).toString('base64')}` : null;
    const cached = key === null ? undefined : this.constantCache.get(key);
    if (cached) return cached;
    const saved = this.scopes;
    this.scopes = [];
    const name = this.uniqueName(stem);
    this.scopes = saved;
    this.constantList.push({ name, dtype, dims: [...dims], raw: bytes.slice() });
    const v = { name, dtype };
    if (key !== null) this.constantCache.set(key, v);
    return v;
  }

  /** Adds a node; returns its outputs. `null` inputs are omitted optional inputs. */
  node(opType: string, inputs: readonly (Value | null)[], attributes: Record<string, Attribute> = {}, opts: NodeOptions = {}): Value[] {
    const { dtype, stem, nodeName } = this.nodeHead(opType, inputs, opts);
    const count = opts.outputs ?? 1;
    const outputs: Value[] = [];
    for (let i = 0; i < count; i++) outputs.push({ name: this.uniqueName(count === 1 ? stem : `${stem}_out${i}`), dtype });
    this.pushNode(opType, nodeName, inputs, outputs, attributes, opts.domain);
    return outputs;
  }

  /** Adds a node with one output (named as `node` names it); returns that output. */
  node1(opType: string, inputs: readonly (Value | null)[], attributes: Record<string, Attribute> = {}, opts: Omit<NodeOptions, 'outputs'> = {}): Value {
    const { dtype, stem, nodeName } = this.nodeHead(opType, inputs, opts);
    const output = { name: this.uniqueName(stem), dtype };
    this.pushNode(opType, nodeName, inputs, [output], attributes, opts.domain);
    return output;
  }

  private nodeHead(opType: string, inputs: readonly (Value | null)[], opts: NodeOptions): { dtype: DataType; stem: string; nodeName: string } {
    const first = inputs.find((v): v is Value => v !== null);
    const dtype = opts.dtype ?? first?.dtype;
    if (dtype === undefined) throw new Error(`${opType}: output type unknown (no inputs and no dtype given)`);
    return { dtype, stem: opts.name ?? opType.toLowerCase(), nodeName: this.uniqueName(`${opType}`) };
  }

  private pushNode(
    opType: string,
    name: string,
    inputs: readonly (Value | null)[],
    outputs: readonly Value[],
    attributes: Record<string, Attribute>,
    domain: string | undefined,
  ): void {
    this.nodeList.push({ opType, name, inputs: inputs.map((v) => (v === null ? '' : v.name)), outputs: outputs.map((v) => v.name), attributes, domain });
  }

  get nodes(): readonly NodeData[] {
    return this.nodeList;
  }
  get inputs(): readonly ValueInfo[] {
    return this.inputList;
  }
  get outputs(): readonly ValueInfo[] {
    return this.outputList;
  }
  get initializers(): readonly Initializer[] {
    return this.initializerList;
  }
  get constants(): readonly TensorData[] {
    return this.constantList;
  }

  /** Bytes of external weight data this graph will write (before alignment padding). */
  get weightBytes(): number {
    let n = 0;
    for (const i of this.initializerList) n += byteLength(i.source);
    return n;
  }

  get weightElements(): number {
    let n = 0;
    for (const i of this.initializerList) n += elementCount(i.source.dims);
    return n;
  }
}
