import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkbenchError } from '../common/contract/errors.ts';
import { crashLogDir } from '../engine/library/crash-log.ts';
import { platformDataDir } from '../engine/settings/data-dir.ts';
import { reportError } from './error-boundary.ts';

const bin = join(import.meta.dirname, '../../bin/laser.js');
let tmp: string;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'laser-boundary-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** `laser ...` as a user runs it, with extra node flags (an --import that injects a fault). */
function laser(args: string[], nodeFlags: string[] = []) {
  const r = spawnSync(process.execPath, [...nodeFlags, bin, ...args], {
    encoding: 'utf8',
    env: { ...process.env, LASER_DATA_DIR: join(tmp, 'data') },
    timeout: 60_000,
  });
  return { code: r.status, stderr: r.stderr.split('\n').filter((l) => l && !l.startsWith('npm warn')) };
}

describe('reportError', () => {
  it('prints a WorkbenchError as error + hint, exit 1', async () => {
    const r = await reportError(new WorkbenchError('not-found', '/x: no such folder', 'Pass the folder.'), { argv: [] });
    expect(r).toEqual({ exitCode: 1, text: 'error: /x: no such folder\nhint: Pass the folder.\n' });
  });

  it("writes a bug's stack (and its cause) to a crash log and prints one line naming it, exit 2", async () => {
    const env = { LASER_DATA_DIR: join(tmp, 'unit') };
    const bug = new RangeError('index 9 out of range', { cause: new Error('the inner reason') });
    const r = await reportError(bug, { argv: ['node', 'laser', 'figure', 'rec'], env, now: () => new Date('2026-12-03T10:00:00.000Z') });
    const m = /^error: internal error \(a bug\): RangeError: index 9 out of range; the full trace is in (\S+), please report it with that file\n$/.exec(r.text);
    expect(r.exitCode).toBe(2);
    const file = m![1];
    expect(file.startsWith(join(tmp, 'unit', 'logs', `crash-2026-12-03T10-00-00-000Z-${process.pid}-`))).toBe(true);
    const log = await readFile(file, 'utf8');
    expect(log).toMatch(/^LASER Workbench crash log\ntime: 2026-12-03T10:00:00.000Z\ncommand: laser figure rec\n/);
    expect(log).toContain('RangeError: index 9 out of range\n    at ');
    expect(log).toContain('caused by:\nError: the inner reason');
  });

  it('still prints one line when the crash log cannot be written', async () => {
    const r = await reportError(new Error('boom'), { argv: [], env: { LASER_DATA_DIR: bin } });
    expect(r.exitCode).toBe(2);
    expect(r.text).toMatch(
      /^error: internal error \(a bug\): Error: boom; no crash log could be written \(.*laser\.js\/logs: a part of this path is a file, not a folder\)/,
    );
    expect(r.text.trim().split('\n')).toHaveLength(1);
  });

  it("puts logs in the data folder: $LASER_DATA_DIR, else the platform's (the one every host uses)", () => {
    expect(crashLogDir({ LASER_DATA_DIR: '/d' })).toBe(join('/d', 'logs'));
    expect(crashLogDir({})).toBe(join(platformDataDir(process.platform, {}, homedir()), 'logs'));
  });
});

describe('bin/laser.js behind the boundary', () => {
  it('bad input: error and hint lines, no stack, exit 1', () => {
    const r = laser(['compile', join(tmp, 'no-such-checkpoint'), join(tmp, 'b')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toEqual([
      `error: ${join(tmp, 'no-such-checkpoint')}: no such folder`,
      'hint: Pass the Hugging Face checkpoint folder (config.json + *.safetensors).',
    ]);
  });

  it('a file-system error that escapes a command: one line naming the path, exit 1', async () => {
    const file = join(tmp, 'a-file');
    await writeFile(file, 'x');
    const r = laser(['world', 'generate', '--seed', '1', '--count', '1', '--out', join(file, 'world')]);
    expect(r.code).toBe(1);
    expect(r.stderr[0]).toMatch(new RegExp(`^error: .*${file}`));
    expect(r.stderr.join('\n')).not.toMatch(/^\s+at /m);
  });

  it('a bug inside a command: one line naming the crash log that holds the stack, exit 2', async () => {
    const inject = join(tmp, 'broken-stdout.mjs');
    await writeFile(inject, "process.stdout.write = () => { throw new TypeError('injected: stdout is broken'); };\n");
    const r = laser(['scan', tmp], ['--import', inject]);
    expect(r.code).toBe(2);
    expect(r.stderr).toHaveLength(1);
    const m = /^error: internal error \(a bug\): TypeError: injected: stdout is broken; the full trace is in (\S+), please report it with that file$/.exec(
      r.stderr[0],
    );
    expect(m).not.toBeNull();
    expect(m![1].startsWith(join(tmp, 'data', 'logs', 'crash-'))).toBe(true);
    expect(await readFile(m![1], 'utf8')).toMatch(/command: laser scan .*\n[\s\S]*TypeError: injected: stdout is broken\n\s+at /);
  });

  it('an error thrown outside any command (an event handler) goes through the same boundary', async () => {
    const inject = join(tmp, 'throw-later.mjs');
    // Thrown from a timer once the CLI is up (its handlers are installed), as a stray callback would.
    await writeFile(
      inject,
      "const t = setInterval(() => { if (process.listenerCount('uncaughtException') > 0) { clearInterval(t); throw new RangeError('injected: thrown from a timer'); } }, 20);\n",
    );
    const r = laser(['serve', '--port', '0', '--data-dir', join(tmp, 'serve-data'), '--no-demo-model'], ['--import', inject]);
    expect(r.code).toBe(2);
    expect(r.stderr.filter((l) => l.startsWith('error:'))).toEqual([
      expect.stringMatching(/^error: internal error \(a bug\): RangeError: injected: thrown from a timer; the full trace is in /),
    ]);
    expect(r.stderr.join('\n')).not.toMatch(/^\s+at /m);
    expect((await readdir(join(tmp, 'data', 'logs'))).length).toBeGreaterThanOrEqual(1);
  });
});
