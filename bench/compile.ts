/**
 * Compiler figures.
 *
 * 1. Throughput and memory: a random LLaVA checkpoint of about 1B parameters (LLaMA 2048 x 16 layers,
 *    vocab 32000, a CLIP-B/14 tower at 336 px) in BF16 on disk (~2 GB, written tensor by tensor so
 *    generating it stays small), compiled to an fp16 bundle: seconds, MB/s read and written, peak
 *    RSS sampled during the compile.
 * 2. The cost of the attention taps: a small model (LLaMA 512 x 8 layers, 576 image tokens) compiled
 *    with and without `attn_last`; session creation time, and prefill time of a 640-token prompt
 *    with taps vs without (median of several runs, interleaved).
 *
 * Prints figures only. Knobs: LASER_BENCH_COMPILE_LAYERS (text layers of the big model, default 16;
 * 2 makes it ~0.3 GB), LASER_BENCH_COMPILE_DTYPE (fp16 | fp32, default fp16), LASER_BENCH_THREADS
 * (onnxruntime intra-op threads, default 0 = its choice), LASER_BENCH_RUNS (prefill runs, default 5).
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { compileBundle } from '../src/engine/compiler/compile.ts';
import type { BundleDtype } from '../src/engine/compiler/weights.ts';
import { llavaConfig, writeRandomCheckpoint } from './random-checkpoint.ts';

const MB = 1e6;

/** Peak RSS sampled every 25 ms while `fn` runs. */
async function withPeakRss<T>(fn: () => Promise<T>): Promise<{ result: T; peak: number }> {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 25);
  try {
    const result = await fn();
    peak = Math.max(peak, process.memoryUsage.rss());
    return { result, peak };
  } finally {
    clearInterval(timer);
  }
}

