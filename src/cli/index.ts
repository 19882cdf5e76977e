/**
 * The `laser` command line. Each command lives in its own module under commands/ and registers
 * itself here; they call the same engine services as the app and the server.
 */
import { Command, CommanderError } from 'commander';
import { registerCommands } from './commands/index.ts';
import { reportError } from './error-boundary.ts';

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
    return printError(e, argv);
  }
}

/** The boundary's report on stderr; returns the exit code (1 bad input, 2 a bug). */
export async function printError(e: unknown, argv: readonly string[]): Promise<number> {
  const report = await reportError(e, { argv });
  process.stderr.write(report.text);
  return report.exitCode;
}
