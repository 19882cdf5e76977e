import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { cudaInstallHint } from '../../src/engine/runtime/providers.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const run = promisify(execFile);
const gpuCommand = 'ONNXRUNTIME_NODE_INSTALL=true node node_modules/onnxruntime-node/script/install.js';

describe("the project's npm configuration", () => {
  it('turns off install scripts with a key npm knows, so npm prints no config warning', async () => {
    const { stdout, stderr } = await run('npm', ['config', 'get', 'ignore-scripts'], { cwd: root });
    expect(stdout.trim()).toBe('true');
    // npm 11 warns 'Unknown project config "<key>"' for every .npmrc key it does not know.
    expect(stderr).not.toMatch(/warn/i);
    const keys = (await readFile(join(root, '.npmrc'), 'utf8'))
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#') && !line.startsWith(';'))
      .map((line) => line.split('=')[0].trim());
    expect(keys).toEqual(['ignore-scripts']);
  });

  it("documents a CUDA install command that onnxruntime-node's script reads as a forced cuda12 install", async () => {
    const readme = await readFile(join(root, 'README.md'), 'utf8');
    expect(readme).toContain(gpuCommand);
    expect(cudaInstallHint).toContain(gpuCommand);
    // The script's own flag parser, run with the variable the command sets: `true` forces the
    // download of the platform's manifest, which on linux/x64 is the CUDA 12 provider.
    const req = createRequire(join(root, 'package.json'));
    const utils = req.resolve('onnxruntime-node/script/install-utils.js');
    const { stdout } = await run(process.execPath, ['-e', `process.stdout.write(String(require(${JSON.stringify(utils)}).parseInstallFlag()))`], {
      env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'true' },
    });
    expect(stdout).toBe('true');
    const metadata = req('onnxruntime-node/script/install-metadata.js') as { requirements: Record<string, string[]> };
    expect(metadata.requirements['linux/x64']).toEqual(['cuda12']);
  });
});
