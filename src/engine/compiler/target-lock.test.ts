import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openBundle } from '../bundle/open-bundle.ts';
import { compileBundle } from './compile.ts';
import { acquireTargetLock, lockPathFor, processAlive, STALE_AFTER_MS } from './target-lock.ts';

const fixture = join(import.meta.dirname, '../../../test/fixtures/hf-golden/llava15_tiny/checkpoint');
const lockModule = join(import.meta.dirname, 'target-lock.ts');
let tmp: string;

beforeEach(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'laser-lock-'));
});
afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** A pid that no process has any more: a child that has already exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((r) => child.once('exit', r));
  return child.pid!;
}

/** A second process (a real one) that takes the lock of `target`, writes a partial folder and waits to be killed. */
async function holderProcess(target: string): Promise<{ pid: number; kill: () => Promise<void> }> {
  const script = join(tmp, 'holder.mts');
  await writeFile(
    script,
    `import { mkdir, writeFile } from 'node:fs/promises';
     import { acquireTargetLock } from ${JSON.stringify(lockModule)};
     await acquireTargetLock(${JSON.stringify(target)});
     await mkdir(${JSON.stringify(`${target}.partial-0badf00d`)});
     await writeFile(${JSON.stringify(`${target}.partial-0badf00d/decoder.onnx.data`)}, 'half a weight file');
     process.stdout.write('ready\\n');
     setInterval(() => {}, 1000);`,
  );
  const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d) => String(d).includes('ready') && resolve());
    child.once('exit', (code) => reject(new Error(`holder exited with ${code}`)));
  });
  return {
    pid: child.pid!,
    kill: () =>
      new Promise((resolve) => {
        child.removeAllListeners('exit');
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  };
}

describe('acquireTargetLock', () => {
  it('writes the holder into <bundle>.lock and removes it on release', async () => {
    const target = join(tmp, 'b');
    const lock = await acquireTargetLock(target);
    expect(lock.path).toBe(`${target}.lock`);
    expect(JSON.parse(await readFile(lock.path, 'utf8'))).toMatchObject({ pid: process.pid, host: hostname() });
    await lock.release();
    expect(await readdir(tmp)).toEqual([]);
  });

  it("refuses a second holder at once, naming the first one's pid and the lock file", async () => {
    const target = join(tmp, 'b');
    const lock = await acquireTargetLock(target);
    await expect(acquireTargetLock(target)).rejects.toMatchObject({
      code: 'busy',
      message: expect.stringMatching(new RegExp(`^${target} is being compiled by process ${process.pid}, since .* \\(lock ${target}\\.lock\\)$`)),
      hint: expect.stringContaining(`remove ${target}.lock`),
    });
    await lock.release();
    await (await acquireTargetLock(target)).release();
  });

  it("takes over a lock whose process is gone, and clears that compile's partial and old folders", async () => {
    const target = join(tmp, 'b');
    await writeFile(lockPathFor(target), JSON.stringify({ pid: await deadPid(), host: hostname(), startedAt: '2026-01-01T00:00:00.000Z' }));
    await mkdir(`${target}.partial-deadbeef`);
    await writeFile(`${target}.partial-deadbeef/vision.onnx.data`, 'x');
    await mkdir(target);
    await mkdir(`${target}.old-12345678`);
    const lock = await acquireTargetLock(target);
    expect(lock.removed.sort()).toEqual([`${target}.old-12345678`, `${target}.partial-deadbeef`]);
    expect((await readdir(tmp)).sort()).toEqual(['b', 'b.lock']);
    await lock.release();
  });

  it('puts back an earlier bundle that a compile killed mid-replacement left as <bundle>.old-*', async () => {
    const target = join(tmp, 'b');
    await mkdir(`${target}.old-12345678`);
    await writeFile(`${target}.old-12345678/manifest.json`, '{}');
    const lock = await acquireTargetLock(target);
    expect(await readFile(join(target, 'manifest.json'), 'utf8')).toBe('{}');
    await lock.release();
  });

  it('treats a lock held by a process on another host as live', async () => {
    const target = join(tmp, 'b');
    await writeFile(lockPathFor(target), JSON.stringify({ pid: await deadPid(), host: 'other-host', startedAt: '2026-01-01T00:00:00.000Z' }));
    await expect(acquireTargetLock(target)).rejects.toMatchObject({ code: 'busy', message: expect.stringContaining('on other-host') });
  });

  it('removes day-old partial folders of other targets, unless their target is locked', async () => {
    const old = (Date.now() - STALE_AFTER_MS - 60_000) / 1000;
    const other = await acquireTargetLock(join(tmp, 'c')); // a live compile of c, writing c.partial-*
    for (const name of ['a.partial-00000001', 'c.partial-00000002', 'd.partial-00000003']) await mkdir(join(tmp, name));
    await utimes(join(tmp, 'a.partial-00000001'), old, old);
    await utimes(join(tmp, 'c.partial-00000002'), old, old);
    const lock = await acquireTargetLock(join(tmp, 'b'));
    expect(lock.removed).toEqual([join(tmp, 'a.partial-00000001')]);
    expect((await readdir(tmp)).sort()).toEqual(['b.lock', 'c.lock', 'c.partial-00000002', 'd.partial-00000003']);
    await lock.release();
    await other.release();
  });

  it('knows live and dead pids', async () => {
    expect(processAlive(process.pid)).toBe(true);
    expect(processAlive(await deadPid())).toBe(false);
    expect(processAlive(0)).toBe(false);
  });
});

describe('compileBundle with the target lock', () => {
  it('fails at once while another process compiles the same target; after that process is killed, compiles and removes its partial folder', async () => {
    const ckpt = join(tmp, 'ckpt');
    await cp(fixture, ckpt, { recursive: true });
    const target = join(tmp, 'b');
    const holder = await holderProcess(target);
    try {
      const t0 = Date.now();
      await expect(compileBundle(ckpt, target)).rejects.toMatchObject({ code: 'busy', message: expect.stringContaining(`by process ${holder.pid},`) });
      expect(Date.now() - t0).toBeLessThan(2000);
    } finally {
      await holder.kill();
    }
    expect((await readdir(tmp)).sort()).toEqual(['b.lock', 'b.partial-0badf00d', 'ckpt', 'holder.mts']);
    await compileBundle(ckpt, target);
    expect((await openBundle(target)).manifest.architecture).toBe('llava');
    expect((await readdir(tmp)).sort()).toEqual(['b', 'ckpt', 'holder.mts']);
  });
});
