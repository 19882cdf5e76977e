import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uiPlan } from './ui-build.ts';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'laser-ui-build-'));
  await mkdir(join(root, 'node_modules', 'electron-vite'), { recursive: true });
  await writeFile(join(root, 'node_modules', 'electron-vite', 'package.json'), JSON.stringify({ bin: { 'electron-vite': 'bin/electron-vite.js' } }));
  await writeFile(join(root, 'electron.vite.config.ts'), '');
  await mkdir(join(root, 'built'), { recursive: true });
  await writeFile(join(root, 'built', 'index.html'), '<!doctype html>');
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('the UI for laser serve', () => {
  const manifest = () => join(root, 'node_modules', 'electron-vite', 'package.json');

  it('is served as it is when built', () => {
    expect(uiPlan(join(root, 'built'), root, manifest)).toEqual({ kind: 'built' });
  });

  it("is built once with the checkout's electron-vite when missing (a fresh clone after npm ci)", () => {
    expect(uiPlan(join(root, 'out', 'renderer'), root, manifest)).toEqual({
      kind: 'build',
      cli: join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'),
      cwd: root,
    });
  });

  it('says why not when there are no build tools', () => {
    const plan = uiPlan(join(root, 'out', 'renderer'), root, () => null);
    expect(plan.kind).toBe('cannot');
    expect(plan.kind === 'cannot' && plan.reason).toMatch(/no built UI in .*out\/renderer, and this copy has no build tools/);
  });
});
