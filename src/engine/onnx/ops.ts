/**
 * Typed helpers for the opset-17 operators the compiler uses. Each helper mirrors the ONNX operator
 * of the same name (inputs in ONNX order; attributes as named options) and returns its output value.
 * A plain number where a tensor is expected becomes a scalar constant of the other operand's type,
 * and a number array where ONNX wants an int64 tensor (shapes, axes, starts) becomes that tensor.
 *
 * Opset-17 details that matter: ReduceMean/ReduceMax take `axes` as an attribute (an input only from
 * opset 18), while ReduceSum, Unsqueeze, Squeeze and Slice take axes as inputs.
 */
import { float32ToF16Bits } from '../checkpoint/dtype.ts';
import { Graph, type Value } from './graph.ts';
import { dataTypeCodes, MS_DOMAIN, type Attribute, type DataType } from './onnx-proto.ts';
import type { NumericArray } from './tensor-source.ts';

export type Operand = Value | number;
export type Ints = Value | readonly number[];

export const attr = {
  int: (value: number): Attribute => ({ kind: 'int', value }),
  float: (value: number): Attribute => ({ kind: 'float', value }),
  string: (value: string): Attribute => ({ kind: 'string', value }),
  ints: (value: readonly number[]): Attribute => ({ kind: 'ints', value }),
  floats: (value: readonly number[]): Attribute => ({ kind: 'floats', value }),
};

/** Typed-array storage of `values` as `dtype` (float16 as IEEE half bits, rounded to nearest even). */
export function typedArrayOf(dtype: DataType, values: readonly number[]): NumericArray {
  switch (dtype) {
    case 'float32':
      return Float32Array.from(values);
    case 'float64':
      return Float64Array.from(values);
    case 'float16':
      return Uint16Array.from(values, (v) => float32ToF16Bits(v));
    case 'int64':
      return BigInt64Array.from(values, (v) => BigInt(v));
    case 'int32':
      return Int32Array.from(values);
    case 'int8':
      return Int8Array.from(values);
    case 'uint8':
    case 'bool':
      return Uint8Array.from(values);
    case 'bfloat16':
      throw new Error('typedArrayOf: bfloat16 constants are not used by the compiler');
  }
}

export class GraphBuilder extends Graph {
  // ---- constants ----------------------------------------------------------------------------

  /** A rank-0 constant. */
  scalar(dtype: DataType, value: number): Value {
    return this.constant(dtype, [], typedArrayOf(dtype, [value]), 'scalar');
  }

  /** A 1-D int64 constant (shapes, axes, indices). */
  ints(values: readonly number[]): Value {
    return this.constant('int64', [values.length], typedArrayOf('int64', values), 'ints');
  }

  /** A 1-D or N-D float32 constant from a typed array. */
  floats(dims: readonly number[], data: Float32Array): Value {
    return this.constant('float32', dims, data, 'floats');
  }

  private operand(v: Operand, like: Value): Value {
    return typeof v === 'number' ? this.scalar(like.dtype, v) : v;
  }

  private binary(op: string, a: Operand, b: Operand, dtype?: DataType): Value {
    if (typeof a === 'number' && typeof b === 'number') throw new Error(`${op}: at least one operand must be a tensor`);
    const av = typeof a === 'number' ? this.operand(a, b as Value) : a;
    const bv = this.operand(b, av);
    return this.node1(op, [av, bv], {}, { dtype });
  }

  private intsValue(v: Ints): Value {
    return Array.isArray(v) ? this.ints(v as readonly number[]) : (v as Value);
  }

  private unary(op: string, x: Value): Value {
    return this.node1(op, [x]);
  }

  // ---- elementwise --------------------------------------------------------------------------

  add(a: Operand, b: Operand): Value {
    return this.binary('Add', a, b);
  }
  sub(a: Operand, b: Operand): Value {
    return this.binary('Sub', a, b);
  }
  mul(a: Operand, b: Operand): Value {
    return this.binary('Mul', a, b);
  }
  div(a: Operand, b: Operand): Value {
    return this.binary('Div', a, b);
  }
  pow(a: Value, b: Operand): Value {
    return this.binary('Pow', a, b);
  }
  max(xs: readonly Value[]): Value {
    return this.node1('Max', xs);
  }
  min(xs: readonly Value[]): Value {
    return this.node1('Min', xs);
  }
  sqrt(x: Value): Value {
    return this.unary('Sqrt', x);
  }
  reciprocal(x: Value): Value {
    return this.unary('Reciprocal', x);
  }
  neg(x: Value): Value {
    return this.unary('Neg', x);
  }
  erf(x: Value): Value {
    return this.unary('Erf', x);
  }
  sigmoid(x: Value): Value {
    return this.unary('Sigmoid', x);
  }
  tanh(x: Value): Value {
    return this.unary('Tanh', x);
  }
  relu(x: Value): Value {
    return this.unary('Relu', x);
  }
  exp(x: Value): Value {
    return this.unary('Exp', x);
  }
  cos(x: Value): Value {
    return this.unary('Cos', x);
  }
  sin(x: Value): Value {
    return this.unary('Sin', x);
  }
  identity(x: Value): Value {
    return this.unary('Identity', x);
  }

