/**
 * What keeps a window on the app: no navigation or redirect away from the app's pages, no new
 * windows, no webviews; and the check that an IPC request comes from the main window's own page.
 */
import type { IpcMainInvokeEvent, WebContents } from 'electron';
import { isAppUrl } from './app-url.ts';

export function guardWebContents(contents: WebContents, appUrl: string): void {
  contents.on('will-navigate', (event) => {
    if (!isAppUrl(event.url, appUrl)) event.preventDefault();
  });
  contents.on('will-redirect', (event) => {
    if (!isAppUrl(event.url, appUrl)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

/** True only for the main frame of `window`, showing a page of the app (not an iframe, not a stray page). */
export function isFromAppMainFrame(
  event: Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>,
  window: { webContents: WebContents } | null,
  appUrl: string,
): boolean {
  if (!window || event.sender !== window.webContents) return false;
  const frame = event.senderFrame;
  const main = window.webContents.mainFrame;
  return frame !== null && frame.processId === main.processId && frame.routingId === main.routingId && isAppUrl(frame.url, appUrl);
}
