import { EventEmitter } from 'node:events';
import type { IpcMainInvokeEvent, WebContents } from 'electron';
import { describe, expect, it } from 'vitest';
import { builtAppUrl } from './app-url.ts';
import { guardWebContents, isFromAppMainFrame } from './window-guards.ts';

class FakeContents extends EventEmitter {
  openHandler: ((details: { url: string }) => { action: string }) | null = null;
  mainFrame = { processId: 4, routingId: 1, url: builtAppUrl };
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }) {
    this.openHandler = handler;
  }
  /** Emits an event and reports whether a listener prevented it. */
  attempt(name: string, url: string): boolean {
    let prevented = false;
    this.emit(name, { url, preventDefault: () => (prevented = true) });
    return prevented;
  }
}

function guarded() {
  const contents = new FakeContents();
  guardWebContents(contents as unknown as WebContents, builtAppUrl);
  return contents;
}

describe('guardWebContents', () => {
  it('blocks navigation and redirects away from the app, and allows them within it', () => {
    const c = guarded();
    expect(c.attempt('will-navigate', 'https://evil.example/')).toBe(true);
    expect(c.attempt('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(c.attempt('will-redirect', 'https://evil.example/')).toBe(true);
    expect(c.attempt('will-navigate', 'laser-app://app/index.html#/library')).toBe(false);
  });

  it('denies every new window and every webview', () => {
    const c = guarded();
    expect(c.openHandler?.({ url: 'laser-app://app/index.html' })).toEqual({ action: 'deny' });
    expect(c.openHandler?.({ url: 'https://example.com' })).toEqual({ action: 'deny' });
    expect(c.attempt('will-attach-webview', 'laser-app://app/')).toBe(true);
  });
});

describe('isFromAppMainFrame', () => {
  const contents = new FakeContents();
  const window = { webContents: contents as unknown as WebContents };
  const event = (sender: unknown, frame: unknown) => ({ sender, senderFrame: frame }) as unknown as IpcMainInvokeEvent;

  it('accepts the main frame of the main window showing the app', () => {
    expect(isFromAppMainFrame(event(contents, { processId: 4, routingId: 1, url: builtAppUrl }), window, builtAppUrl)).toBe(true);
  });

  it('refuses another window, a sub-frame, a page that is not the app, a gone frame and a missing window', () => {
    expect(isFromAppMainFrame(event(new FakeContents(), contents.mainFrame), window, builtAppUrl)).toBe(false);
    expect(isFromAppMainFrame(event(contents, { processId: 4, routingId: 7, url: builtAppUrl }), window, builtAppUrl)).toBe(false);
    expect(isFromAppMainFrame(event(contents, { processId: 4, routingId: 1, url: 'https://evil.example/' }), window, builtAppUrl)).toBe(false);
    expect(isFromAppMainFrame(event(contents, null), window, builtAppUrl)).toBe(false);
    expect(isFromAppMainFrame(event(contents, contents.mainFrame), null, builtAppUrl)).toBe(false);
  });
});
