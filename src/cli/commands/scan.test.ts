import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeImageFolder } from '../../../test/support/images.ts';
import type { ImageFolder } from '../../../test/support/images.ts';
import { entryLine, humanBytes, registerScan } from './scan.ts';

let tmp: string;
let folder: ImageFolder;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'laser-cli-scan-'));
  folder = await makeImageFolder(path.join(tmp, 'photos'), { count: 6, broken: true, nested: true });
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

function harness() {
  const out: string[] = [];
  const err: string[] = [];
  const program = new Command('laser').exitOverride();
  registerScan(program, { stdout: (l) => out.push(l), stderr: (l) => err.push(l) });
  return { run: (...args: string[]) => program.parseAsync(['node', 'laser', 'scan', ...args]), out, err };
}

describe('laser scan', () => {
  it('prints each image with its size, format, bytes and relative path', async () => {
    const h = harness();
    await h.run(folder.root);
    const img = folder.images.find((i) => i.relPath === 'animals/img-00001.jpg')!;
    expect(h.out).toContain(`${`${img.width}x${img.height}`.padStart(11)}  jpeg  ${humanBytes(img.bytes).padStart(8)}  animals/img-00001.jpg`);
  });

  it('prints each broken file with the reason, and a summary line last', async () => {
    const h = harness();
    await h.run(folder.root);
    expect(h.out).toContain('BROKEN  broken/empty.png: empty file (0 bytes)');
    expect(h.out).toContain('BROKEN  broken/huge.png: too large: 100000 x 100000 pixels exceeds the limit of 100000000 pixels');
    expect(h.out.at(-1)).toMatch(new RegExp(`^${folder.images.length + 5} images \\(3 broken\\) in 7 folders, [0-9.]+ s: `));
    expect(h.err).toEqual(['warning: Symbolic link loop: "animals/loop" points back to the scanned folder itself; not followed.']);
  });

  it('catches the truncated PNG with --verify', async () => {
    const h = harness();
    await h.run('--verify', folder.root);
    expect(h.out.some((l) => l.startsWith('BROKEN  broken/truncated.png: '))).toBe(true);
  });

  it('prints JSON lines with --json, entries then the summary', async () => {
    const h = harness();
    await h.run('--json', folder.root);
    const lines = h.out.map((l) => JSON.parse(l) as { type: string; found?: number });
    expect(lines.at(-1)).toMatchObject({ type: 'summary', found: lines.length - 1 });
    expect(lines.slice(0, -1).every((l) => l.type === 'entry')).toBe(true);
  });

  it('formats byte counts for people', () => {
    expect([humanBytes(999), humanBytes(1500), humanBytes(2_500_000), humanBytes(3_210_000_000)]).toEqual(['999 B', '1.5 kB', '2.5 MB', '3.21 GB']);
    expect(entryLine({ path: '/a', relPath: 'a.png', name: 'a.png', bytes: 0, mtimeMs: 0, error: 'empty file (0 bytes)' })).toBe(
      'BROKEN  a.png: empty file (0 bytes)',
    );
  });

  it('exits 0 with broken files and 1 with a clear message for a missing folder', () => {
    const laser = path.resolve('bin/laser.js');
    const ok = spawnSync(process.execPath, [laser, 'scan', folder.root], { encoding: 'utf8' });
    expect(ok.status).toBe(0);
    const missing = spawnSync(process.execPath, [laser, 'scan', path.join(tmp, 'absent')], { encoding: 'utf8' });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain(`error: The folder ${path.join(tmp, 'absent')} does not exist.`);
  });
});
