import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import { menuTemplate } from './menu-template.ts';
import type { MenuOptions } from './menu-template.ts';

function options(over: Partial<MenuOptions> = {}): MenuOptions & { opened: string[] } {
  const opened: string[] = [];
  return { isMac: false, isDev: false, recent: [], openFolder: () => opened.push('dialog'), openRecent: (p) => opened.push(p), opened, ...over };
}

const submenu = (items: MenuItemConstructorOptions[], label: string) =>
  items.find((i) => i.label === label || i.role === label)?.submenu as MenuItemConstructorOptions[];
const names = (items: MenuItemConstructorOptions[]) => items.map((i) => i.label ?? i.role ?? i.type);

describe('menuTemplate', () => {
  it('has Open Folder, Open Recent and Quit under File', () => {
    expect(names(submenu(menuTemplate(options()), '&File'))).toEqual(['Open Folder…', 'Open Recent', 'separator', 'quit']);
  });

  it('lists recent folders, newest first as given, and opens the one clicked', () => {
    const o = options({
      recent: [
        { path: '/a', openedAt: '2' },
        { path: '/b', openedAt: '1' },
      ],
    });
    const recent = submenu(submenu(menuTemplate(o), '&File'), 'Open Recent');
    expect(names(recent)).toEqual(['/a', '/b']);
    (recent[1].click as () => void)();
    expect(o.opened).toEqual(['/b']);
  });

  it('shows a disabled line when there are no recent folders', () => {
    expect(submenu(submenu(menuTemplate(options()), '&File'), 'Open Recent')).toEqual([{ label: 'No recent folders', enabled: false }]);
  });

  it('offers reload and developer tools only in development', () => {
    expect(names(submenu(menuTemplate(options()), '&View'))).not.toContain('reload');
    expect(names(submenu(menuTemplate(options()), '&View'))).toContain('zoomIn');
    expect(names(submenu(menuTemplate(options({ isDev: true })), '&View'))).toEqual(expect.arrayContaining(['reload', 'toggleDevTools']));
  });

  it('has an About item under Help', () => {
    expect(submenu(menuTemplate(options()), 'help')).toEqual([{ role: 'about', label: 'About LASER Workbench' }]);
  });
});
