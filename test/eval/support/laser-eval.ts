/** Test support: `laser eval` run in process, as the eval CLI tests call it. */
import { Command } from 'commander';
import { registerEval } from '../../../src/cli/commands/eval.ts';

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
