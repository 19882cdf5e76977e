/**
 * `laser forward`: run a compiled bundle on an inputs safetensors file and write logits, last-query
 * attention, optionally one layer's whole attention and a greedy continuation, the exchange format by which a reference
 * implementation checks the runtime (see src/engine/runtime/forward.ts).
 */
import { resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { deviceArg, type DeviceFlags } from '../model-options.ts';
import { stderrLines, type Lines } from '../lines.ts';

export interface ForwardFlags extends DeviceFlags {
  bundle: string;
  inputs: string;
  out: string;
  steps: number;
  /** Also write this decoder layer's whole attention as attn_full [H, S, S]. */
  attnLayer?: number;
}

function nonNegativeInt(what: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) throw new InvalidArgumentError(`${what} must be a non-negative integer.`);
    return n;
  };
}

/** Runs the command: opens the bundle, runs, writes the output, prints two summary lines. */
export async function runForwardCommand(flags: ForwardFlags, stderr: (line: string) => void): Promise<void> {
  // Loaded on use, so that `laser --help` does not load onnxruntime.
  const { openModelRuntime } = await import('../../engine/runtime/open.ts');
  const { forwardFiles } = await import('../../engine/runtime/forward.ts');
  const inspect = flags.attnLayer !== undefined;
  // One image encoding per run: the vision session is released before the prefill (releaseVision),
  // which lowers the prefill's and decode's memory by the vision tower's weights.
  const runtime = await openModelRuntime(resolve(flags.bundle), { device: flags.device, threads: flags.threads, log: stderr, inspect, releaseVision: true });
  try {
    const r = await forwardFiles(runtime, resolve(flags.inputs), resolve(flags.out), { steps: flags.steps, attnLayer: flags.attnLayer });
    const { layers, heads, vocab } = runtime.dims;
    const t = r.timings;
    const sessions = t.sessions.vision + t.sessions.embed + t.sessions.decoder;
    stderr(
      `wrote ${flags.out}: logits [1, ${r.sequence}, ${vocab}], attn_last [${layers}, ${heads}, ${r.sequence}]` +
        (inspect ? `, attn_full [${heads}, ${r.sequence}, ${r.sequence}] (layer ${flags.attnLayer})` : '') +
        (r.greedyIds ? `, greedy_ids [${r.greedyIds.length}] = ${r.greedyIds.join(' ')}` : ''),
    );
    stderr(
      `${runtime.provider}: sessions ${sessions.toFixed(0)} ms, vision ${t.visionMs.toFixed(1)} ms (${r.images} image(s)), ` +
        `prefill ${t.prefillMs.toFixed(1)} ms, decode ${t.decodeMs.toFixed(1)} ms`,
    );
  } finally {
    await runtime.dispose();
  }
}

export function registerForward(program: Command, stderr: Lines = stderrLines): void {
  program
    .command('forward')
    .description('Run a compiled bundle on input_ids (+ pixel_values) from a safetensors file; write logits, attn_last, attn_full and greedy_ids')
    .requiredOption('--bundle <dir>', 'compiled bundle folder (from `laser compile`)')
    .requiredOption('--inputs <file>', 'safetensors with input_ids I64 [1, S] and, for image prompts, pixel_values F32 [N, 3, H, W]')
    .requiredOption('--out <file>', 'safetensors to write: logits F32 [1, S, V], attn_last F32 [L, H, S], attn_full F32 [H, S, S], greedy_ids I64 [steps]')
    .option('--steps <n>', 'greedy tokens to decode with the KV cache (no EOS stop)', nonNegativeInt('--steps'), 0)
    .option('--attn-layer <l>', "also write attn_full: decoder layer l's whole post-softmax attention over the prompt (0..L-1)", nonNegativeInt('--attn-layer'))
    .option('--device <device>', 'auto (CUDA when available, else CPU), cpu or cuda', deviceArg, 'auto')
    .option('--threads <n>', 'onnxruntime intra-op threads; 0 lets it choose', nonNegativeInt('--threads'), 0)
    .action(async (flags: ForwardFlags) => {
      await runForwardCommand(flags, stderr);
    });
}
