/**
 * `laser serve`: the workbench in a browser. Prints one line with the address (token included)
 * and serves until SIGINT or SIGTERM.
 */
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { InvalidArgumentError } from 'commander';
import type { Command } from 'commander';
import { WorkbenchError } from '../../common/contract/errors.ts';
import { resolveDataDir } from '../../engine/settings/data-dir.ts';
import type { RunningServer } from '../../server/http-server.ts';
import { exposureWarning } from '../../server/request-guards.ts';
import type { StartServerOptions } from '../../server/start-server.ts';
import { packageRoot } from '../../engine/library/package-root.ts';
import { processOutput, stderrLines } from '../lines.ts';
import { ensureDataDir } from '../model-options.ts';

/** The line scripts look for; the URL is everything after it, up to the end of the line. */
export const servingLinePrefix = 'LASER Workbench serving at ';

export interface ServeDeps {
  start(options: StartServerOptions): Promise<RunningServer>;
  /** Resolves when the user asks the server to stop. */
  waitForStop(): Promise<string>;
  stdout(line: string): void;
  stderr(line: string): void;
  env: Record<string, string | undefined>;
  /** Builds the UI of a source checkout that was never built; resolves to a warning when it stays unbuilt. */
  ensureUi?(say: (line: string) => void): Promise<string | null>;
}

const bundledSamples = join(packageRoot(), 'resources', 'samples');

const defaultDeps: ServeDeps = {
  // Loaded on use, so that `laser --help` does not load the engine.
  start: async (options) => {
    // The stores of earlier versions (~/.laser-workbench, the CLI's ~/.cache) move in once.
    await (await import('../../engine/settings/legacy-stores.ts')).migrateLegacyStoresOfProcess(options.dataDir, stderrLines);
    return (await import('../../server/start-server.ts')).startServer(options);
  },
  waitForStop: () =>
    new Promise((done) => {
      const stop = (signal: string) => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        done(signal);
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    }),
  ...processOutput,
  env: process.env,
  ensureUi: async (say) => {
    const { ensureUiBuilt } = await import('../ui-build.ts');
    const { defaultRendererDir } = await import('../../server/http-server.ts');
    return ensureUiBuilt(defaultRendererDir, packageRoot(), say);
  },
};

interface ServeFlags {
  host: string;
  port: number;
  dataDir?: string;
  open?: string;
  /** false with --no-demo-model. */
  demoModel: boolean;
}

export function registerServe(program: Command, deps: ServeDeps = defaultDeps): void {
  program
    .command('serve')
    .description('Serve the workbench to a web browser (prints the address to open, with its access token)')
    .option('--host <address>', 'address to listen on; anything but loopback exposes your opened folders to the network', '127.0.0.1')
    .option('--port <number>', 'port to listen on; 0 picks a free one', parsePort, 0)
    .option(
      '--data-dir <dir>',
      "where models, runs, settings and caches live (default: $LASER_DATA_DIR, else the platform's data folder, e.g. ~/.local/share/laser-workbench)",
    )
    .option('--open <folder>', 'folder to open on first start (default: the bundled samples, when present)')
    .option('--no-demo-model', 'do not list the shipped demo model (only the models you add)')
    .action(async (flags: ServeFlags) => {
      await runServe(flags, deps);
    });
}

async function runServe(flags: ServeFlags, deps: ServeDeps): Promise<void> {
  const dataDir = resolveDataDir({ flag: flags.dataDir, env: deps.env, platform: process.platform, home: homedir(), cwd: process.cwd() }).dir;
  await ensureDataDir(dataDir);
  // The inference worker (it inherits process.env) and the crash logs of this process use this folder.
  deps.env.LASER_DATA_DIR = dataDir;
  const defaultFolder = flags.open !== undefined ? await existingFolder(resolve(flags.open)) : existsSync(bundledSamples) ? bundledSamples : null;
  const warning = exposureWarning(flags.host);
  if (warning) deps.stderr(warning);
  const ui = deps.ensureUi ? await deps.ensureUi(deps.stderr) : null;
  if (ui) deps.stderr(ui);
  const server = await deps.start({ host: flags.host, port: flags.port, dataDir, defaultFolder, ...(flags.demoModel === false ? { demoModelDir: null } : {}) });
  deps.stdout(`${servingLinePrefix}${server.url}`);
  deps.stderr('Press Ctrl+C to stop.');
  const signal = await deps.waitForStop();
  deps.stderr(`Stopping (${signal})…`);
  await server.close();
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new InvalidArgumentError('expected a port number from 0 to 65535.');
  return port;
}

async function existingFolder(folder: string): Promise<string> {
  const s = await stat(folder).catch(() => null);
  if (!s) throw new WorkbenchError('not-found', `There is no folder ${folder}.`, 'Check the path given to --open.');
  if (!s.isDirectory()) throw new WorkbenchError('not-a-directory', `${folder} is a file, not a folder.`, 'Give --open the folder that holds your images.');
  return folder;
}
