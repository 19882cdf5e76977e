import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StartServerOptions } from '../../server/start-server.ts';
import { registerServe, servingLinePrefix } from './serve.ts';
import type { ServeDeps } from './serve.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'laser-serve-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function harness(env: Record<string, string | undefined> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const started: StartServerOptions[] = [];
  const events: string[] = [];
  const deps: ServeDeps = {
    async start(options) {
      started.push(options);
      events.push('start');
      return { url: 'http://127.0.0.1:4567/?token=abc', host: options.host ?? '', port: 4567, token: 'abc', close: async () => void events.push('close') };
    },
    async waitForStop() {
      events.push('wait');
      return 'SIGINT';
    },
    stdout: (l) => out.push(l),
    stderr: (l) => err.push(l),
    env,
  };
  const program = new Command('laser').exitOverride();
  program.configureOutput({ writeErr: (s) => err.push(s), writeOut: (s) => out.push(s) });
  registerServe(program, deps);
  return { run: (...args: string[]) => program.parseAsync(['node', 'laser', 'serve', ...args]), out, err, started, events };
}

describe('laser serve', () => {
  it('prints the address in one machine-readable line, serves until a signal, then closes', async () => {
    const h = harness();
    await h.run('--data-dir', dir);
    expect(h.out).toEqual([`${servingLinePrefix}http://127.0.0.1:4567/?token=abc`]);
    expect(h.out[0]).toMatch(/^LASER Workbench serving at (http:\/\/\S+\?token=\S+)$/);
    expect(h.events).toEqual(['start', 'wait', 'close']);
  });

  it('listens on loopback and a free port unless told otherwise, without a warning', async () => {
    const h = harness();
    await h.run('--data-dir', dir);
    expect(h.started[0]).toMatchObject({ host: '127.0.0.1', port: 0, dataDir: dir });
    expect(h.err.join('\n')).not.toMatch(/warning/);
  });

  it('lists the shipped demo model unless --no-demo-model says not to', async () => {
    const listed = harness();
    await listed.run('--data-dir', dir);
    expect(listed.started[0]).not.toHaveProperty('demoModelDir');
    const hidden = harness();
    await hidden.run('--data-dir', dir, '--no-demo-model');
    expect(hidden.started[0]).toMatchObject({ demoModelDir: null });
  });

  it('warns before listening beyond this machine', async () => {
    const h = harness();
    await h.run('--data-dir', dir, '--host', '0.0.0.0', '--port', '8080');
    expect(h.started[0]).toMatchObject({ host: '0.0.0.0', port: 8080 });
    expect(h.err[0]).toMatch(/^warning: .*has the token can read every folder you open/);
  });

  it('takes the data folder from $LASER_DATA_DIR when no flag names one', async () => {
    const h = harness({ LASER_DATA_DIR: join(dir, 'from-env') });
    await h.run();
    expect(h.started[0].dataDir).toBe(join(dir, 'from-env'));
  });

  it('opens the folder given with --open, and refuses one that does not exist or is a file', async () => {
    const h = harness();
    await h.run('--data-dir', dir, '--open', dir);
    expect(h.started[0].defaultFolder).toBe(dir);
    await expect(harness().run('--data-dir', dir, '--open', join(dir, 'nope'))).rejects.toMatchObject({ code: 'not-found' });
    await writeFile(join(dir, 'file.txt'), 'x');
    await expect(harness().run('--data-dir', dir, '--open', join(dir, 'file.txt'))).rejects.toMatchObject({ code: 'not-a-directory' });
  });

  it('rejects a port that is not a number from 0 to 65535', async () => {
    for (const port of ['abc', '-1', '70000']) {
      const h = harness();
      await expect(h.run('--data-dir', dir, '--port', port)).rejects.toThrow(/port number/);
      expect(h.started).toEqual([]);
    }
  });
});
