/**
 * Peak resident memory of `laser forward` by phase: the same calls as the command (openModelRuntime
 * with --device cpu, runForward with greedy steps), in this process, with Linux's peak-RSS counter
 * (VmHWM) read and reset (`/proc/self/clear_refs` 5) at each phase boundary, so every phase's peak
 * is exact without sampling (onnxruntime-node's run blocks the event loop, so a timer could not
 * sample during a prefill). Per phase: peak RSS, and RSS at its end split into anonymous and
 * file-mapped (RssAnon / RssFile). Linux only (elsewhere it says so and prints times).
 *
 * `npx tsx bench/memory.ts <bundle> <inputs.safetensors> [--steps n] [--chunk n] [--keep-vision|--release-vision] [--no-arena] [--no-mem-pattern] [--gc]`
 * measures one bundle (e.g. bench/random-checkpoint.ts llava-1.5-7b compiled --dtype int4).
 * `npm run bench -- memory` compiles the `mid` preset (LASER_BENCH_MEMORY_PRESET) to int4 in a
 * temporary folder and measures that; LASER_BENCH_MEMORY_BUNDLE + LASER_BENCH_MEMORY_INPUTS measure
 * a given bundle instead.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileBundle } from '../src/engine/compiler/compile.ts';
import { readForwardInputs, runForward, forwardVisionOf } from '../src/engine/runtime/forward.ts';
import { openModelRuntime } from '../src/engine/runtime/open.ts';
import type { RuntimeOptions } from '../src/engine/runtime/model-runtime.ts';
import { presets, writeForwardInputs, writeRandomCheckpoint } from './random-checkpoint.ts';

const GB = 1e9;

interface Status {
  hwm: number;
  rss: number;
  anon: number;
  file: number;
}

/** VmHWM, VmRSS, RssAnon, RssFile of this process in bytes, or null off Linux. */
function status(): Status | null {
  let text: string;
  try {
    text = readFileSync('/proc/self/status', 'utf8');
  } catch {
    return null;
  }
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN) * 1024;
  return { hwm: kb('VmHWM'), rss: kb('VmRSS'), anon: kb('RssAnon'), file: kb('RssFile') };
}

/** Resets VmHWM to the current RSS (Linux >= 4.0). */
function resetPeak(): void {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
  } catch {
    // not Linux: peaks are then not available
  }
}

export interface PhaseMemory {
  phase: string;
  ms: number;
  /** Peak RSS during the phase (bytes), or null off Linux. */
  peak: number | null;
  /** At the phase's end. */
  end: Status | null;
}

export interface MemoryRunOptions {
  steps?: number;
  runtime?: RuntimeOptions;
  /**
   * Diagnostic: collect garbage at every phase boundary and decode step (node --expose-gc), to see
   * how much of a phase's peak is buffers no longer referenced.
   */
  gc?: boolean;
}

/** Runs `laser forward`'s work on one bundle and returns each phase's peak. */
export async function measureForwardMemory(bundle: string, inputsPath: string, options: MemoryRunOptions = {}): Promise<PhaseMemory[]> {
  const phases: PhaseMemory[] = [];
  const collect = (globalThis as { gc?: () => void }).gc;
  if (options.gc && !collect) throw new Error('--gc needs node --expose-gc');
  const gc = () => (options.gc ? collect!() : undefined);
  let t0 = performance.now();
  resetPeak();
  const close = (phase: string) => {
    gc();
    const s = status();
    phases.push({ phase, ms: performance.now() - t0, peak: s?.hwm ?? null, end: s });
    resetPeak();
    t0 = performance.now();
  };
  const runtime = await openModelRuntime(bundle, { device: 'cpu', ...options.runtime });
  try {
    const inputs = await readForwardInputs(inputsPath, forwardVisionOf(runtime));
    close('sessions');
    let decoding = false;
    await runForward(runtime, inputs, {
      steps: options.steps ?? 4,
      onProgress: (p) => {
        if (p.stage === 'encode-images' && p.step === 1) close('vision');
        else if (p.stage === 'prefill' && p.step === 1) close('prefill');
        else if (p.stage === 'decode') {
          decoding = true;
          gc();
        }
      },
    });
    if (decoding) close(`decode`);
  } finally {
    await runtime.dispose();
  }
  return phases;
}

