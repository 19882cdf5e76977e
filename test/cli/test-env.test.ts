import { execFile } from 'node:child_process';
import { homedir } from 'node:os';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { dataDirOfProcess } from '../../src/engine/settings/data-dir.ts';

describe('the test run', () => {
  it('has a home and data folder of its own, which the processes it starts inherit', async () => {
    expect(homedir()).toMatch(/laser-workbench-tests-/);
    expect(dataDirOfProcess()).toBe(`${homedir()}/data`);
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', 'process.stdout.write(require("node:os").homedir())']);
    expect(stdout).toBe(homedir());
  });
});
