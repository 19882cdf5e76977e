/**
 * The one data folder of the workbench: settings, registered models, compiled bundles, stored runs
 * and thumbnails. Every host (the CLI, serve mode, the Electron utility process) resolves it here,
 * so a model compiled by one is listed by the others and a run made by one is in the others'
 * history. In order: the `--data-dir` flag, then `$LASER_DATA_DIR`, then the platform's convention
 * for per-user application data:
 * - Linux and other Unixes: `$XDG_DATA_HOME/laser-workbench`, else `~/.local/share/laser-workbench`;
 * - macOS: `~/Library/Application Support/LASER Workbench`;
 * - Windows: `%APPDATA%\LASER Workbench`, else `~\AppData\Roaming\LASER Workbench`.
 * `resolveDataDir` is pure: the environment, platform and home folder are passed in, so every
 * branch is tested on any machine; `dataDirOfProcess` feeds it this process's.
 */
import { homedir } from 'node:os';
import path from 'node:path';

export const DATA_DIR_ENV = 'LASER_DATA_DIR';

/** The folder name under the platform's data home (Linux: lower case, as XDG names go). */
const APP_FOLDER = { unix: 'laser-workbench', named: 'LASER Workbench' } as const;

export interface DataDirInputs {
  /** `--data-dir` as given (relative paths are read against `cwd`). */
  flag?: string | null;
  env: Readonly<Record<string, string | undefined>>;
  platform: NodeJS.Platform;
  /** The user's home folder. */
  home: string;
  /** Where relative paths are read from; default: the platform's root. */
  cwd?: string;
}

export type DataDirSource = 'flag' | 'env' | 'platform';

/** The data folder (absolute) and what chose it. */
export function resolveDataDir(inputs: DataDirInputs): { dir: string; source: DataDirSource } {
  const p = inputs.platform === 'win32' ? path.win32 : path.posix;
  const cwd = inputs.cwd ?? (inputs.platform === 'win32' ? inputs.home : '/');
  const given = (v: string | null | undefined) => (v !== undefined && v !== null && v.trim() !== '' ? v : null);
  const flag = given(inputs.flag);
  if (flag) return { dir: p.resolve(cwd, expandTilde(flag, inputs.home, p)), source: 'flag' };
  const env = given(inputs.env[DATA_DIR_ENV]);
  if (env) return { dir: p.resolve(cwd, expandTilde(env, inputs.home, p)), source: 'env' };
  return { dir: platformDataDir(inputs.platform, inputs.env, inputs.home), source: 'platform' };
}

/** The platform's convention alone (no flag, no $LASER_DATA_DIR). */
export function platformDataDir(platform: NodeJS.Platform, env: Readonly<Record<string, string | undefined>>, home: string): string {
  if (platform === 'win32') return path.win32.join(given(env.APPDATA) ?? path.win32.join(home, 'AppData', 'Roaming'), APP_FOLDER.named);
  if (platform === 'darwin') return path.posix.join(home, 'Library', 'Application Support', APP_FOLDER.named);
  // XDG: a relative $XDG_DATA_HOME is invalid and must be ignored.
  const xdg = given(env.XDG_DATA_HOME);
  return path.posix.join(xdg && path.posix.isAbsolute(xdg) ? xdg : path.posix.join(home, '.local', 'share'), APP_FOLDER.unix);
}

function given(v: string | undefined): string | null {
  return v !== undefined && v.trim() !== '' ? v : null;
}

function expandTilde(p: string, home: string, paths: path.PlatformPath): string {
  if (p === '~') return home;
  if (p.startsWith('~/') || p.startsWith('~\\')) return paths.join(home, p.slice(2));
  return p;
}

/** The data folder of this process: `flag`, else $LASER_DATA_DIR, else the platform's convention. */
export function dataDirOfProcess(flag?: string | null): string {
  return resolveDataDir({ flag, env: process.env, platform: process.platform, home: homedir(), cwd: process.cwd() }).dir;
}