async function throughput(root: string): Promise<void> {
  const layers = Number(process.env.LASER_BENCH_COMPILE_LAYERS ?? 16);
  const dtype = (process.env.LASER_BENCH_COMPILE_DTYPE ?? 'fp16') as BundleDtype;
  const config = llavaConfig({ hidden: 2048, layers, heads: 16, mlp: 5504, vocab: 32000 }, { hidden: 768, layers: 12, heads: 12, mlp: 3072, grid: 24 });
  const ckpt = join(root, 'big-ckpt');
  let t = performance.now();
  const params = await writeRandomCheckpoint(ckpt, config, { dtype: 'BF16' });
  const genS = (performance.now() - t) / 1000;
  console.log(`checkpoint: ${(params / 1e9).toFixed(3)}B parameters, ${((params * 2) / 1e9).toFixed(2)} GB BF16, generated in ${genS.toFixed(1)} s`);
  t = performance.now();
  const rssBefore = process.memoryUsage.rss();
  const { result, peak } = await withPeakRss(() => compileBundle(ckpt, join(root, 'big-bundle'), { dtype }));
  const s = (performance.now() - t) / 1000;
  console.log(
    `compile ${dtype}: ${s.toFixed(1)} s, read ${((params * 2) / MB / s).toFixed(0)} MB/s, wrote ${(result.weightBytes / MB / s).toFixed(0)} MB/s ` +
      `(${result.tensors} tensors, ${(result.weightBytes / 1e9).toFixed(2)} GB, source hashing included); ` +
      `RSS before ${(rssBefore / MB).toFixed(0)} MB, peak during compile ${(peak / MB).toFixed(0)} MB`,
  );
  if (!process.env.LASER_BENCH_KEEP) {
    await rm(join(root, 'big-ckpt'), { recursive: true, force: true });
    await rm(join(root, 'big-bundle'), { recursive: true, force: true });
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function tapsCost(root: string): Promise<void> {
  const threads = Number(process.env.LASER_BENCH_THREADS ?? 0);
  const runs = Number(process.env.LASER_BENCH_RUNS ?? 5);
  const text = { hidden: 512, layers: 8, heads: 8, mlp: 1376, vocab: 8192 };
  const config = llavaConfig(text, { hidden: 64, layers: 2, heads: 4, mlp: 256, grid: 24 });
  const ckpt = join(root, 'small-ckpt');
  await writeRandomCheckpoint(ckpt, config, { dtype: 'BF16' });
  const sessions: Record<string, ort.InferenceSession> = {};
  for (const taps of [true, false]) {
    const dir = join(root, taps ? 'small-taps' : 'small-notaps');
    await compileBundle(ckpt, dir, { taps });
    const opts: ort.InferenceSession.SessionOptions = threads > 0 ? { intraOpNumThreads: threads } : {};
    const times: string[] = [];
    for (const g of ['vision', 'embed', 'decoder']) {
      const t = performance.now();
      const s = await ort.InferenceSession.create(join(dir, `${g}.onnx`), opts);
      times.push(`${g} ${(performance.now() - t).toFixed(0)} ms`);
      if (g === 'decoder') sessions[String(taps)] = s;
      else await s.release();
    }
    if (taps) console.log(`session creation (small model, ${text.layers} layers x ${text.hidden}): ${times.join(', ')}`);
  }
  const S = 640;
  const feeds = (): Record<string, ort.Tensor> => {
    const f: Record<string, ort.Tensor> = {
      inputs_embeds: new ort.Tensor(
        'float32',
        Float32Array.from({ length: S * text.hidden }, (_, i) => Math.sin(i)),
        [1, S, text.hidden],
      ),
      attention_mask: new ort.Tensor('int64', new BigInt64Array(S).fill(1n), [1, S]),
      position_ids: new ort.Tensor(
        'int64',
        BigInt64Array.from({ length: S }, (_, i) => BigInt(i)),
        [1, S],
      ),
    };
    for (let i = 0; i < text.layers; i++)
      for (const kv of ['key', 'value'])
        f[`past_key_values.${i}.${kv}`] = new ort.Tensor('float32', new Float32Array(0), [1, text.heads, 0, text.hidden / text.heads]);
    return f;
  };
  const input = feeds();
  const ms: Record<string, number[]> = { true: [], false: [] };
  for (let r = 0; r <= runs; r++) {
    for (const taps of ['true', 'false']) {
      const t = performance.now();
      await sessions[taps].run(input);
      if (r > 0) ms[taps].push(performance.now() - t); // run 0 warms up
    }
  }
  const withTaps = median(ms.true);
  const without = median(ms.false);
  console.log(
    `prefill ${S} tokens, median of ${runs}: with taps ${withTaps.toFixed(1)} ms, without ${without.toFixed(1)} ms, ratio ${(withTaps / without).toFixed(3)}`,
  );
  for (const s of Object.values(sessions)) await s.release();
  console.log(
    `taps' share of the decoder's kernel time (onnxruntime profile, immune to machine load): ${(100 * (await tapsShare(join(root, 'small-taps', 'decoder.onnx'), input, root))).toFixed(2)} %`,
  );
}

/**
 * Fraction of the decoder's kernel time spent in the tap nodes (the Slice/Reshape/Concat named
 * attn_tap), from onnxruntime's own per-node profile over 3 runs: unlike wall-clock ratios on a
 * shared machine, this does not move with other processes' load.
 */
async function tapsShare(model: string, feeds: Record<string, ort.Tensor>, dir: string): Promise<number> {
  const prefix = join(dir, 'taps-profile');
  const s = await ort.InferenceSession.create(model, { intraOpNumThreads: 1, enableProfiling: true, profileFilePrefix: prefix });
  for (let r = 0; r < 3; r++) await s.run(feeds);
  s.endProfiling();
  await s.release();
  const file = (await readdir(dir)).find((f) => f.startsWith('taps-profile') && f.endsWith('.json'));
  if (!file) throw new Error('onnxruntime wrote no profile');
  const events = JSON.parse(await readFile(join(dir, file), 'utf8')) as { cat?: string; name: string; dur: number }[];
  let taps = 0;
  let total = 0;
  for (const e of events) {
    if (e.cat !== 'Node' || !e.name.endsWith('_kernel_time')) continue;
    total += e.dur;
    if (e.name.includes('attn_tap')) taps += e.dur;
  }
  return taps / total;
}

export async function benchCompile(): Promise<void> {
  const root = process.env.LASER_BENCH_KEEP ?? (await mkdtemp(join(tmpdir(), 'laser-bench-compile-')));
  try {
    await tapsCost(root);
    await throughput(root);
  } finally {
    if (!process.env.LASER_BENCH_KEEP) await rm(root, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchCompile();
