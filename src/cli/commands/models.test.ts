import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkbench } from '../../engine/service/workbench.ts';
import type { ModelInfo } from '../../common/contract/methods.ts';
import { compileTinyLaserBundle, type TinyLaserBundle } from '../../../test/laser/support/tiny-laser-bundle.ts';
import { isolateProcessEnv } from '../../../test/support/isolated-env.ts';
import { modelLine, registerModels } from './models.ts';

let work: string;
let tiny: TinyLaserBundle;
let restore: () => void;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'laser-cli-models-'));
  restore = isolateProcessEnv(work);
  tiny = await compileTinyLaserBundle();
});
afterAll(async () => {
  restore?.();
  await tiny?.dispose();
  if (work) await rm(work, { recursive: true, force: true });
});

function harness() {
  const out: string[] = [];
  const err: string[] = [];
  const program = new Command('laser').exitOverride();
  registerModels(program, { stdout: (l) => out.push(l), stderr: (l) => err.push(l) });
  return { run: (...args: string[]) => program.parseAsync(['node', 'laser', 'models', ...args]), out, err };
}

describe('laser models', () => {
  it("lists the app's model list on the data folder, and removes a model from it without deleting a bundle registered as it is", async () => {
    const dataDir = join(work, 'data-a');
    const app = createWorkbench({ dataDir, transport: 'http', demoModelDir: null });
    const added = await app.handlers['models.add']({ path: tiny.bundle }, { signal: new AbortController().signal, progress: () => undefined });
    await app.dispose();

    const list = harness();
    await list.run('--json', '--data-dir', dataDir);
    const listed = list.out.map((l) => JSON.parse(l) as ModelInfo);
    expect(listed.map((m) => m.id)).toContain(added.id);
    expect(listed.find((m) => m.id === added.id)?.status).toBe('ready');

    const text = harness();
    await text.run('--data-dir', dataDir);
    expect(text.out).toContain(modelLine(added));
    expect(text.err.at(-1)).toBe(`${listed.length} models in ${dataDir}`);

    const rm1 = harness();
    await rm1.run('remove', added.id, '--data-dir', dataDir);
    expect(rm1.out).toEqual([`removed ${added.id}`]);
    expect(existsSync(tiny.bundle)).toBe(true);
    const after = harness();
    await after.run('--json', '--data-dir', dataDir);
    expect(after.out.map((l) => (JSON.parse(l) as ModelInfo).id)).not.toContain(added.id);
  });

  it('refuses an id it does not know, naming the ones it has', async () => {
    const dataDir = join(work, 'data-b');
    await expect(harness().run('remove', 'no-such-model', '--data-dir', dataDir)).rejects.toThrow(/There is no model 'no-such-model'/);
  });

  it('says where an unavailable model is and why', () => {
    const line = modelLine({
      id: 'm',
      name: 'm',
      dir: '/gone',
      architecture: 'unknown',
      dtype: 'unknown',
      quantization: null,
      layers: 0,
      heads: 0,
      grid: null,
      hasTokenizer: false,
      source: 'bundle',
      compiledAt: null,
      status: 'unavailable',
      problem: '/gone: no such folder',
    });
    expect(line).toBe('m  unavailable  unknown  unknown  /gone  (/gone: no such folder)');
  });
});
