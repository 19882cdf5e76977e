/** Test support: `laser eval` run in process, as the eval CLI tests call it. */
import { Command } from 'commander';
import { registerEval } from '../../../src/cli/commands/eval.ts';
import { FIXTURE_IMAGES } from './fixtures.ts';

/** `laser <args>` with the eval commands registered: the lines it printed on stdout (stderr dropped). */
export async function laserEvalLines(args: string[]): Promise<string[]> {
  const lines: string[] = [];
  const program = new Command('laser').exitOverride();
  registerEval(
    program,
    (l) => lines.push(l),
    () => undefined,
  );
  await program.parseAsync(['node', 'laser', ...args]);
  return lines;
}

/** How the eval tests run the tiny bundle: `bundle`, 2 new tokens, one thread. */
export function tinyRunFlags(bundle: string): string[] {
  return ['--bundle', bundle, '--max-new-tokens', '2', '--threads', '1'];
}

/** A POPE file `data` over the fixtures' images, evaluated with vanilla and laser. */
export function popeFlags(data: string): string[] {
  return ['--data', data, '--format', 'pope', '--images', FIXTURE_IMAGES, '--methods', 'vanilla,laser'];
}