  equal(a: Operand, b: Operand): Value {
    return this.binary('Equal', a, b, 'bool');
  }
  less(a: Operand, b: Operand): Value {
    return this.binary('Less', a, b, 'bool');
  }
  lessOrEqual(a: Operand, b: Operand): Value {
    return this.binary('LessOrEqual', a, b, 'bool');
  }
  greater(a: Operand, b: Operand): Value {
    return this.binary('Greater', a, b, 'bool');
  }
  and(a: Value, b: Value): Value {
    return this.node1('And', [a, b], {}, { dtype: 'bool' });
  }
  not(x: Value): Value {
    return this.node1('Not', [x], {}, { dtype: 'bool' });
  }

  /** Where(cond, x, y); a number for x or y becomes a scalar of the other's type. */
  where(cond: Value, x: Operand, y: Operand): Value {
    if (typeof x === 'number' && typeof y === 'number') throw new Error('Where: at least one branch must be a tensor');
    const xv = typeof x === 'number' ? this.operand(x, y as Value) : x;
    const yv = this.operand(y, xv);
    return this.node1('Where', [cond, xv, yv], {}, { dtype: xv.dtype });
  }

  cast(x: Value, to: DataType): Value {
    if (x.dtype === to) return x;
    return this.node1('Cast', [x], { to: attr.int(dataTypeCodes[to]) }, { dtype: to });
  }

  // ---- linear algebra and normalisation -----------------------------------------------------

  matmul(a: Value, b: Value): Value {
    return this.node1('MatMul', [a, b]);
  }

  /**
   * com.microsoft MatMulNBits: `a [..., K] @ dequant(b)^T → [..., N]`, where b is block-quantised
   * uint8 [N, k_blocks, block * bits / 8] with float scales [N, k_blocks] and optional packed uint8
   * zero points (src/engine/compiler/quantize.ts has the layout). `accuracyLevel` 0 keeps `a` in
   * float; 4 lets the kernel quantise `a` to int8 per block (faster, less exact).
   */
  matMulNBits(
    a: Value,
    b: Value,
    scales: Value,
    zeroPoints: Value | null,
    opts: { K: number; N: number; bits: number; blockSize: number; accuracyLevel?: number },
  ): Value {
    const at: Record<string, Attribute> = { K: attr.int(opts.K), N: attr.int(opts.N), bits: attr.int(opts.bits), block_size: attr.int(opts.blockSize) };
    if (opts.accuracyLevel !== undefined) at.accuracy_level = attr.int(opts.accuracyLevel);
    return this.node1('MatMulNBits', zeroPoints ? [a, b, scales, zeroPoints] : [a, b, scales], at, {
      dtype: a.dtype,
      domain: MS_DOMAIN,
      name: 'matmulnbits',
    });
  }

  /**
   * com.microsoft GatherBlockQuantized with uint8 data: rows `indices` of a table quantised
   * block-wise along its last axis in MatMulNBits' layout (data [V, D * bits / 8], scales
   * [V, D / block], zero points packed, default 2^(bits-1)), dequantised to the scales' type.
   */
  gatherBlockQuantized(data: Value, indices: Value, scales: Value, zeroPoints: Value | null, opts: { bits: number; blockSize: number }): Value {
    const at = { gather_axis: attr.int(0), quantize_axis: attr.int(1), block_size: attr.int(opts.blockSize), bits: attr.int(opts.bits) };
    return this.node1('GatherBlockQuantized', zeroPoints ? [data, indices, scales, zeroPoints] : [data, indices, scales], at, {
      dtype: scales.dtype,
      domain: MS_DOMAIN,
      name: 'gather',
    });
  }

  softmax(x: Value, axis = -1): Value {
    return this.node1('Softmax', [x], { axis: attr.int(axis) });
  }

  layerNormalization(x: Value, scale: Value, bias: Value | null, opts: { axis?: number; epsilon: number }): Value {
    return this.node1('LayerNormalization', [x, scale, bias], { axis: attr.int(opts.axis ?? -1), epsilon: attr.float(opts.epsilon) });
  }

  conv(
    x: Value,
    w: Value,
    b: Value | null,
    opts: { kernelShape: readonly number[]; strides?: readonly number[]; pads?: readonly number[]; group?: number },
  ): Value {
    const a: Record<string, Attribute> = { kernel_shape: attr.ints(opts.kernelShape) };
    if (opts.strides) a.strides = attr.ints(opts.strides);
    if (opts.pads) a.pads = attr.ints(opts.pads);
    if (opts.group !== undefined) a.group = attr.int(opts.group);
    return this.node1('Conv', [x, w, b], a);
  }

  // ---- reductions ---------------------------------------------------------------------------

