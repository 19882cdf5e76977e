import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { compileBundle } from '../compiler/compile.ts';
import { openBundle } from './open-bundle.ts';

const fixture = join(import.meta.dirname, '../../../test/fixtures/hf-golden/llava15_tiny/checkpoint');
let tmp: string;
let good: string;
let b: string;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'laser-open-'));
  good = join(tmp, 'good');
  await compileBundle(fixture, good);
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});
beforeEach(async () => {
  b = join(tmp, `b${Math.random().toString(36).slice(2)}`);
  await cp(good, b, { recursive: true });
});

async function editManifest(edit: (m: Record<string, unknown>) => void): Promise<void> {
  const m = JSON.parse(await readFile(join(b, 'manifest.json'), 'utf8')) as Record<string, unknown>;
  edit(m);
  await writeFile(join(b, 'manifest.json'), JSON.stringify(m));
}

describe('openBundle', () => {
  it('opens a compiled bundle and gives the graph paths', async () => {
    const o = await openBundle(b);
    expect(o.graphs.decoder).toBe(join(b, 'decoder.onnx'));
    expect(o.graphs.decoderAttention).toBe(join(b, 'decoder-attention.onnx'));
    expect(o.tokenizerDir).toBeNull();
    expect(o.manifest.format).toBe('laser-bundle');
  });

  it('names a missing folder, a missing manifest and broken JSON', async () => {
    await expect(openBundle(join(tmp, 'absent'))).rejects.toMatchObject({ code: 'not-found' });
    await writeFile(join(b, 'manifest.json'), '{');
    await expect(openBundle(b)).rejects.toMatchObject({ code: 'invalid-bundle', message: expect.stringMatching(/manifest\.json: not valid JSON/) });
    await rm(join(b, 'manifest.json'));
    await expect(openBundle(b)).rejects.toMatchObject({ code: 'invalid-bundle', message: expect.stringMatching(/no manifest\.json/) });
  });

  it('refuses another format or format version, suggesting an update for a newer one', async () => {
    await editManifest((m) => (m.format = 'onnx-pack'));
    await expect(openBundle(b)).rejects.toMatchObject({ code: 'invalid-bundle', message: expect.stringMatching(/format is "onnx-pack"/) });
    await editManifest((m) => {
      m.format = 'laser-bundle';
      m.formatVersion = 3;
    });
    await expect(openBundle(b)).rejects.toMatchObject({
      code: 'invalid-bundle',
      message: expect.stringMatching(/version 3; this build reads versions 1 and 2/),
      hint: expect.stringMatching(/Update/),
    });
    await editManifest((m) => (m.formatVersion = 0));
    await expect(openBundle(b)).rejects.toMatchObject({
      code: 'invalid-bundle',
      message: expect.stringMatching(/version 0/),
      hint: expect.stringMatching(/laser compile/),
    });
  });

  it('names the invalid field', async () => {
    await editManifest((m) => ((m.text as Record<string, unknown>).heads = -4));
    await expect(openBundle(b)).rejects.toMatchObject({ code: 'invalid-bundle', message: expect.stringMatching(/field "text\.heads" is invalid/) });
  });

  it('names a missing graph or weight file', async () => {
    await rm(join(b, 'decoder-attention.onnx'));
    await expect(openBundle(b)).rejects.toMatchObject({ code: 'invalid-bundle', message: expect.stringMatching(/missing decoder-attention\.onnx/) });
    await rm(join(b, 'decoder.onnx.data'));
    await expect(openBundle(b)).rejects.toMatchObject({ code: 'invalid-bundle', message: expect.stringMatching(/missing decoder\.onnx\.data/) });
  });

  it('accepts a bundle without the optional full-attention decoder', async () => {
    await rm(join(b, 'decoder-attention.onnx'));
    await editManifest((m) => delete (m.graphs as Record<string, unknown>).decoderAttention);
    expect((await openBundle(b)).graphs.decoderAttention).toBeNull();
  });

  it('checks listed tokenizer files and refuses names that leave the bundle', async () => {
    await editManifest((m) => (m.tokenizer = { dir: 'tokenizer', files: ['tokenizer.json'] }));
    await expect(openBundle(b)).rejects.toMatchObject({ code: 'invalid-bundle', message: expect.stringMatching(/missing tokenizer\/tokenizer\.json/) });
    await mkdir(join(b, 'tokenizer'));
    await writeFile(join(b, 'tokenizer', 'tokenizer.json'), '{}');
    expect((await openBundle(b)).tokenizerDir).toBe(join(b, 'tokenizer'));
    await editManifest((m) => (m.tokenizer = { dir: 'tokenizer', files: ['../../etc/passwd'] }));
    await expect(openBundle(b)).rejects.toMatchObject({ code: 'invalid-bundle', message: expect.stringMatching(/tokenizer\.files\.0/) });
  });
});
