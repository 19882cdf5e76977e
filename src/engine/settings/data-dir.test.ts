import { describe, expect, it } from 'vitest';
import { platformDataDir, resolveDataDir } from './data-dir.ts';

const linux = { platform: 'linux' as const, home: '/home/ada', cwd: '/work' };

describe('resolveDataDir', () => {
  it('takes --data-dir first, then $LASER_DATA_DIR, then the platform convention', () => {
    const env = { LASER_DATA_DIR: '/env/dir', XDG_DATA_HOME: '/xdg' };
    expect(resolveDataDir({ ...linux, env, flag: '/flag/dir' })).toEqual({ dir: '/flag/dir', source: 'flag' });
    expect(resolveDataDir({ ...linux, env })).toEqual({ dir: '/env/dir', source: 'env' });
    expect(resolveDataDir({ ...linux, env: { XDG_DATA_HOME: '/xdg' } })).toEqual({ dir: '/xdg/laser-workbench', source: 'platform' });
  });

  it('reads relative paths against the working folder and ~ as the home folder', () => {
    expect(resolveDataDir({ ...linux, env: {}, flag: 'data' }).dir).toBe('/work/data');
    expect(resolveDataDir({ ...linux, env: { LASER_DATA_DIR: '~/lw' } }).dir).toBe('/home/ada/lw');
    expect(resolveDataDir({ ...linux, env: {}, flag: '~' }).dir).toBe('/home/ada');
  });

  it('treats an empty flag or variable as not given', () => {
    expect(resolveDataDir({ ...linux, env: { LASER_DATA_DIR: '' }, flag: '  ' })).toEqual({
      dir: '/home/ada/.local/share/laser-workbench',
      source: 'platform',
    });
    expect(resolveDataDir({ ...linux, env: {}, flag: null }).source).toBe('platform');
  });
});

describe('platformDataDir', () => {
  it('Linux: $XDG_DATA_HOME/laser-workbench, else ~/.local/share/laser-workbench; a relative XDG_DATA_HOME is ignored', () => {
    expect(platformDataDir('linux', { XDG_DATA_HOME: '/data' }, '/home/ada')).toBe('/data/laser-workbench');
    expect(platformDataDir('linux', {}, '/home/ada')).toBe('/home/ada/.local/share/laser-workbench');
    expect(platformDataDir('linux', { XDG_DATA_HOME: 'rel/data' }, '/home/ada')).toBe('/home/ada/.local/share/laser-workbench');
    expect(platformDataDir('freebsd', {}, '/home/ada')).toBe('/home/ada/.local/share/laser-workbench');
  });

  it('macOS: ~/Library/Application Support/LASER Workbench (XDG is not consulted)', () => {
    expect(platformDataDir('darwin', { XDG_DATA_HOME: '/data' }, '/Users/ada')).toBe('/Users/ada/Library/Application Support/LASER Workbench');
  });

  it('Windows: %APPDATA%\\LASER Workbench, else the roaming folder under the home folder', () => {
    expect(platformDataDir('win32', { APPDATA: 'C:\\Users\\ada\\AppData\\Roaming' }, 'C:\\Users\\ada')).toBe(
      'C:\\Users\\ada\\AppData\\Roaming\\LASER Workbench',
    );
    expect(platformDataDir('win32', {}, 'C:\\Users\\ada')).toBe('C:\\Users\\ada\\AppData\\Roaming\\LASER Workbench');
    expect(resolveDataDir({ platform: 'win32', home: 'C:\\Users\\ada', env: {}, flag: 'D:\\lw' }).dir).toBe('D:\\lw');
  });
});