  reduceMean(x: Value, axes: readonly number[], keepdims = true): Value {
    return this.node1('ReduceMean', [x], { axes: attr.ints(axes), keepdims: attr.int(keepdims ? 1 : 0) });
  }
  reduceMax(x: Value, axes: readonly number[], keepdims = true): Value {
    return this.node1('ReduceMax', [x], { axes: attr.ints(axes), keepdims: attr.int(keepdims ? 1 : 0) });
  }
  reduceSum(x: Value, axes: Ints, keepdims = true): Value {
    return this.node1('ReduceSum', [x, this.intsValue(axes)], { keepdims: attr.int(keepdims ? 1 : 0) });
  }
  cumsum(x: Value, axis: number): Value {
    return this.node1('CumSum', [x, this.scalar('int64', axis)]);
  }

  // ---- shapes -------------------------------------------------------------------------------

  shape(x: Value, start?: number, end?: number): Value {
    const a: Record<string, Attribute> = {};
    if (start !== undefined) a.start = attr.int(start);
    if (end !== undefined) a.end = attr.int(end);
    return this.node1('Shape', [x], a, { dtype: 'int64' });
  }
  /** Shape(x)[axis] as a 1-element int64 tensor. */
  dim(x: Value, axis: number): Value {
    return this.shape(x, axis, axis === -1 ? undefined : axis + 1);
  }
  reshape(x: Value, shape: Ints): Value {
    return this.node1('Reshape', [x, this.intsValue(shape)]);
  }
  transpose(x: Value, perm: readonly number[]): Value {
    return this.node1('Transpose', [x], { perm: attr.ints(perm) });
  }
  concat(xs: readonly Value[], axis: number): Value {
    const [only] = xs;
    if (xs.length === 1 && only !== undefined) return only;
    return this.node1('Concat', xs, { axis: attr.int(axis) });
  }
  unsqueeze(x: Value, axes: Ints): Value {
    return this.node1('Unsqueeze', [x, this.intsValue(axes)]);
  }
  squeeze(x: Value, axes: Ints): Value {
    return this.node1('Squeeze', [x, this.intsValue(axes)]);
  }
  expand(x: Value, shape: Ints): Value {
    return this.node1('Expand', [x, this.intsValue(shape)]);
  }
  gather(data: Value, indices: Value, axis = 0): Value {
    return this.node1('Gather', [data, indices], { axis: attr.int(axis) });
  }
  /** Split(x) along `axis` into parts of `sizes` (opset 13+: the sizes are an input). */
  split(x: Value, sizes: readonly number[], axis: number): Value[] {
    return this.node('Split', [x, this.ints(sizes)], { axis: attr.int(axis) }, { outputs: sizes.length });
  }
  slice(x: Value, starts: Ints, ends: Ints, axes?: Ints, steps?: Ints): Value {
    const inputs: (Value | null)[] = [x, this.intsValue(starts), this.intsValue(ends)];
    if (axes !== undefined) inputs.push(this.intsValue(axes));
    if (steps !== undefined) inputs.push(this.intsValue(steps));
    return this.node1('Slice', inputs);
  }
  /** Range(start, limit, delta); numbers become int64 scalars. */
  range(start: Operand, limit: Operand, delta: Operand = 1): Value {
    const like = [start, limit, delta].find((v): v is Value => typeof v !== 'number') ?? this.scalar('int64', 0);
    return this.node1('Range', [this.operand(start, like), this.operand(limit, like), this.operand(delta, like)]);
  }
  trilu(x: Value, opts: { upper: boolean; k?: Value }): Value {
    return this.node1('Trilu', [x, opts.k ?? null], { upper: attr.int(opts.upper ? 1 : 0) });
  }
  /**
   * If(cond): runs `then` or `otherwise`, each built in a nested graph that may read this graph's
   * values and must declare the same number of outputs (of the same types) with `output`.
   */
  if(cond: Value, then: (b: GraphBuilder) => void, otherwise: (b: GraphBuilder) => void, opts: { dtype: DataType; outputs?: number }): Value[] {
    const branch = (name: string, build: (b: GraphBuilder) => void) => {
      const b = new GraphBuilder(this.uniqueName(name), this.names);
      build(b);
      return b.toBranch();
    };
    const thenBranch = branch('then', then);
    const elseBranch = branch('else', otherwise);
    if (thenBranch.outputs.length !== elseBranch.outputs.length) throw new Error('If: both branches must have the same number of outputs');
    return this.node(
      'If',
      [cond],
      { then_branch: { kind: 'graph', value: thenBranch }, else_branch: { kind: 'graph', value: elseBranch } },
      { dtype: opts.dtype, outputs: opts.outputs ?? thenBranch.outputs.length },
    );
  }

  constantOfShape(shape: Value, dtype: DataType, value: number): Value {
    const t = { name: 'value', dtype, dims: [1], raw: new Uint8Array(typedArrayOf(dtype, [value]).buffer) };
    return this.node1('ConstantOfShape', [shape], { value: { kind: 'tensor', value: t } }, { dtype });
  }
}
