import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testManifest, testRow } from '../../../test/eval/support/run-folder.ts';
import {
  canonicalRows,
  differences,
  differenceText,
  hashFiles,
  idHash,
  openRun,
  readRows,
  rowLine,
  shardOf,
  type RunManifest,
  type RunRow,
} from './run-folder.ts';
import { at, field } from '../../../test/support/index-access.ts';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'eval-run-folder-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const row = testRow;
const manifest = (o: Partial<RunManifest> = {}): RunManifest => testManifest(2, o);

describe('results.jsonl', () => {
  it('reads whole lines; a half-written tail (no newline, or an unparsable last line) is cut; a bad line inside names its number', async () => {
    const file = join(tmp, 'r.jsonl');
    const a = rowLine(row('random/1', 0, 'vanilla'));
    const b = rowLine(row('random/1', 0, 'laser'));
    await writeFile(file, a + b + b.slice(0, 20));
    expect(await readRows(file)).toMatchObject({ rows: [{ method: 'vanilla' }, { method: 'laser' }], keepBytes: a.length + b.length, partial: true });
    await writeFile(file, a + '{"id": "random/1", "ind\n');
    expect(await readRows(file)).toMatchObject({ rows: [{ method: 'vanilla' }], keepBytes: a.length, partial: true });
    await writeFile(file, a + '{oops\n' + b);
    await expect(readRows(file)).rejects.toThrow(`${file}:2: not a result row (not JSON)`);
    expect(await readRows(join(tmp, 'none.jsonl'))).toEqual({ rows: [], keepBytes: 0, partial: false });
  });

  it('canonical order: dataset index, then the methods as the manifest lists them', () => {
    const rows = [row('b', 1, 'vanilla'), row('a', 0, 'laser'), row('b', 1, 'laser'), row('a', 0, 'vanilla')];
    expect(canonicalRows(rows, ['vanilla', 'laser']).map((r) => `${r.id}:${r.method}`)).toEqual(['a:vanilla', 'a:laser', 'b:vanilla', 'b:laser']);
  });
});

describe('run folder', () => {
  it('resumes: keeps ok rows, cuts a half-written line, makes error rows again, and puts the rows in canonical order when complete', async () => {
    const dir = join(tmp, 'run');
    const first = await openRun({ dir, manifest: manifest() });
    await first.append(row('random/1', 0, 'vanilla'));
    await first.append(row('random/1', 0, 'laser', { status: 'error', reason: 'image x not found', score: null, pope: null, prediction: '' }));
    await first.close();
    expect(JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8'))).toMatchObject({
      complete: false,
      rows: 2,
      expected: 4,
      errors: { laser: 1, vanilla: 0 },
    });
    await writeFile(join(dir, 'results.jsonl'), (await readFile(join(dir, 'results.jsonl'), 'utf8')) + '{"id":"ran');

    const again = await openRun({ dir, manifest: manifest({ startedAt: '2026-01-02T00:00:00.000Z' }) });
    expect([again.resumed, again.cutPartial, again.retried]).toEqual([1, true, 1]);
    expect([again.has('random/1', 'vanilla'), again.has('random/1', 'laser')]).toEqual([true, false]);
    expect(again.manifest).toMatchObject({ startedAt: '2026-01-01T00:00:00.000Z', resumedAt: ['2026-01-02T00:00:00.000Z'] });
    await again.append(row('random/2', 1, 'laser'));
    await again.append(row('random/2', 1, 'vanilla'));
    await again.append(row('random/1', 0, 'laser'));
    const summary = await again.close();
    expect(summary).toMatchObject({ complete: true, rows: 4, errors: { vanilla: 0, laser: 0 } });
    expect(field(summary.methods, 'laser').accuracy).toMatchObject({ mean: 1, samples: 2 });
    const lines = (await readFile(join(dir, 'results.jsonl'), 'utf8')).split('\n').filter(Boolean);
    // rewritten rows keep the key order of rowOf
    expect(lines[0]).toBe(rowLine(row('random/1', 0, 'vanilla')).trim());
    expect(lines.map((l) => JSON.parse(l) as RunRow).map((r) => `${r.index}:${r.method}`)).toEqual(['0:vanilla', '0:laser', '1:vanilla', '1:laser']);
    expect((JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as RunManifest).endedAt).not.toBeNull();
  });

  it('refuses other settings or another shard (naming them), and rows without a manifest; --force-new starts over', async () => {
    const dir = join(tmp, 'other');
    await (await openRun({ dir, manifest: manifest() })).close();
    const other = manifest();
    other.identity = { ...other.identity, knobs: { vanilla: {}, laser: { kHead: 2 } } };
    await expect(openRun({ dir, manifest: other })).rejects.toThrow(`${dir} holds another run (identity.knobs.laser.kHead 2 here, 4 there).`);
    await expect(openRun({ dir, manifest: manifest({ shard: { index: 0, count: 2 } }) })).rejects.toThrow('shard {"index":0,"count":2} here, null there');
    const fresh = await openRun({ dir, manifest: other, forceNew: true });
    expect(fresh.resumed).toBe(0);
    await fresh.close();
    const orphan = join(tmp, 'orphan');
    await (await openRun({ dir: orphan, manifest: manifest() })).close();
    await rm(join(orphan, 'manifest.json'));
    await expect(openRun({ dir: orphan, manifest: manifest() })).rejects.toThrow('has a results.jsonl but no manifest.json');
  });

  it('differences name the leaves that differ', () => {
    expect(differences({ a: 1, b: { c: [1, 2], d: 'x' } }, { a: 1, b: { c: [1, 3], e: 1 } })).toEqual(['b.c', 'b.d', 'b.e']);
    expect(differenceText({ b: { c: 1 } }, { b: { c: 2 } }, ['b.c'])).toBe('b.c 1 here, 2 there');
  });

  it('hashes files by content, folders by every file under them', async () => {
    const f = join(tmp, 'h.txt');
    await writeFile(f, 'abc');
    const h1 = await hashFiles([f]);
    await writeFile(f, 'abd');
    expect(await hashFiles([f])).not.toBe(h1);
    await writeFile(f, 'abc');
    expect(await hashFiles([f])).toBe(h1);
    expect(await hashFiles([tmp])).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('shards', () => {
  it('FNV-1a of the id, mod n: known values, and a split of 1000 ids that covers each once and is balanced', () => {
    // FNV-1a 32-bit reference values: "" and "a"
    expect(idHash('')).toBe(0x811c9dc5);
    expect(idHash('a')).toBe(0xe40c292c);
    expect(idHash('foobar')).toBe(0xbf9cf968);
    const ids = Array.from({ length: 1000 }, (_, k) => `random/${k}`);
    for (const n of [2, 3, 8]) {
      const counts = new Array<number>(n).fill(0);
      for (const id of ids) {
        const shard = shardOf(id, n);
        counts[shard] = at(counts, shard) + 1;
      }
      expect(counts.reduce((a, b) => a + b, 0)).toBe(1000);
      for (const c of counts) expect(Math.abs(c - 1000 / n)).toBeLessThan(1000 / n / 4);
    }
    expect(shardOf('random/7', 1)).toBe(0);
  });
});
