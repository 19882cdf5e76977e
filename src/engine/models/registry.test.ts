import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelRegistry, REGISTRY_FILE, slugify, type RegisteredModel } from './registry.ts';

let tmp: string;
let n = 0;
const fresh = async () => {
  const dir = path.join(tmp, `data-${n++}`);
  return dir;
};
const entry = (id: string, dir = `/bundles/${id}`): RegisteredModel => ({ id, dir, source: 'bundle', checkpoint: null, addedAt: '2026-01-01T00:00:00.000Z' });

beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'laser-registry-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('slugify', () => {
  it('makes readable ids from folder names', () => {
    expect(slugify('llava-1.5-7b-hf')).toBe('llava-1-5-7b-hf');
    expect(slugify('  Mon Modèle__v2 ')).toBe('mon-modele-v2');
    expect(slugify('???')).toBe('model');
    expect(slugify('x'.repeat(60))).toHaveLength(48);
  });
});

describe('ModelRegistry', () => {
  it('keeps registrations across instances (a restart)', async () => {
    const dir = await fresh();
    const a = new ModelRegistry(dir);
    await a.put(entry('one'));
    await a.put(entry('two'));
    await a.remove('one');
    const b = new ModelRegistry(dir);
    expect(await b.list()).toEqual([entry('two')]);
    expect(await b.findByDir('/bundles/two/')).toEqual(entry('two'));
    expect(await b.get('one')).toBeNull();
  });

  it('picks a free id, skipping registered ones and those refused by the caller', async () => {
    const r = new ModelRegistry(await fresh());
    await r.put(entry('llava'));
    expect(await r.freeId('llava')).toBe('llava-2');
    expect(await r.freeId('llava', (id) => id === 'llava-2')).toBe('llava-3');
    expect(await r.freeId('other')).toBe('other');
  });

  it('moves a damaged file aside with a warning and starts empty', async () => {
    const dir = await fresh();
    const warnings: string[] = [];
    await new ModelRegistry(dir).put(entry('one'));
    await writeFile(path.join(dir, REGISTRY_FILE), '{"version": 1, "models": [{"id": 3}]}');
    const r = new ModelRegistry(dir, { onWarning: (m) => warnings.push(m) });
    expect(await r.list()).toEqual([]);
    expect(warnings[0]).toMatch(/could not be read as the model list \(models\.0\.id/);
    expect((await readdir(dir)).some((f) => f.startsWith(`${REGISTRY_FILE}.corrupt-`))).toBe(true);
    await r.put(entry('two'));
    expect(JSON.parse(await readFile(path.join(dir, REGISTRY_FILE), 'utf8')).models).toEqual([entry('two')]);
  });

  it('fails a save loudly: a model the user added must not silently vanish', async () => {
    const blocker = path.join(tmp, 'a-file');
    await writeFile(blocker, '');
    const r = new ModelRegistry(path.join(blocker, 'data'));
    await expect(r.put(entry('one'))).rejects.toThrow();
  });
});
