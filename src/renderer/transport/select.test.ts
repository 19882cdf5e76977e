import { describe, expect, it } from 'vitest';
import type { PreloadBridge } from '../../common/contract/bridge.ts';
import type { ClientMessage } from '../../common/contract/wire.ts';
import { selectTransport } from './select.ts';
import type { SocketLike } from './websocket.ts';

function fakeBridge() {
  const sent: ClientMessage[] = [];
  let listener: ((m: unknown) => void) | null = null;
  const menuListeners = new Set<(folder: string) => void>();
  const bridge: PreloadBridge = {
    send: (m) => sent.push(m),
    onMessage: (l) => {
      listener = l;
      return () => (listener = null);
    },
    mediaBase: 'laser-media://media/',
    pickFolder: async () => '/picked',
    onOpenFolder: (l) => {
      menuListeners.add(l);
      return () => menuListeners.delete(l);
    },
  };
  const chooseInMenu = (folder: string) => menuListeners.forEach((l) => l(folder));
  return { bridge, sent, deliver: (m: unknown) => listener?.(m), chooseInMenu };
}

const noSocket = (): SocketLike => {
  throw new Error('must not open a socket');
};

describe('selectTransport', () => {
  it('uses the preload bridge when the page runs inside Electron', async () => {
    const { bridge, sent, deliver } = fakeBridge();
    const t = selectTransport({ location: { protocol: 'file:', host: '', search: '' }, openSocket: noSocket, laser: bridge });
    expect(t.api.mediaUrl({ kind: 'original', path: '/a.png' })).toBe('laser-media://media/?kind=original&path=%2Fa.png');
    expect(await t.pickFolder?.()).toBe('/picked');
    expect(t.connection.get()).toEqual({ status: 'open' });
    const call = t.api.call('library.recent', {});
    expect(sent).toEqual([{ type: 'call', id: 1, method: 'library.recent', request: {} }]);
    deliver({ type: 'result', id: 1, response: [{ path: '/p', openedAt: '2025-01-01T00:00:00Z' }] });
    await expect(call).resolves.toEqual([{ path: '/p', openedAt: '2025-01-01T00:00:00Z' }]);
  });

  it("passes on folders chosen in the host's menu until unsubscribed", () => {
    const { bridge, chooseInMenu } = fakeBridge();
    const t = selectTransport({ location: { protocol: 'file:', host: '', search: '' }, openSocket: noSocket, laser: bridge });
    const opened: string[] = [];
    const unsubscribe = t.onOpenFolder((f) => opened.push(f));
    chooseInMenu('/from/menu');
    unsubscribe();
    chooseInMenu('/after');
    expect(opened).toEqual(['/from/menu']);
  });

  it('uses a WebSocket with the token from the page URL otherwise, and has no native picker', () => {
    const urls: string[] = [];
    const t = selectTransport({
      location: { protocol: 'http:', host: 'localhost:9', search: '?token=abc' },
      openSocket: (url) => {
        urls.push(url);
        return { send() {}, close() {}, onopen: null, onclose: null, onmessage: null };
      },
    });
    expect(urls).toEqual(['ws://localhost:9/api?token=abc']);
    expect(t.pickFolder).toBeNull();
    t.close();
  });

  it('refuses to start without a token, saying where to find one', () => {
    expect(() => selectTransport({ location: { protocol: 'http:', host: 'h', search: '' }, openSocket: noSocket })).toThrow(/without its access token/);
  });
});
