/**
 * One front door (issue 11): what the CLI makes, the app finds. A bundle compiled by `laser compile`
 * is in the `models.list` of a Workbench on the same data folder, and a `laser run` record is in its
 * history (`laser.records`) and opens through `laser.record`.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallContext } from '../../src/common/contract/host.ts';
import type { MethodName } from '../../src/common/contract/methods.ts';
import { main } from '../../src/cli/index.ts';
import { createWorkbench } from '../../src/engine/service/workbench.ts';
import type { Workbench } from '../../src/engine/service/types.ts';
import { compileTinyLaserBundle, IMAGE_500x375, TINY_CHECKPOINT, type TinyLaserBundle } from '../laser/support/tiny-laser-bundle.ts';
import { isolatedEnv, isolateProcessEnv } from '../support/isolated-env.ts';

const laser = fileURLToPath(new URL('../../bin/laser.js', import.meta.url));
const exec = promisify(execFile);
const ctx = { signal: new AbortController().signal, progress: () => undefined } as unknown as CallContext<MethodName>;

let work: string;
let tiny: TinyLaserBundle;
const open: Workbench[] = [];

function appOn(dataDir: string): Workbench {
  const wb = createWorkbench({ dataDir, transport: 'http', demoModelDir: null });
  open.push(wb);
  return wb;
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'laser-one-door-'));
  tiny = await compileTinyLaserBundle();
});
afterAll(async () => {
  await Promise.all(open.map((w) => w.dispose()));
  await tiny?.dispose();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('the CLI and the app share one workbench', () => {
  it('a bundle compiled by `laser compile --data-dir` is in the app’s model list on that data folder', async () => {
    const root = join(work, 'compile');
    const dataDir = join(root, 'given');
    const restore = isolateProcessEnv(root);
    const stderr: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((s: string) => (stderr.push(String(s)), true)) as typeof process.stderr.write;
    let code: number;
    try {
      code = await main(['node', 'laser', 'compile', TINY_CHECKPOINT, join(root, 'bundle'), '--data-dir', dataDir]);
    } finally {
      process.stderr.write = write;
      restore();
    }
    expect(code).toBe(0);
    expect(stderr.join('')).toContain(`registered as model checkpoint in ${dataDir}`);
    const models = await appOn(dataDir).handlers['models.list']({}, ctx as never);
    expect(models.map((m) => ({ id: m.id, source: m.source, status: m.status }))).toEqual([{ id: 'checkpoint', source: 'bundle', status: 'ready' }]);
  });

  it('a `laser run` record is in the app’s history and opens through laser.record; the bundle is in its model list', async () => {
    const root = join(work, 'run');
    const env = isolatedEnv(root);
    const { stdout } = await exec(
      process.execPath,
      [
        laser,
        'run',
        '--bundle',
        tiny.bundle,
        IMAGE_500x375,
        'What is the colour of the cat?',
        '--method',
        'vanilla',
        '--max-new-tokens',
        '2',
        '--threads',
        '1',
        '--out',
        join(root, 'out'),
      ],
      { env },
    );
    const answer = /^answer: (.*)$/m.exec(stdout)?.[1];
    const app = appOn(env.LASER_DATA_DIR!);
    await app.openFolder(dirname(IMAGE_500x375));
    const history = await app.handlers['laser.records']({ imagePath: IMAGE_500x375 }, ctx as never);
    expect(history.map((h) => ({ method: h.method, question: h.question, answer: h.answer }))).toEqual([
      { method: 'vanilla', question: 'What is the colour of the cat?', answer },
    ]);
    const opened = await app.handlers['laser.record']({ id: history[0].id }, ctx as never);
    expect(opened.record.answer).toBe(answer);
    expect((await app.handlers['models.list']({}, ctx as never)).map((m) => m.source)).toEqual(['bundle']);
  });

  it('`laser run` is refused by the contract’s own request check, as the app’s call would be', async () => {
    const env = isolatedEnv(join(work, 'bad'));
    const failed = await exec(
      process.execPath,
      [laser, 'run', '--bundle', tiny.bundle, IMAGE_500x375, 'What?', '--max-new-tokens', '5000', '--out', join(work, 'bad', 'out')],
      { env },
    ).catch((e: { code: number; stderr: string }) => e);
    expect(failed).toMatchObject({ code: 1 });
    expect((failed as { stderr: string }).stderr).toMatch(/^error: Invalid request for laser\.run: options\.maxNewTokens: .*4096/m);
  });

  it('`laser ask` on an image that does not exist names the file, not its folder', async () => {
    const env = isolatedEnv(join(work, 'missing'));
    const missing = join(work, 'no-such-folder', 'x.png');
    const failed = await exec(process.execPath, [laser, 'ask', tiny.bundle, missing, 'What?'], { env }).catch((e: { code: number; stderr: string }) => e);
    expect(failed).toMatchObject({ code: 1 });
    expect((failed as { stderr: string }).stderr).toContain(`error: The file ${missing} does not exist.\n`);
  });
});
