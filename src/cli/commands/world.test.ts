import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it, vi } from 'vitest';
import { DEFAULT_COUNTS } from '../../engine/world/questions.ts';
import { objectRange, parseQuestionCounts, registerWorld } from './world.ts';

describe('laser world generate', () => {
  it('reads per-family question counts, keeping the defaults of families not named', () => {
    expect(parseQuestionCounts('attribute=4,glyph=0', DEFAULT_COUNTS)).toEqual({ ...DEFAULT_COUNTS, attribute: 4, glyph: 0 });
    expect(() => parseQuestionCounts('colour=2', DEFAULT_COUNTS)).toThrow(/family=count/);
    expect(() => parseQuestionCounts('attribute=-1', DEFAULT_COUNTS)).toThrow(/family=count/);
  });

  it('reads an object range min-max within 1..12', () => {
    expect(objectRange('1-3')).toEqual([1, 3]);
    expect(() => objectRange('3-1')).toThrow(/min-max/);
    expect(() => objectRange('0-2')).toThrow(/min-max/);
    expect(() => objectRange('2')).toThrow(/min-max/);
  });

  it('writes a world folder from the command line', async () => {
    const root = await mkdtemp(join(tmpdir(), 'laser-world-cli-'));
    try {
      const program = new Command().exitOverride();
      registerWorld(program);
      const out = join(root, 'w');
      await program.parseAsync([
        'node',
        'laser',
        'world',
        'generate',
        '--seed',
        '9',
        '--count',
        '3',
        '--out',
        out,
        '--questions',
        'existence=4',
        '--objects',
        '2-2',
      ]);
      const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8')) as {
        seed: number;
        count: number;
        objects: number[];
        questionCounts: { existence: number };
      };
      expect([manifest.seed, manifest.count, manifest.objects, manifest.questionCounts.existence]).toEqual([9, 3, [2, 2], 4]);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('world export writes every layout and prints the laser eval line of each', async () => {
    const root = await mkdtemp(join(tmpdir(), 'laser-world-export-'));
    const printed: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    try {
      const program = new Command().exitOverride();
      registerWorld(program);
      await program.parseAsync(['node', 'laser', 'world', 'generate', '--seed', '4', '--count', '2', '--out', join(root, 'w')]);
      process.stdout.write = ((chunk: string) => (printed.push(chunk), true)) as typeof process.stdout.write;
      await program.parseAsync(['node', 'laser', 'world', 'export', '--data', join(root, 'w'), '--out', join(root, 'x')]);
    } finally {
      process.stdout.write = write;
    }
    try {
      const lines = printed.join('').trim().split('\n');
      expect(lines.map((l) => l.split(':')[0])).toEqual([
        'pope',
        'pope-llava',
        'pope-lmms',
        'textvqa',
        'aokvqa',
        'aokvqa-mc',
        'vqav2',
        'vicrop',
        'refcoco',
        'refcoco-lmms',
      ]);
      expect(lines[8]).toBe(
        `refcoco: ${lines[8].split(' ')[1]} samples: laser eval --data ${join(root, 'x', 'refer', 'refcoco')} --format refcoco --images ${join(root, 'x', 'coco')}`,
      );
      expect(lines[5]).toContain('--protocol mc');
      expect((await readFile(join(root, 'x', 'refer', 'refcoco', 'refs(unc).p'))).subarray(0, 2)).toEqual(Buffer.from([0x80, 2]));
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('--json reports the scenes as JSON progress lines on stderr', async () => {
    const root = await mkdtemp(join(tmpdir(), 'laser-world-cli-'));
    const written: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => (written.push(String(s)), true));
    try {
      const program = new Command().exitOverride();
      registerWorld(program);
      await program.parseAsync(['node', 'laser', 'world', 'generate', '--seed', '1', '--count', '2', '--out', join(root, 'w'), '--json']);
    } finally {
      spy.mockRestore();
      await rm(root, { recursive: true, force: true });
    }
    const events = written.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { task: string; done: number; total: number });
    expect(events.map((e) => [e.task, e.done, e.total])).toEqual([
      ['scenes', 1, 2],
      ['scenes', 2, 2],
    ]);
    expect(written.join('')).toMatch(/^wrote .*: 2 scenes/m);
  });
});
