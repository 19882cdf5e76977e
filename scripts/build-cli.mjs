// Builds the `laser` command's JavaScript: src/cli/index.ts and the inference worker
// (src/engine/inference/worker-entry.ts) bundled by esbuild into out/cli/<build>/, dependencies left
// in node_modules. bin/laser.js runs it, and calls `ensureCliBuilt` first, so `npx laser` in a fresh
// clone works after `npm ci` with no install script; `npm run build:cli` builds it ahead.
//
// A build is named by a fingerprint of its sources (every file under src/ and package.json: path,
// size, mtime), so a process already running keeps its own chunks while a newer build is written
// beside it, and two commands started at once build the same folder once; `out/cli/current.json`
// names the newest.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..');
const outRoot = join(root, 'out', 'cli');

/** The sources' fingerprint, or null where there are none (an installation without src/). */
export function sourceFingerprint() {
  const src = join(root, 'src');
  if (!existsSync(src)) return null;
  const hash = createHash('sha256');
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.(ts|tsx|mjs|js|json)$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name)) {
        const s = statSync(path);
        hash.update(`${relative(root, path)}:${s.size}:${Math.floor(s.mtimeMs)}\n`);
      }
    }
  };
  walk(src);
  const pkg = statSync(join(root, 'package.json'));
  hash.update(`package.json:${pkg.size}:${Math.floor(pkg.mtimeMs)}\n`);
  return hash.digest('hex').slice(0, 16);
}

function current() {
  try {
    return JSON.parse(readFileSync(join(outRoot, 'current.json'), 'utf8')).build;
  } catch {
    return null;
  }
}

/** The entry of the newest build, when there is one and (in a checkout) it matches the sources. */
export function builtEntry() {
  const build = current();
  if (!build || !existsSync(join(outRoot, build, 'index.js'))) return null;
  const fingerprint = sourceFingerprint();
  return fingerprint === null || fingerprint === build ? join(outRoot, build, 'index.js') : null;
}

/** Builds out/cli/<fingerprint>/ (unless it is there), makes it current, and returns its entry. */
export async function buildCli() {
  const build = sourceFingerprint();
  if (build === null) throw new Error('There is no src/ folder to build the laser command from.');
  const dir = join(outRoot, build);
  if (!existsSync(join(dir, 'index.js'))) {
    const { build: esbuild } = await import('esbuild');
    const partial = `${dir}.partial-${process.pid}`;
    await rm(partial, { recursive: true, force: true });
    await esbuild({
      absWorkingDir: root,
      entryPoints: { index: 'src/cli/index.ts', 'inference-worker': 'src/engine/inference/worker-entry.ts' },
      outdir: partial,
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      packages: 'external',
      sourcemap: 'linked',
      logLevel: 'error',
    });
    await rename(partial, dir).catch(async (e) => {
      // Another command built the same sources first: use its folder.
      await rm(partial, { recursive: true, force: true });
      if (!existsSync(join(dir, 'index.js'))) throw e;
    });
  }
  const pointer = join(outRoot, `current.json.${process.pid}`);
  await writeFile(pointer, `${JSON.stringify({ build })}\n`);
  await rename(pointer, join(outRoot, 'current.json'));
  await removeOldBuilds(build);
  return join(dir, 'index.js');
}

/** Builds other than `keep` that are over an hour old (a command still running an older build keeps it meanwhile). */
async function removeOldBuilds(keep) {
  const hourAgo = Date.now() - 3600_000;
  for (const name of await readdir(outRoot).catch(() => [])) {
    if (name === keep || name.startsWith('current.json')) continue;
    const path = join(outRoot, name);
    const s = await stat(path).catch(() => null);
    if (s && s.mtimeMs < hourAgo) await rm(path, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** The entry to run: the current build, else a fresh one. */
export async function ensureCliBuilt() {
  const entry = builtEntry();
  if (entry) return entry;
  await mkdir(outRoot, { recursive: true });
  return buildCli();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const entry = await buildCli();
  process.stdout.write(`built ${relative(root, entry)}\n`);
}
