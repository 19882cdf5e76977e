// Runs the `laser` CLI for the e2e fixtures (compile, eval) as a child process, in a home and data
// folder of the fixtures' own: not the app's under test, nor the real home's, whose earlier stores
// its first start would move in.
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isolatedEnv } from '../support/isolated-env.ts';

/** `laser <args>` run from `cwd` (the repository root); resolves with its output, rejects with it on a non-zero exit. */
export function runLaser(args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const env = isolatedEnv(join(tmpdir(), 'laser-e2e-cli-home'));
    const child = spawn(process.execPath, ['bin/laser.js', ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(output) : reject(new Error(`laser ${args.join(' ')} exited ${code}:\n${output}`))));
  });
}
