/**
 * The application menu as data, so its shape can be tested without Electron. Reload and developer
 * tools exist only in development; a user cannot reload the app out from under a running analysis.
 */
import type { MenuItemConstructorOptions } from 'electron';
import type { RecentFolder } from '../common/contract/methods.ts';

export interface MenuOptions {
  isMac: boolean;
  isDev: boolean;
  recent: readonly RecentFolder[];
  openFolder(): void;
  openRecent(path: string): void;
}

export const maxRecentInMenu = 10;

export function menuTemplate(o: MenuOptions): MenuItemConstructorOptions[] {
  const recent: MenuItemConstructorOptions[] =
    o.recent.length === 0
      ? [{ label: 'No recent folders', enabled: false }]
      : o.recent.slice(0, maxRecentInMenu).map((r) => ({ label: r.path, click: () => o.openRecent(r.path) }));
  const view: MenuItemConstructorOptions[] = [
    ...(o.isDev ? ([{ role: 'reload' }, { role: 'forceReload' }, { role: 'toggleDevTools' }, { type: 'separator' }] as const) : []),
    { role: 'resetZoom' },
    { role: 'zoomIn' },
    { role: 'zoomOut' },
    { type: 'separator' },
    { role: 'togglefullscreen' },
  ];
  return [
    ...(o.isMac ? [{ role: 'appMenu' } as const] : []),
    {
      label: '&File',
      submenu: [
        { label: 'Open Folder…', accelerator: 'CmdOrCtrl+O', click: () => o.openFolder() },
        { label: 'Open Recent', submenu: recent },
        { type: 'separator' },
        o.isMac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    { label: '&View', submenu: view },
    ...(o.isMac ? [{ role: 'windowMenu' } as const] : []),
    { role: 'help', submenu: [{ role: 'about', label: 'About LASER Workbench' }] },
  ];
}
