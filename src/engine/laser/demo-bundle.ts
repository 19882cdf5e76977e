/**
 * The bundle `laser run` uses when none is given: the shipped demo model. It ships as a Hugging Face
 * checkpoint folder (resources/models/laser-demo) and is compiled on first use into the cache, under
 * a name derived from its files (names, sizes, modification times) and the compiler version, so an
 * updated demo model or compiler compiles again and an unchanged one never does. A folder that is
 * already a bundle (it has manifest.json) is used as it is.
 */
import { createHash } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { WorkbenchError } from '../../common/contract/errors.ts';
import { COMPILER_VERSION } from '../bundle/manifest.ts';
import { openBundle } from '../bundle/open-bundle.ts';
import { compileBundle, type CompileProgress } from '../compiler/compile.ts';
import { packageRoot } from '../library/package-root.ts';

export const DEMO_MODEL_DIR = join(packageRoot(), 'resources', 'models', 'laser-demo');

export interface DemoBundleOptions {
  /** Where compiled bundles are kept (cache.ts defaultCacheRoot()). */
  cacheRoot: string;
  /** Defaults to DEMO_MODEL_DIR. */
  source?: string;
  onCompileStart?: () => void;
  onProgress?: (p: CompileProgress) => void;
  signal?: AbortSignal;
}

async function exists(p: string): Promise<boolean> {
  return (await stat(p).catch(() => null)) !== null;
}

async function sourceKey(dir: string): Promise<string> {
  const h = createHash('sha256').update(`compiler ${COMPILER_VERSION}\n`);
  for (const name of (await readdir(dir)).sort()) {
    const s = await stat(join(dir, name));
    if (s.isFile()) h.update(`${name}\t${s.size}\t${Math.floor(s.mtimeMs)}\n`);
  }
  return h.digest('hex').slice(0, 16);
}

/** The demo bundle's folder, compiling it first if needed; 'not-found' (saying to pass --bundle) when there is no demo model. */
export async function demoBundle(o: DemoBundleOptions): Promise<string> {
  const source = o.source ?? DEMO_MODEL_DIR;
  if (await exists(join(source, 'manifest.json'))) return source;
  if (!(await exists(join(source, 'config.json')))) {
    throw new WorkbenchError(
      'not-found',
      `No bundle was given, and the demo model is not installed (${source} has no config.json).`,
      'Pass --bundle <dir>, a folder written by `laser compile <checkpoint> <dir>`.',
    );
  }
  const target = join(o.cacheRoot, 'bundles', `laser-demo-${await sourceKey(source)}`);
  if (await exists(join(target, 'manifest.json'))) {
    const usable = await openBundle(target).then(
      () => true,
      () => false,
    );
    if (usable) return target;
  }
  o.onCompileStart?.();
  await compileBundle(source, target, { onProgress: o.onProgress, signal: o.signal });
  return target;
}
