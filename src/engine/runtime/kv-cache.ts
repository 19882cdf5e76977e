/**
 * The decoder's key/value cache: per layer, keys and values of shape [B, KVH, P, hd] (float32).
 *
 * A KvCache is immutable. The decoder never writes into its past inputs; it returns new `present.*`
 * tensors of length P + S, which become a new KvCache. So one cache can serve as the shared prefix
 * of any number of continuations (LASER's no-query pass continues the cache of system prompt +
 * image with a different suffix) without being copied or disturbed.
 *
 * Decode steps can instead write their presents into a KvWorkspace: buffers the caller owns and
 * onnxruntime writes into (preallocated outputs), so a step allocates no cache and nothing is
 * copied out of onnxruntime. A cache living in a workspace stays valid until the workspace writes
 * over it, which is two steps later (see KvWorkspace).
 */
import * as ort from 'onnxruntime-node';

export interface KvShape {
  layers: number;
  batch: number;
  kvHeads: number;
  headDim: number;
}

export class KvCache {
  readonly layers: number;
  readonly batch: number;
  readonly kvHeads: number;
  readonly headDim: number;
  /** P: how many positions the cache holds. */
  readonly length: number;
  /**
   * Per batch row, position of the next token minus its cache index: 0 for 1-D RoPE (LLaVA); for
   * M-RoPE (Qwen2-VL) the `rope_deltas` of the prompt so far, so that decoding continues at
   * `cache index + delta` on every axis.
   */
  readonly ropeDeltas: readonly number[];
  private readonly keys: readonly ort.Tensor[];
  private readonly values: readonly ort.Tensor[];

  constructor(keys: readonly ort.Tensor[], values: readonly ort.Tensor[], ropeDeltas?: readonly number[]) {
    if (keys.length === 0 || keys.length !== values.length) {
      throw new Error(`KvCache needs one key and one value tensor per layer (got ${keys.length} keys, ${values.length} values)`);
    }
    const [batch, kvHeads, length, headDim] = keys[0]?.dims ?? [];
    if (batch === undefined || kvHeads === undefined || length === undefined || headDim === undefined)
      throw new Error(`KvCache tensors are [batch, kv_heads, sequence, head_dim], not [${keys[0]?.dims.join(',')}]`);
    for (const t of [...keys, ...values]) {
      const [b, h, p, d] = t.dims;
      if (t.type !== 'float32' || t.dims.length !== 4 || b !== batch || h !== kvHeads || p !== length || d !== headDim) {
        throw new Error(`KvCache tensors disagree: [${t.dims.join(',')}] ${t.type} vs [${batch},${kvHeads},${length},${headDim}] float32`);
      }
    }
    this.layers = keys.length;
    this.batch = batch;
    this.kvHeads = kvHeads;
    this.length = length;
    this.headDim = headDim;
    this.keys = keys;
    this.values = values;
    this.ropeDeltas = ropeDeltas ?? Array<number>(batch).fill(0);
    if (this.ropeDeltas.length !== batch) throw new Error(`KvCache: ${this.ropeDeltas.length} rope deltas for batch ${batch}`);
  }

  /** A cache with P = 0: tensors with a zero-length sequence axis, as the decoder's first call expects. */
  static empty(shape: KvShape): KvCache {
    const make = (): ort.Tensor => new ort.Tensor('float32', new Float32Array(0), [shape.batch, shape.kvHeads, 0, shape.headDim]);
    return new KvCache(Array.from({ length: shape.layers }, make), Array.from({ length: shape.layers }, make));
  }

