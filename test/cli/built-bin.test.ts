/**
 * The `laser` bin runs built JavaScript (scripts/build-cli.mjs → out/cli/<build>/), not TypeScript
 * through a loader: tsx is a development dependency only, and the build holds no import of it.
 * The build is named by its sources, so an edited source makes the current build stale.
 */
import { execFile } from 'node:child_process';
import { readdir, readFile, utimes, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');
const run = promisify(execFile);

describe('the laser bin', () => {
  it('has no TypeScript loader among the runtime dependencies', async () => {
    const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    expect(pkg.dependencies.tsx).toBeUndefined();
    expect(pkg.devDependencies.tsx).toBeDefined();
    expect(pkg.devDependencies.esbuild).toBeDefined();
    expect(await readFile(join(root, 'bin/laser.js'), 'utf8')).not.toMatch(/from 'tsx|\.ts['"]/);
  });

  it('runs a build of the sources with no import of tsx, rebuilt when a source changes', async () => {
    const { stdout } = await run(process.execPath, [join(root, 'bin/laser.js'), '--version']);
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const { builtEntry, sourceFingerprint } = (await import(join(root, 'scripts/build-cli.mjs'))) as {
      builtEntry(): string | null;
      sourceFingerprint(): string | null;
    };
    const entry = builtEntry();
    expect(entry).not.toBeNull();
    const dir = join(entry!, '..');
    for (const f of (await readdir(dir)).filter((n) => n.endsWith('.js'))) expect(await readFile(join(dir, f), 'utf8'), f).not.toMatch(/from\s*["']tsx/);
    expect(await readdir(dir)).toContain('inference-worker.js');

    // A touched source: another fingerprint, so the bin builds again before it runs.
    const source = join(root, 'src/cli/index.ts');
    const before = await stat(source);
    const fingerprint = sourceFingerprint();
    try {
      await utimes(source, before.atime, new Date(before.mtimeMs + 5000));
      expect(sourceFingerprint()).not.toBe(fingerprint);
      expect(builtEntry()).toBeNull();
    } finally {
      // Back to the same millisecond, the resolution of the fingerprint. Not `before.mtime`: a Date goes
      // through seconds as a double, which lands just below its millisecond about half the time.
      await utimes(source, before.atime, (Math.floor(before.mtimeMs) + 0.5) / 1000);
    }
    expect(sourceFingerprint()).toBe(fingerprint);
  });
});
