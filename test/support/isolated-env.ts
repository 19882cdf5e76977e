/**
 * An environment whose home, data folder and XDG folders all lie under `root`, for tests that start
 * the CLI or a host: the data folder's one-time move of earlier versions' stores
 * (src/engine/settings/legacy-stores.ts) must never touch the real home's.
 */
import { join } from 'node:path';

export function isolatedEnv(root: string, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...base,
    HOME: join(root, 'home'),
    USERPROFILE: join(root, 'home'),
    LASER_DATA_DIR: join(root, 'data'),
    XDG_DATA_HOME: join(root, 'xdg-data'),
    XDG_CACHE_HOME: join(root, 'xdg-cache'),
    XDG_CONFIG_HOME: join(root, 'xdg-config'),
  };
  delete env.LASER_CACHE_DIR;
  return env;
}

/** Sets `isolatedEnv(root)` on this process (for in-process CLI calls); returns the undo. */
export function isolateProcessEnv(root: string): () => void {
  const saved = { ...process.env };
  const next = isolatedEnv(root);
  for (const k of Object.keys(process.env)) if (!(k in next)) delete process.env[k];
  Object.assign(process.env, next);
  return () => {
    for (const k of Object.keys(process.env)) delete process.env[k];
    Object.assign(process.env, saved);
  };
}
