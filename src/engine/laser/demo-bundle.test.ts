import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TINY_CHECKPOINT, writeWordTokenizer } from '../../../test/laser/support/tiny-laser-bundle.ts';
import { openBundle } from '../bundle/open-bundle.ts';
import { demoBundle } from './demo-bundle.ts';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'laser-demo-'));
});
afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

describe('demoBundle', () => {
  it('says to pass --bundle when the demo model is not there', async () => {
    await expect(demoBundle({ cacheRoot: root, source: join(root, 'absent') })).rejects.toMatchObject({
      code: 'not-found',
      hint: expect.stringContaining('--bundle'),
    });
  });

  it('compiles the checkpoint into the cache once, then reuses it', async () => {
    const source = join(root, 'laser-demo');
    await mkdir(source);
    for (const f of ['config.json', 'model.safetensors']) await copyFile(join(TINY_CHECKPOINT, f), join(source, f));
    await writeWordTokenizer(source, { vocabSize: 300, imageTokenId: 296 });
    let compiles = 0;
    const first = await demoBundle({ cacheRoot: join(root, 'cache'), source, onCompileStart: () => compiles++ });
    expect(first.startsWith(join(root, 'cache', 'bundles', 'laser-demo-'))).toBe(true);
    expect((await openBundle(first)).manifest.tokenizer).not.toBeNull();
    const second = await demoBundle({ cacheRoot: join(root, 'cache'), source, onCompileStart: () => compiles++ });
    expect(second).toBe(first);
    expect(compiles).toBe(1);
  });

  it('uses a demo folder that is already a bundle as it is', async () => {
    const cache = join(root, 'cache');
    const bundle = await demoBundle({ cacheRoot: cache, source: join(root, 'laser-demo') });
    expect(await demoBundle({ cacheRoot: cache, source: bundle })).toBe(bundle);
  });
});
