// Starts `laser serve` as a child process for the e2e test and reads its address from stdout.
import { spawn } from 'node:child_process';
import { clearTimeout } from 'node:timers';

const servingLine = /LASER Workbench serving at (\S+)/;

/** A running `laser serve`: its address (with the token), what it printed so far, and how to stop it. */
export interface E2EServer {
  url: string;
  output: () => string;
  stop: () => Promise<void>;
}

export async function startServer({
  repoRoot,
  dataDir,
  defaultFolder,
  startTimeoutMs = 60_000,
}: {
  repoRoot: string;
  dataDir: string;
  defaultFolder: string;
  startTimeoutMs?: number;
}): Promise<E2EServer> {
  const child = spawn(process.execPath, ['bin/laser.js', 'serve', '--port', '0', '--data-dir', dataDir, '--open', defaultFolder, '--no-demo-model'], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise((resolve) => child.once('exit', resolve));

  async function stop(): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }

  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`laser serve printed no address within ${startTimeoutMs / 1000} s`)), startTimeoutMs);
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const m = servingLine.exec(output);
        if (m?.[1] !== undefined) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      child.stderr.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`laser serve exited (${code ?? signal}) before printing its address:\n${output}`));
      });
    });
    return { url, output: () => output, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
