/**
 * Quantised bundles against fp32 on one random LLaVA (bench/random-checkpoint.ts, preset `mid` by
 * default: LLaMA 2048 x 8 layers, vocab 32000, 0.54 B parameters, a 119-token prompt with 64 image
 * tokens): each of fp32, int8 and int4 (compile defaults) is compiled, then run by `laser forward
 * --device cpu --steps 4` in a child process, under /usr/bin/time -v where it exists for the peak RSS.
 * Prints, per bundle: weight bytes, peak RSS, session creation, prefill, decode ms per token, and
 * against fp32: max / relative logit error, argmax agreement over the prompt, greedy ids agreeing.
 *
 * Knobs: LASER_BENCH_QUANT_PRESET (a preset of random-checkpoint.ts), LASER_BENCH_QUANT_DTYPES
 * (default "fp32,int8,int4"; fp32 first, it is the reference), LASER_BENCH_KEEP (a folder to keep).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SafetensorsFile } from '../src/engine/checkpoint/safetensors.ts';
import { compileBundle } from '../src/engine/compiler/compile.ts';
import type { BundleDtype } from '../src/engine/compiler/weights.ts';
import { presets, writeForwardInputs, writeRandomCheckpoint } from './random-checkpoint.ts';

const laser = join(import.meta.dirname, '..', 'bin', 'laser.js');

interface Run {
  dtype: string;
  bytes: number;
  peakRss: number | null;
  sessionsMs: number;
  prefillMs: number;
  decodeMsPerToken: number;
  out: string;
}

function forward(bundle: string, inputs: string, out: string, steps: number): Promise<{ stderr: string }> {
  const args = [laser, 'forward', '--bundle', bundle, '--inputs', inputs, '--out', out, '--steps', String(steps), '--device', 'cpu'];
  const timed = existsSync('/usr/bin/time');
  const child = timed ? spawn('/usr/bin/time', ['-v', process.execPath, ...args]) : spawn(process.execPath, args);
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve({ stderr }) : reject(new Error(`laser forward ${bundle} exited with ${code}:\n${stderr}`))));
  });
}

async function weightBytes(dir: string): Promise<number> {
  let n = 0;
  for (const f of await readdir(dir)) if (f.endsWith('.onnx.data')) n += (await stat(join(dir, f))).size;
  return n;
}

function argmaxRow(a: Float32Array, row: number, V: number): number {
  let best = row * V;
  for (let i = row * V + 1; i < (row + 1) * V; i++) if (a[i] > a[best]) best = i;
  return best - row * V;
}

async function compare(ref: string, other: string): Promise<string> {
  const [a, b] = await Promise.all([SafetensorsFile.open(ref), SafetensorsFile.open(other)]);
  try {
    const x = await a.readFloat32('logits');
    const y = await b.readFloat32('logits');
    const V = a.info('logits').shape[2];
    let se = 0;
    let ss = 0;
    let max = 0;
    for (let i = 0; i < x.length; i++) {
      se += (y[i] - x[i]) ** 2;
      ss += x[i] ** 2;
      max = Math.max(max, Math.abs(y[i] - x[i]));
    }
    const rows = x.length / V;
    let agree = 0;
    for (let r = 0; r < rows; r++) if (argmaxRow(x, r, V) === argmaxRow(y, r, V)) agree++;
    const gx = Array.from(await a.readInt64('greedy_ids'));
    const gy = Array.from(await b.readInt64('greedy_ids'));
    let same = 0;
    while (same < gx.length && gx[same] === gy[same]) same++;
    return `logits max ${max.toFixed(3)} rel ${Math.sqrt(se / ss).toFixed(3)}, argmax ${agree}/${rows}, greedy ${same}/${gx.length}`;
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
}

export async function benchQuant(): Promise<void> {
  const presetName = process.env.LASER_BENCH_QUANT_PRESET ?? 'mid';
  const preset = presets[presetName];
  if (!preset) throw new Error(`LASER_BENCH_QUANT_PRESET=${presetName}: use one of ${Object.keys(presets).join(', ')}`);
  const dtypes = (process.env.LASER_BENCH_QUANT_DTYPES ?? 'fp32,int8,int4').split(',') as BundleDtype[];
  const root = process.env.LASER_BENCH_KEEP ?? (await mkdtemp(join(tmpdir(), 'laser-bench-quant-')));
  const steps = 4;
  try {
    const config = preset();
    const params = await writeRandomCheckpoint(join(root, 'checkpoint'), config, { shards: 1 });
    const tokens = await writeForwardInputs(join(root, 'inputs.safetensors'), config, 50);
    console.log(`${presetName}: ${(params / 1e9).toFixed(3)} B parameters, prompt ${tokens} tokens, ${steps} greedy steps, laser forward --device cpu`);
    const runs: Run[] = [];
    for (const dtype of dtypes) {
      const bundle = join(root, `bundle-${dtype}`);
      const t = performance.now();
      await compileBundle(join(root, 'checkpoint'), bundle, { dtype });
      const compileS = (performance.now() - t) / 1000;
      const out = join(root, `out-${dtype}.safetensors`);
      const { stderr } = await forward(bundle, join(root, 'inputs.safetensors'), out, steps);
      const m = /sessions (\d+) ms, .*prefill ([\d.]+) ms, decode ([\d.]+) ms/.exec(stderr);
      const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
      if (!m) throw new Error(`laser forward printed no timings:\n${stderr}`);
      const run: Run = {
        dtype,
        bytes: await weightBytes(bundle),
        peakRss: rss ? Number(rss[1]) * 1024 : null,
        sessionsMs: Number(m[1]),
        prefillMs: Number(m[2]),
        decodeMsPerToken: Number(m[3]) / (steps - 1),
        out,
      };
      runs.push(run);
      const vs =
        runs[0] !== run
          ? `; vs ${runs[0].dtype}: ${await compare(runs[0].out, out)}, prefill ${(runs[0].prefillMs / run.prefillMs).toFixed(2)}x, decode ${(runs[0].decodeMsPerToken / run.decodeMsPerToken).toFixed(2)}x as fast`
          : '';
      console.log(
        `${dtype.padEnd(5)} compile ${compileS.toFixed(1)} s, weights ${(run.bytes / 1e9).toFixed(2)} GB, peak RSS ${run.peakRss === null ? 'n/a' : `${(run.peakRss / 1e9).toFixed(2)} GB`}, ` +
          `sessions ${run.sessionsMs} ms, prefill ${run.prefillMs.toFixed(0)} ms, decode ${run.decodeMsPerToken.toFixed(0)} ms/token${vs}`,
      );
    }
  } finally {
    if (!process.env.LASER_BENCH_KEEP) await rm(root, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchQuant();