  /** Stacks caches of equal length along the batch axis (row order = argument order). */
  static stack(caches: readonly KvCache[]): KvCache {
    const [first] = caches;
    if (first === undefined) throw new Error('KvCache.stack needs at least one cache');
    for (const c of caches) {
      if (c.layers !== first.layers || c.kvHeads !== first.kvHeads || c.headDim !== first.headDim || c.length !== first.length) {
        throw new Error(`KvCache.stack: caches differ (length ${c.length} vs ${first.length}, layers ${c.layers} vs ${first.layers})`);
      }
    }
    const cat = (pick: (c: KvCache) => readonly ort.Tensor[], layer: number): ort.Tensor => {
      const parts = caches.map((c) => pick(c)[layer] ?? missingLayer(layer));
      const total = caches.reduce((n, c) => n + c.batch, 0); // each part's dims[0] (the constructor checks it)
      const out = new Float32Array(parts.reduce((n, t) => n + (t.data as Float32Array).length, 0));
      let offset = 0;
      for (const t of parts) {
        out.set(t.data as Float32Array, offset);
        offset += (t.data as Float32Array).length;
      }
      return new ort.Tensor('float32', out, [total, first.kvHeads, first.length, first.headDim]);
    };
    return new KvCache(
      Array.from({ length: first.layers }, (_, l) => cat((c) => c.keys, l)),
      Array.from({ length: first.layers }, (_, l) => cat((c) => c.values, l)),
      caches.flatMap((c) => c.ropeDeltas),
    );
  }

  /** Row `b` of the batch as a cache of its own (copied). */
  row(b: number): KvCache {
    if (!Number.isInteger(b) || b < 0 || b >= this.batch) throw new Error(`KvCache.row: ${b} is outside batch ${this.batch}`);
    const per = this.kvHeads * this.length * this.headDim;
    const take = (t: ort.Tensor): ort.Tensor =>
      new ort.Tensor('float32', (t.data as Float32Array).slice(b * per, (b + 1) * per), [1, this.kvHeads, this.length, this.headDim]);
    return new KvCache(this.keys.map(take), this.values.map(take), this.ropeDeltas.slice(b, b + 1));
  }

  /** Every batch row as its own cache. */
  split(): KvCache[] {
    return Array.from({ length: this.batch }, (_, b) => this.row(b));
  }

  /** This (batch-1) cache repeated `batch` times, e.g. one shared prefix under two suffixes in one run. */
  repeat(batch: number): KvCache {
    if (this.batch !== 1) throw new Error(`KvCache.repeat needs a batch-1 cache, this one has batch ${this.batch}`);
    return KvCache.stack(Array.from({ length: batch }, () => this));
  }

  /** The decoder feeds `past_key_values.{i}.key` / `.value`. */
  feeds(): Record<string, ort.Tensor> {
    const feeds: Record<string, ort.Tensor> = {};
    for (let i = 0; i < this.layers; i++) {
      feeds[`past_key_values.${i}.key`] = this.keys[i] ?? missingLayer(i);
      feeds[`past_key_values.${i}.value`] = this.values[i] ?? missingLayer(i);
    }
    return feeds;
  }

  /** Builds the next cache from a decoder run's `present.{i}.key` / `.value` outputs. */
  static fromPresent(outputs: Record<string, ort.Tensor>, layers: number, ropeDeltas?: readonly number[]): KvCache {
    const pick = (i: number, kind: 'key' | 'value'): ort.Tensor => {
      const t = outputs[`present.${i}.${kind}`];
      if (t === undefined) throw new Error(`decoder output present.${i}.${kind} is missing`);
      return t;
    };
    return new KvCache(
      Array.from({ length: layers }, (_, i) => pick(i, 'key')),
      Array.from({ length: layers }, (_, i) => pick(i, 'value')),
      ropeDeltas,
    );
  }

  /** Whether any of this cache's tensors lies in `buffer`. */
  holds(buffer: ArrayBufferLike): boolean {
    return this.keys.some((t) => (t.data as Float32Array).buffer === buffer) || this.values.some((t) => (t.data as Float32Array).buffer === buffer);
  }

  /** Bytes held by keys and values. */
  get byteLength(): number {
    return 2 * this.layers * this.batch * this.kvHeads * this.length * this.headDim * 4;
  }
}

