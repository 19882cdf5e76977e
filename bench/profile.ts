/**
 * Where the time goes, from onnxruntime's profiler: the Chrome-trace files that sessions opened with
 * `profilePrefix` write (one event per kernel run, `<node>_kernel_time`, durations in µs), summed by
 * what the node does in the decoder graph, read from the node names the compiler gives (scopes
 * `layers.<i>/self_attn/...`, `.../mlp/...`, `attn_tap`, `attn_full`, `causal_mask`). Benchmarks only.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface KernelEvent {
  /** The graph the session ran (vision, embed, decoder-attention, decoder). */
  graph: string;
  node: string;
  op: string;
  /** Start, µs since the session's profiling began (each trace has its own origin). */
  ts: number;
  us: number;
}

/** One `session.run` as the profiler saw it: start and duration in µs, on the trace's clock. */
export interface RunEvent {
  graph: string;
  ts: number;
  us: number;
}

interface TraceEvent {
  cat?: string;
  name?: string;
  dur?: number;
  ts?: number;
  args?: { op_name?: string };
}

/** Kernel and run events of every trace file in `dir` written with prefix `<prefix>-<graph>_...json`. */
export async function readProfile(dir: string, prefix: string): Promise<{ kernels: KernelEvent[]; runs: RunEvent[] }> {
  const kernels: KernelEvent[] = [];
  const runs: RunEvent[] = [];
  for (const file of (await readdir(dir)).filter((f) => f.startsWith(`${prefix}-`) && f.endsWith('.json'))) {
    // <prefix>-<graph>_<yyyy-mm-dd_hh-mm-ss>.json
    const graph = file.slice(prefix.length + 1, -'.json'.length).replace(/_\d{4}-\d\d-\d\d_\d\d-\d\d-\d\d(_\d+)?$/, '');
    const trace = JSON.parse(await readFile(join(dir, file), 'utf8')) as TraceEvent[];
    for (const e of trace) {
      if (e.cat === 'Session' && e.name === 'model_run') runs.push({ graph, ts: e.ts ?? 0, us: e.dur ?? 0 });
      if (e.cat !== 'Node' || !e.name?.endsWith('_kernel_time')) continue;
      kernels.push({ graph, node: e.name.slice(0, -'_kernel_time'.length), op: e.args?.op_name ?? '', ts: e.ts ?? 0, us: e.dur ?? 0 });
    }
  }
  runs.sort((a, b) => a.ts - b.ts);
  return { kernels, runs };
}

/** The kernels of `graph`'s run number `index` (in run order). */
export function kernelsOfRun(profile: { kernels: readonly KernelEvent[]; runs: readonly RunEvent[] }, graph: string, index: number): KernelEvent[] {
  const run = profile.runs.filter((r) => r.graph === graph)[index];
  if (run === undefined) return [];
  return profile.kernels.filter((k) => k.graph === graph && k.ts >= run.ts && k.ts <= run.ts + run.us);
}

/**
 * What a decoder node is part of, from the compiler's scopes (compiler/llama.ts): per layer
 * 'projections' (norm, q/k/v/o), 'RoPE', 'KV concat' (past + new keys/values into present),
 * 'attention core' (repeat_kv, QK^T, mask, softmax, PV), 'MLP' (norm, gate/up/down), 'residual';
 * then 'taps' (the attn_last slices and their concat), 'attn_full', 'mask + RoPE tables',
 * 'lm_head + final norm' (the unscoped MatMul / MatMulNBits / norm at the top), 'outputs' (the
 * graph's Identity outputs), 'moved transposes' (the heads' transposes of the new tokens, which
 * onnxruntime's transpose optimizer moves past RoPE and renames `Transpose_token_<n>`, dropping
 * the layer), 'other'. `layer` is the layer number or null.
 */
export function decoderPart(node: string, op: string): { layer: number | null; part: string } {
  if (node.includes('attn_tap')) return { layer: null, part: 'taps' };
  if (node.includes('attn_full')) return { layer: null, part: 'attn_full' };
  const layer = /(?:^|\/)layers\.(\d+)\//.exec(node);
  if (layer) {
    const i = Number(layer[1]);
    const part = node.includes('/mlp/')
      ? 'MLP'
      : node.includes('/self_attn/kv_cache/')
        ? 'KV concat'
        : node.includes('/self_attn/rope/')
          ? 'RoPE'
          : node.includes('/self_attn/core/')
            ? 'attention core'
            : node.includes('/self_attn/')
              ? 'projections'
              : 'residual';
    return { layer: i, part };
  }
  if (node.includes('causal_mask') || node.includes('rotary_emb')) return { layer: null, part: 'mask + RoPE tables' };
  // Fused nodes are named `<first node>/<Fusion>/...`: the first node's name says where it sat.
  const unscoped = !node.replace(/\/[A-Za-z]*Fusion\b.*$/, '').includes('/');
  if (unscoped && ['MatMul', 'MatMulNBits', 'SimplifiedLayerNormalization', 'Mul', 'Gemm'].includes(op)) return { layer: null, part: 'lm_head + final norm' };
  if (op === 'Identity' && !node.includes('/')) return { layer: null, part: 'outputs' };
  // onnxruntime's transpose optimiser names the transposes it moves or makes `Transpose_token_<n>`, or plain `Transpose`
  if (op === 'Transpose' && /^Transpose(_token_\d+)?$/.test(node)) return { layer: null, part: 'moved transposes' };
  if (/^present\.|^logits|^attn_/.test(node)) return { layer: null, part: 'outputs' };
  return { layer: null, part: 'other' };
}

/** Sums microseconds by key. */
export function sumBy(events: readonly KernelEvent[], key: (e: KernelEvent) => string): Map<string, number> {
  const out = new Map<string, number>();
  for (const e of events) out.set(key(e), (out.get(key(e)) ?? 0) + e.us);
  return out;
}

/** A table of rows `label  ms  share` (share of `total` ms), widest label first column. */
export function shareTable(rows: readonly { label: string; ms: number }[], total: number, title = 'part'): string {
  const width = Math.max(title.length, 'total'.length, ...rows.map((r) => r.label.length));
  const lines = [`  ${title.padEnd(width)}        ms   share`];
  for (const r of rows) lines.push(`  ${r.label.padEnd(width)}  ${r.ms.toFixed(1).padStart(8)}  ${((r.ms / total) * 100).toFixed(1).padStart(5)} %`);
  lines.push(`  ${'total'.padEnd(width)}  ${total.toFixed(1).padStart(8)}  100.0 %`);
  return lines.join('\n');
}
