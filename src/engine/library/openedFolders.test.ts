import { mkdir, mkdtemp, readFile, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkbenchError } from '../../common/contract/errors.ts';
import { encodeFsPath } from './hostPath.ts';
import { OpenedFolders } from './openedFolders.ts';

let tmp: string;
let opened: string;
let secret: string;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'laser-guard-'));
  opened = path.join(tmp, 'opened');
  secret = path.join(tmp, 'secret.txt');
  await mkdir(path.join(opened, 'sub'), { recursive: true });
  await writeFile(path.join(opened, 'sub', 'a.png'), 'inside');
  await writeFile(secret, 'outside');
  await mkdir(path.join(tmp, 'opened-private'));
  await writeFile(path.join(tmp, 'opened-private', 'b.png'), 'sibling');
  await symlink(secret, path.join(opened, 'leak.png'));
  await symlink(tmp, path.join(opened, 'up'), 'dir');
  await symlink(path.join(opened, 'sub'), path.join(opened, 'sub-alias'), 'dir');
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function guard(): Promise<OpenedFolders> {
  const g = new OpenedFolders();
  await g.add(opened);
  return g;
}

async function refusal(p: Promise<unknown>): Promise<WorkbenchError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(WorkbenchError);
  return e as WorkbenchError;
}

describe('OpenedFolders.resolveInside', () => {
  it('lets through a file inside an opened folder, resolved to its real path', async () => {
    const g = await guard();
    const r = await g.resolveInside(path.join(opened, 'sub', 'a.png'));
    expect(await readFile(r.real, 'utf8')).toBe('inside');
  });

  it('lets through a link that stays inside, and opens its target', async () => {
    const g = await guard();
    const r = await g.resolveInside(path.join(opened, 'sub-alias', 'a.png'));
    expect(r.real).toBe(path.join(await realpath(opened), 'sub', 'a.png'));
  });

  it('refuses anything before a folder is opened', async () => {
    const e = await refusal(new OpenedFolders().resolveInside(path.join(opened, 'sub', 'a.png')));
    expect(e.code).toBe('outside-opened-folders');
  });

  it('refuses .. traversal out of the folder', async () => {
    const g = await guard();
    const e = await refusal(g.resolveInside(path.join(opened, 'sub', '..', '..', 'secret.txt')));
    expect(e.code).toBe('outside-opened-folders');
    expect(e.message).toContain('not inside a folder you opened');
  });

  it('refuses an absolute path elsewhere', async () => {
    const g = await guard();
    expect((await refusal(g.resolveInside('/etc/passwd'))).code).toBe('outside-opened-folders');
  });

  it('refuses a sibling folder that only shares the name prefix', async () => {
    const g = await guard();
    expect((await refusal(g.resolveInside(path.join(tmp, 'opened-private', 'b.png')))).code).toBe('outside-opened-folders');
  });

  it('refuses a file link that points out of the folder', async () => {
    const g = await guard();
    const e = await refusal(g.resolveInside(path.join(opened, 'leak.png')));
    expect(e.code).toBe('outside-opened-folders');
    expect(e.message).toMatch(/symbolic link .* leads outside/);
    expect(e.message).not.toContain('secret');
  });

  it('refuses a path through a folder link that points out', async () => {
    const g = await guard();
    expect((await refusal(g.resolveInside(path.join(opened, 'up', 'secret.txt')))).code).toBe('outside-opened-folders');
  });

  it('refuses a relative path', async () => {
    const g = await guard();
    expect((await refusal(g.resolveInside('sub/a.png'))).code).toBe('outside-opened-folders');
  });

  it('says not-found for a missing file inside an opened folder', async () => {
    const g = await guard();
    expect((await refusal(g.resolveInside(path.join(opened, 'nope.png')))).code).toBe('not-found');
  });

  it('does not reveal whether a file outside exists', async () => {
    const g = await guard();
    const missing = await refusal(g.resolveInside(path.join(tmp, 'missing.txt')));
    const present = await refusal(g.resolveInside(secret));
    expect(missing.code).toBe(present.code);
  });

  it('resolves a non-UTF-8 name given in its encoded form', async () => {
    const raw = Buffer.concat([Buffer.from(path.join(opened, 'x')), Buffer.from([0xff]), Buffer.from('.png')]);
    await writeFile(raw, 'latin');
    const g = await guard();
    const r = await g.resolveInside(encodeFsPath(raw));
    expect(await readFile(r.real, 'utf8')).toBe('latin');
  });
});

describe('OpenedFolders.add', () => {
  it('refuses a missing folder, and a file, with clear codes', async () => {
    const g = new OpenedFolders();
    expect((await refusal(g.add(path.join(tmp, 'absent')))).code).toBe('not-found');
    expect((await refusal(g.add(secret))).code).toBe('not-a-directory');
    expect(g.list()).toEqual([]);
  });

  it('remembers each folder once', async () => {
    const g = new OpenedFolders();
    await g.add(opened);
    await g.add(opened + '/');
    expect(g.list()).toEqual([opened]);
  });
});