/**
 * Where successive decode steps write `present.*` (onnxruntime fills output tensors it is given).
 * Two sets of per-layer buffers, each of room for `capacity` positions: a step reads its past from
 * one set (or from a cache outside the workspace, such as a prefill's) and writes the present into
 * the other, so a step never writes what it reads, and the cache it returns stays valid until the
 * step after next. A set grows (doubling, at least to what a step needs) when a step needs more
 * positions than it has room for. Decoding loops own one workspace each and hand out only the cache
 * of their last step, which nothing writes over afterwards.
 *
 * The graph's layout is [B, KVH, T, hd] with T growing by one per step, so each step's present is a
 * fresh [B, KVH, T, hd] view at the start of its set's buffer (the graph writes all of it).
 */
/**
 * Where a decoder call writes its presents: a KvWorkspace (the whole batch), or one batch row of one
 * (KvWorkspace.row), for streams prefilled one after the other into one batch's buffers.
 */
export interface PresentTarget {
  /** Output tensors for a call that reads `past` and returns `total` positions, and the cache they make. */
  presents(past: KvCache, total: number, ropeDeltas: readonly number[]): { fetches: Record<string, ort.Tensor>; cache: KvCache };
  /** An all-ones int64 attention mask of `count` entries. */
  maskOnes(count: number): BigInt64Array;
}

/** One of a workspace's two sets of per-layer buffers. */
interface WorkspaceSet {
  keys: Float32Array[];
  values: Float32Array[];
  capacity: number;
}

export class KvWorkspace implements PresentTarget {
  private readonly sets: [WorkspaceSet, WorkspaceSet];
  private ones = new BigInt64Array(0);

