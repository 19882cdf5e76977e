import type { Stats } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { WorkbenchError } from '../../common/contract/errors.ts';
import { describeFsError, fsError, requireDirectory, statReadableFile } from './fsErrors.ts';

const errno = (code: string) => Object.assign(new Error(code), { code });
const fileStats = { isFile: () => true, isDirectory: () => false } as Stats;
const dirStats = { isFile: () => false, isDirectory: () => true } as Stats;

describe('file-system errors for people', () => {
  it('names the file and the cause, with a code the UI can branch on', () => {
    expect(fsError(errno('ENOENT'), 'folder', '/data/x')).toMatchObject({ code: 'not-found', message: 'The folder /data/x does not exist.' });
    expect(fsError(errno('EACCES'), 'file', '/data/a.png')).toMatchObject({
      code: 'permission-denied',
      message: 'Permission denied reading the file /data/a.png.',
    });
    expect(fsError(errno('EIO'), 'file', '/data/a.png').code).toBe('internal');
    expect(fsError(errno('EIO'), 'file', '/data/a.png').hint).toBeDefined();
  });

  it('refuses a file where a folder is wanted', async () => {
    await expect(requireDirectory('/x', '/x', async () => fileStats)).rejects.toMatchObject({ code: 'not-a-directory' });
    await expect(requireDirectory('/x', '/x', async () => dirStats)).resolves.toBe(dirStats);
  });

  it('reports a file that exists but may not be read as permission-denied', async () => {
    // As root every file is readable, so the refusal is injected rather than chmod'ed.
    const e = await statReadableFile('/data/a.png', '/data/a.png', { stat: async () => fileStats, access: () => Promise.reject(errno('EACCES')) }).catch(
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(WorkbenchError);
    expect(e).toMatchObject({ code: 'permission-denied' });
  });

  it('refuses a folder where an image file is wanted', async () => {
    await expect(statReadableFile('/d', '/d', { stat: async () => dirStats, access: async () => {} })).rejects.toMatchObject({ code: 'unsupported-image' });
  });
});

function pathErrno(code: string, syscall: string, path: string, dest?: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${syscall} '${path}'`), { code, syscall, path, ...(dest ? { dest } : {}) });
}

describe('describeFsError', () => {
  it('names the path and the reason, with the verb the system call implies', () => {
    expect(describeFsError(pathErrno('EACCES', 'mkdir', '/data/out'))?.message).toBe('cannot write /data/out: permission denied');
    expect(describeFsError(pathErrno('EACCES', 'scandir', '/data/in'))?.message).toBe('cannot read /data/in: permission denied');
    expect(describeFsError(pathErrno('EACCES', 'rename', '/data/a.tmp', '/data/a.json'))?.message).toBe('cannot write /data/a.json: permission denied');
    expect(describeFsError(pathErrno('ENOSPC', 'write', '/data/big.onnx.data'))).toEqual({
      message: 'disk full while writing /data/big.onnx.data',
      hint: expect.stringMatching(/^Free some space/),
    });
    expect(describeFsError(pathErrno('ENOENT', 'open', '/data/missing.json'))?.message).toBe('/data/missing.json does not exist');
    expect(describeFsError(pathErrno('EISDIR', 'open', '/data/folder'))?.message).toBe('/data/folder is a folder, not a file');
    expect(describeFsError(pathErrno('EROFS', 'open', '/mnt/cd/x'))?.message).toBe('cannot write /mnt/cd/x: the file system is read-only');
  });

  it('leaves alone what is not a file-system error on a path', () => {
    expect(describeFsError(new TypeError('x'))).toBeNull();
    expect(describeFsError(Object.assign(new Error('no path'), { code: 'ENOSPC' }))).toBeNull();
    expect(describeFsError(pathErrno('EWHATEVER', 'open', '/x'))).toBeNull();
    expect(describeFsError('ENOENT')).toBeNull();
  });
});
