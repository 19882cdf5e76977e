/**
 * Bad inputs fed to `laser` as a user would (bin/laser.js in a child process): every case must end
 * with exit 1 and exactly one `error:` line (plus at most a `hint:`), never a stack trace, a crash
 * or a hang. The cases come from the seeded generators in generators.ts: a bounded sample here,
 * FUZZ_RUNS seeds per generator under `npm run fuzz`.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileTinyLaserBundle, type TinyLaserBundle } from '../laser/support/tiny-laser-bundle.ts';
import { corruptImage, missingFolder, questionWithoutImage, RUNS, truncatedSafetensors, unknownArchitecture, type Case } from './generators.ts';
import { count, flushTally, type Group } from './tally.ts';

const bin = join(import.meta.dirname, '../../bin/laser.js');
const exec = promisify(execFile);
const seeds = RUNS > 0 ? RUNS : 3;
let tiny: TinyLaserBundle;
let work: string;

beforeAll(async () => {
  tiny = await compileTinyLaserBundle();
  work = await mkdtemp(join(tmpdir(), 'laser-fuzz-'));
});
afterAll(async () => {
  flushTally('bad-inputs');
  await tiny?.dispose();
  if (work) await rm(work, { recursive: true, force: true });
});

async function outcome(c: Case): Promise<{ code: number | null; lines: string[] }> {
  const env = { ...process.env, LASER_DATA_DIR: join(work, 'data'), LASER_CACHE_DIR: join(work, 'cache') };
  try {
    await exec(process.execPath, [bin, ...c.args], { env, timeout: 60_000 });
    return { code: 0, lines: [] };
  } catch (e) {
    const { code, stderr, killed } = e as { code: number | null; stderr: string; killed: boolean };
    if (killed) {
      if (current) count(current, 'hang');
      throw new Error(`${c.name}: no answer within 60 s (a hang)`);
    }
    return { code, lines: stderr.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('npm warn')) };
  }
}

let current: Group | null = null;

function expectOneLineError(c: Case, r: { code: number | null; lines: string[] }): void {
  const shown = `${c.name}: laser ${c.args.join(' ')}\n${r.lines.join('\n')}`;
  const group = current!;
  if (r.code === 0) count(group, 'silent acceptance');
  else if (r.code !== 1 || r.lines.some((l) => /^\s+at /.test(l) || l.startsWith('error: internal error'))) count(group, 'crash');
  else count(group, 'clear error');
  expect(r.code, shown).toBe(1);
  expect(
    r.lines.filter((l) => l.startsWith('error: ')),
    shown,
  ).toHaveLength(1);
  expect(
    r.lines.filter((l) => /^\s+at /.test(l) || /^\w*Error: /.test(l)),
    shown,
  ).toEqual([]);
  expect(
    r.lines.filter((l) => l.startsWith('error: internal error')),
    shown,
  ).toEqual([]);
  expect(r.lines.find((l) => l.startsWith('error: '))!.length, shown).toBeLessThan(600);
}

const generators = {
  'a corrupt image': (dir: string, seed: number) => corruptImage(dir, seed, tiny.bundle),
  'a truncated safetensors file': truncatedSafetensors,
  'a config of an unknown architecture': unknownArchitecture,
  'a missing folder': (dir: string, seed: number) => missingFolder(dir, seed, tiny.bundle),
  'a question with no image': (dir: string, seed: number) => questionWithoutImage(dir, seed, tiny.bundle),
} as const;
const groups: Record<keyof typeof generators, Group> = {
  'a corrupt image': 'images',
  'a truncated safetensors file': 'safetensors',
  'a config of an unknown architecture': 'configs',
  'a missing folder': 'file-system faults',
  'a question with no image': 'images',
};

describe('laser on bad input: one line, no stack trace', () => {
  for (const [what, make] of Object.entries(generators)) {
    it(
      `${what} (${seeds} seeds)`,
      async () => {
        current = groups[what as keyof typeof generators];
        for (let seed = 0; seed < seeds; seed++) {
          const c = await make(join(work, 'cases'), seed);
          expectOneLineError(c, await outcome(c));
        }
      },
      60_000 * seeds,
    );
  }
});