export function printPhases(label: string, phases: PhaseMemory[]): void {
  const f = (b: number | null | undefined) => (b === null || b === undefined || Number.isNaN(b) ? 'n/a' : `${(b / GB).toFixed(2)} GB`);
  console.log(`${label}: peak RSS ${f(Math.max(...phases.map((p) => p.peak ?? NaN)))}`);
  for (const p of phases) {
    console.log(
      `  ${p.phase.padEnd(9)} ${(p.ms / 1000).toFixed(1).padStart(7)} s  peak ${f(p.peak)}  end ${f(p.end?.rss)} (anon ${f(p.end?.anon)}, file ${f(p.end?.file)})`,
    );
  }
}

function runtimeFlags(args: string[]): { steps: number; runtime: RuntimeOptions; gc: boolean } {
  const value = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? Number(args[i + 1]) : undefined;
  };
  const runtime: RuntimeOptions = {};
  const chunk = value('--chunk');
  if (chunk !== undefined) runtime.prefillChunk = chunk;
  if (args.includes('--keep-vision')) runtime.releaseVision = false;
  if (args.includes('--release-vision')) runtime.releaseVision = true;
  if (args.includes('--no-arena')) runtime.cpuMemArena = false;
  if (args.includes('--no-mem-pattern')) runtime.memPattern = false;
  return { steps: value('--steps') ?? 4, runtime, gc: args.includes('--gc') };
}

/** `npm run bench -- memory`. */
export async function benchMemory(): Promise<void> {
  const given = process.env.LASER_BENCH_MEMORY_BUNDLE;
  if (given) {
    const inputs = process.env.LASER_BENCH_MEMORY_INPUTS;
    if (!inputs) throw new Error('LASER_BENCH_MEMORY_BUNDLE needs LASER_BENCH_MEMORY_INPUTS (a laser forward inputs file)');
    printPhases(given, await measureForwardMemory(given, inputs, { steps: 4 }));
    return;
  }
  const preset = process.env.LASER_BENCH_MEMORY_PRESET ?? 'mid';
  if (!(preset in presets)) throw new Error(`LASER_BENCH_MEMORY_PRESET: unknown preset ${preset}`);
  const root = await mkdtemp(join(tmpdir(), 'laser-bench-memory-'));
  try {
    const config = presets[preset]();
    await writeRandomCheckpoint(join(root, 'checkpoint'), config, { shards: 1 });
    const inputs = join(root, 'inputs.safetensors');
    const tokens = await writeForwardInputs(inputs, config, 50);
    const bundle = join(root, 'int4');
    await compileBundle(join(root, 'checkpoint'), bundle, { dtype: 'int4' });
    console.log(`random ${preset} compiled --dtype int4; laser forward --device cpu --steps 4 on ${tokens} tokens, one run:`);
    printPhases('int4', await measureForwardMemory(bundle, inputs, { steps: 4 }));
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [bundle, inputs, ...rest] = process.argv.slice(2);
  if (!bundle || !inputs) {
    console.error(
      'usage: tsx bench/memory.ts <bundle> <inputs.safetensors> [--steps n] [--chunk n] [--keep-vision|--release-vision] [--no-arena] [--no-mem-pattern] [--gc]',
    );
    process.exit(2);
  }
  const { steps, runtime, gc } = runtimeFlags(rest);
  printPhases(`${bundle} ${rest.join(' ')}`, await measureForwardMemory(bundle, inputs, { steps, runtime, gc }));
}
