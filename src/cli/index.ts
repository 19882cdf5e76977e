/**
 * The `laser` command line. Each command lives in its own module under commands/ and registers
 * itself here; they call the same engine services as the app and the server.
 */
import { Command, CommanderError } from 'commander';
import { isWorkbenchError } from '../common/contract/errors.ts';
import { registerCommands } from './commands/index.ts';

export async function main(argv: string[]): Promise<number> {
  const program = new Command('laser')
    .description('LASER Workbench: layer-adaptive attention analysis for vision-language models, offline.')
    .version(process.env.npm_package_version ?? '0.1.0')
    .exitOverride()
    .showHelpAfterError();
  registerCommands(program);
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    if (isWorkbenchError(e)) {
      process.stderr.write(`error: ${e.message}\n${e.hint ? `hint: ${e.hint}\n` : ''}`);
      return 1;
    }
    process.stderr.write(`error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 1;
  }
}