  constructor(
    readonly shape: KvShape,
    capacity: number,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`KvWorkspace: capacity ${capacity} must be a positive integer`);
    this.sets = [
      { keys: [], values: [], capacity: 0 },
      { keys: [], values: [], capacity: 0 },
    ];
    for (const set of this.sets) this.grow(set, capacity);
  }

  private grow(set: WorkspaceSet, capacity: number): void {
    const { layers, batch, kvHeads, headDim } = this.shape;
    const floats = batch * kvHeads * capacity * headDim;
    set.keys = Array.from({ length: layers }, () => new Float32Array(floats));
    set.values = Array.from({ length: layers }, () => new Float32Array(floats));
    set.capacity = capacity;
  }

  /**
   * Output tensors for the presents of a step that reads `past` and returns `total` positions: the
   * views of the set `past` does not lie in. Returns the fetches to give session.run and the cache
   * they make once it has run.
   */
  presents(past: KvCache, total: number, ropeDeltas: readonly number[]): { fetches: Record<string, ort.Tensor>; cache: KvCache } {
    const { layers, batch, kvHeads, headDim } = this.shape;
    if (past.layers !== layers || past.batch !== batch || past.kvHeads !== kvHeads || past.headDim !== headDim) {
      throw new Error(`KvWorkspace: a cache of batch ${past.batch}, ${past.layers} layers does not fit a workspace of batch ${batch}, ${layers} layers`);
    }
    const set = this.setBeside(past);
    if (total > set.capacity) this.grow(set, Math.max(total, 2 * set.capacity));
    return this.views(set, 0, batch, total, ropeDeltas);
  }

  /**
   * Row `row` of the batch as a target of its own: a batch-1 call continuing a batch-1 `past` writes
   * its presents where row `row` of a [batch, KVH, total, hd] cache lies, in the set `past` does not
   * lie in. Calls that fill every row of one set at one length, row 0 first (which grows the set if
   * it must), leave that set holding the whole batch's cache (`batchOf`): a batch of streams
   * prefilled one after the other, with nothing stacked or copied afterwards.
   */
  row(row: number): PresentTarget {
    const { layers, batch, kvHeads, headDim } = this.shape;
    if (!Number.isInteger(row) || row < 0 || row >= batch) throw new Error(`KvWorkspace.row: ${row} is outside batch ${batch}`);
    return {
      presents: (past, total, ropeDeltas) => {
        if (past.layers !== layers || past.batch !== 1 || past.kvHeads !== kvHeads || past.headDim !== headDim) {
          throw new Error(`KvWorkspace.row: a cache of batch ${past.batch}, ${past.layers} layers is not one row of a workspace of ${layers} layers`);
        }
        const set = this.setBeside(past);
        if (total > set.capacity) {
          // Growing makes new buffers, which would lose the rows written before this one.
          if (row !== 0)
            throw new Error(`KvWorkspace.row: row ${row} needs room for ${total} positions that row 0 did not make; fill a set's rows in order at one length`);
          this.grow(set, Math.max(total, 2 * set.capacity));
        }
        return this.views(set, row, 1, total, ropeDeltas);
      },
      maskOnes: (count) => this.maskOnes(count),
    };
  }

  /**
   * The whole batch's cache from `rowCaches` (the caches `row(b)` targets made, one a row, in row
   * order), which must all lie in one set at one length: the rows that calls wrote there, as one cache.
   */
  batchOf(rowCaches: readonly KvCache[], ropeDeltas: readonly number[]): KvCache {
    const [first] = rowCaches;
    const lies = (c: KvCache, s: WorkspaceSet) => c.holds((s.keys[0] ?? missingLayer(0)).buffer);
    const set = first === undefined ? undefined : this.sets.find((s) => lies(first, s));
    if (first === undefined || set === undefined) throw new Error('KvWorkspace.batchOf: the cache does not lie in this workspace');
    if (rowCaches.length !== this.shape.batch || rowCaches.some((c) => !lies(c, set) || c.length !== first.length)) {
      throw new Error(
        `KvWorkspace.batchOf: the ${rowCaches.length} row caches do not lie in one set of this batch-${this.shape.batch} workspace at one length`,
      );
    }
    return this.views(set, 0, this.shape.batch, first.length, ropeDeltas).cache;
  }

  /** The set `past` does not lie in (the first one when it lies in neither). */
  private setBeside(past: KvCache): WorkspaceSet {
    const first = this.sets[0].keys[0] ?? missingLayer(0);
    return past.holds(first.buffer) ? this.sets[1] : this.sets[0];
  }

  /** Tensors over rows [row, row + rows) of a [batch, KVH, total, hd] layout of `set`'s buffers, as fetches and as the cache they make. */
  private views(
    set: WorkspaceSet,
    row: number,
    rows: number,
    total: number,
    ropeDeltas: readonly number[],
  ): { fetches: Record<string, ort.Tensor>; cache: KvCache } {
    const { layers, kvHeads, headDim } = this.shape;
    const per = kvHeads * total * headDim;
    const dims = [rows, kvHeads, total, headDim];
    const keys = set.keys.map((b) => new ort.Tensor('float32', b.subarray(row * per, (row + rows) * per), dims));
    const values = set.values.map((b) => new ort.Tensor('float32', b.subarray(row * per, (row + rows) * per), dims));
    const fetches: Record<string, ort.Tensor> = {};
    for (let i = 0; i < layers; i++) {
      fetches[`present.${i}.key`] = keys[i] ?? missingLayer(i);
      fetches[`present.${i}.value`] = values[i] ?? missingLayer(i);
    }
    return { fetches, cache: new KvCache(keys, values, ropeDeltas) };
  }

  /** An all-ones int64 attention mask of `count` entries, from one buffer kept between steps. */
  maskOnes(count: number): BigInt64Array {
    if (this.ones.length < count) this.ones = new BigInt64Array(Math.max(count, 2 * this.ones.length)).fill(1n);
    return this.ones.subarray(0, count);
  }

  /** Bytes the two sets hold. */
  get byteLength(): number {
    return this.sets.reduce((n, s) => n + 2 * s.keys.reduce((m, b) => m + b.byteLength, 0), 0);
  }
}

/** A layer index past a cache's tensors (a cache always has one key and one value per layer). */
function missingLayer(layer: number): never {
  throw new Error(`KvCache has no tensors for layer ${layer}`);
}
