import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMethod } from '../../engine/laser/run-method.ts';
import { isolatedEnv } from '../../../test/support/isolated-env.ts';
import { compileTinyLaserBundle, IMAGE_500x375, type TinyLaserBundle } from '../../../test/laser/support/tiny-laser-bundle.ts';

const laser = fileURLToPath(new URL('../../../bin/laser.js', import.meta.url));
const exec = promisify(execFile);
let tiny: TinyLaserBundle;
let bare: TinyLaserBundle;
let work: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  [tiny, bare] = await Promise.all([compileTinyLaserBundle(), compileTinyLaserBundle({ tokenizer: false })]);
  work = await mkdtemp(join(tmpdir(), 'laser-ask-cli-'));
  env = isolatedEnv(work);
});
afterAll(async () => {
  await Promise.all([tiny?.dispose(), bare?.dispose()]);
  if (work) await rm(work, { recursive: true, force: true });
});

describe('laser ask (subprocess)', () => {
  it('prints the greedy answer and nothing else on stdout', async () => {
    const { stdout } = await exec(process.execPath, [laser, 'ask', tiny.bundle, IMAGE_500x375, 'what is the cat?', '--max-new-tokens', '3', '--threads', '1'], {
      env,
    });
    const expected = await runMethod({
      bundle: tiny.bundle,
      imagePath: IMAGE_500x375,
      question: 'what is the cat?',
      method: 'vanilla',
      options: { maxNewTokens: 3, instruction: '' },
      cacheDir: null,
    });
    expect(stdout).toBe(`${expected.record.answer}\n`);
    expect(expected.record.answerTokens).toHaveLength(3);
  });

  it('refuses a bundle without tokenizer files, naming the files to add', async () => {
    const err = await exec(process.execPath, [laser, 'ask', bare.bundle, IMAGE_500x375, 'what?'], { env }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 1 });
    const stderr = (err as { stderr: string }).stderr;
    expect(stderr).toContain(`error: ${bare.bundle} has no tokenizer files (tokenizer.json, tokenizer_config.json)`);
    expect(stderr).toMatch(/hint: Add tokenizer\.json and tokenizer_config\.json \(and chat_template\.json\)/);
  });

  it('refuses an empty question', async () => {
    const err = await exec(process.execPath, [laser, 'ask', tiny.bundle, IMAGE_500x375, ' '], { env }).catch((e: unknown) => e);
    expect((err as { stderr: string }).stderr).toContain('error: The question is empty.');
  });
});
