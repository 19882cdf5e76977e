import type { Stats } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { WorkbenchError } from '../../common/contract/errors.ts';
import { fsError, requireDirectory, statReadableFile } from './fsErrors.ts';

const errno = (code: string) => Object.assign(new Error(code), { code });
const fileStats = { isFile: () => true, isDirectory: () => false } as Stats;
const dirStats = { isFile: () => false, isDirectory: () => true } as Stats;

describe('file-system errors for people', () => {
  it('names the file and the cause, with a code the UI can branch on', () => {
    expect(fsError(errno('ENOENT'), 'folder', '/data/x')).toMatchObject({ code: 'not-found', message: 'The folder /data/x does not exist.' });
    expect(fsError(errno('EACCES'), 'file', '/data/a.png')).toMatchObject({ code: 'permission-denied', message: 'Permission denied reading the file /data/a.png.' });
    expect(fsError(errno('EIO'), 'file', '/data/a.png').code).toBe('internal');
    expect(fsError(errno('EIO'), 'file', '/data/a.png').hint).toBeDefined();
  });

  it('refuses a file where a folder is wanted', async () => {
    await expect(requireDirectory('/x', '/x', async () => fileStats)).rejects.toMatchObject({ code: 'not-a-directory' });
    await expect(requireDirectory('/x', '/x', async () => dirStats)).resolves.toBe(dirStats);
  });

  it('reports a file that exists but may not be read as permission-denied', async () => {
    // As root every file is readable, so the refusal is injected rather than chmod'ed.
    const e = await statReadableFile('/data/a.png', '/data/a.png', { stat: async () => fileStats, access: () => Promise.reject(errno('EACCES')) }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(WorkbenchError);
    expect(e).toMatchObject({ code: 'permission-denied' });
  });

  it('refuses a folder where an image file is wanted', async () => {
    await expect(statReadableFile('/d', '/d', { stat: async () => dirStats, access: async () => {} })).rejects.toMatchObject({ code: 'unsupported-image' });
  });
});
