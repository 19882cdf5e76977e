/**
 * `laser ask <bundle-dir> <image> "<question>"`: prints the model's answer (greedy decoding, the
 * `vanilla` method) and nothing else on stdout, so scripts can read it. The question is asked as
 * typed, with no answer instruction unless --instruction gives one. A bundle compiled from a
 * checkpoint without tokenizer files is refused with a message naming the files to add. It calls
 * the workbench's `laser.run` in-process (src/cli/workbench.ts): the bundle joins the model list and
 * the run the history of the data folder.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { addDataDirOption, addDeviceOptions, addPixelOptions, pixelBounds, positiveInt } from '../model-options.ts';
import type { DataDirFlags, DeviceFlags, PixelFlags } from '../model-options.ts';
import { cancelOnSigint, withCliWorkbench } from '../workbench.ts';
import { stderrLines, stdoutLines, type Lines } from '../lines.ts';

export interface AskFlags extends DeviceFlags, PixelFlags, DataDirFlags {
  maxNewTokens: number;
  instruction: string;
}

export async function runAskCommand(bundle: string, image: string, question: string, flags: AskFlags, out: Lines, err: Lines): Promise<void> {
  const { checkQuestion } = await import('../../engine/laser/prompts.ts');
  checkQuestion(question);
  const imagePath = resolve(image);
  const answer = await withCliWorkbench({ dataDir: flags.dataDir, runtime: { device: flags.device, threads: flags.threads }, note: err }, (cli) =>
    cancelOnSigint(async (signal) => {
      const modelId = await cli.modelIdOfBundle(resolve(bundle));
      await cli.allowImage(imagePath);
      const options = { maxNewTokens: flags.maxNewTokens, instruction: flags.instruction, ...pixelBounds(flags) };
      return (await cli.call('laser.run', { modelId, imagePath, question, method: 'vanilla', options }, { signal })).record.answer;
    }),
  );
  out(answer);
}

export function registerAsk(program: Command, out: Lines = stdoutLines, err: Lines = stderrLines): void {
  const cmd = program
    .command('ask')
    .description('Ask a compiled bundle a question about an image; prints the answer (greedy decoding)')
    .argument('<bundle-dir>', 'compiled bundle folder (from `laser compile`, with tokenizer files)')
    .argument('<image>', 'image file')
    .argument('<question>', 'the question')
    .option('--max-new-tokens <n>', 'tokens decoded at most', positiveInt('--max-new-tokens'), 64)
    .option('--instruction <text>', 'appended to the question after a newline (e.g. "Answer the question using a single word or phrase.")', '');
  addDataDirOption(addPixelOptions(addDeviceOptions(cmd), 'run')).action(async (bundle: string, image: string, question: string, flags: AskFlags) =>
    runAskCommand(bundle, image, question, flags, out, err),
  );
}
