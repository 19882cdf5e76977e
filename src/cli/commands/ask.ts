/**
 * `laser ask <bundle-dir> <image> "<question>"`: prints the model's answer (greedy decoding, the
 * `vanilla` method) and nothing else on stdout, so scripts can read it. The question is asked as
 * typed, with no answer instruction unless --instruction gives one. A bundle compiled from a
 * checkpoint without tokenizer files is refused with a message naming the files to add.
 */
import { resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import type { DeviceRequest } from '../../engine/runtime/providers.ts';
import { addDeviceOptions, addPixelOptions, pixelBounds } from '../model-options.ts';

export interface AskFlags {
  maxNewTokens: number;
  instruction: string;
  minPixels?: number;
  maxPixels?: number;
  device: DeviceRequest;
  threads: number;
}

function positiveInt(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError('--max-new-tokens must be a positive integer.');
  return Number(value);
}

export async function runAskCommand(bundle: string, image: string, question: string, flags: AskFlags, out: (line: string) => void, err: (line: string) => void): Promise<void> {
  const { runMethod } = await import('../../engine/laser/run-method.ts');
  const { checkQuestion } = await import('../../engine/laser/prompts.ts');
  checkQuestion(question);
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  try {
    const r = await runMethod({
      bundle: resolve(bundle),
      imagePath: resolve(image),
      question,
      method: 'vanilla',
      options: { maxNewTokens: flags.maxNewTokens, instruction: flags.instruction, ...pixelBounds(flags) },
      cacheDir: null,
      runtime: { device: flags.device, threads: flags.threads, log: err },
      signal: controller.signal,
    });
    out(r.record.answer);
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}

export function registerAsk(
  program: Command,
  out: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
  err: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): void {
  const cmd = program
    .command('ask')
    .description('Ask a compiled bundle a question about an image; prints the answer (greedy decoding)')
    .argument('<bundle-dir>', 'compiled bundle folder (from `laser compile`, with tokenizer files)')
    .argument('<image>', 'image file')
    .argument('<question>', 'the question')
    .option('--max-new-tokens <n>', 'tokens decoded at most', positiveInt, 64)
    .option('--instruction <text>', 'appended to the question after a newline (e.g. "Answer the question using a single word or phrase.")', '');
  addPixelOptions(addDeviceOptions(cmd), 'run').action(async (bundle: string, image: string, question: string, flags: AskFlags) => runAskCommand(bundle, image, question, flags, out, err));
}
