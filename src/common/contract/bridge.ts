/**
 * What the Electron preload exposes to the renderer as `window.laser`: a message channel that
 * speaks the wire protocol (and nothing else), the scheme for media URLs, and the native folder
 * picker. The preload checks every outgoing message against the contract before it leaves.
 */
import type { ClientMessage } from './wire.ts';

export interface PreloadBridge {
  send(message: ClientMessage): void;
  /** Subscribes to host messages; returns an unsubscribe function. */
  onMessage(listener: (message: unknown) => void): () => void;
  /**
   * URL prefix of the media protocol registered by the main process: a media URL is
   * `${mediaBase}?` + URLSearchParams({ kind, path, size? }).
   */
  readonly mediaBase: string;
  /** Opens the native folder dialog; resolves to the chosen folder or null when cancelled. */
  pickFolder(): Promise<string | null>;
  /**
   * Subscribes to folders chosen from the application menu (File > Open Folder…, Open Recent);
   * returns an unsubscribe function.
   */
  onOpenFolder(listener: (folder: string) => void): () => void;
}

export const bridgeGlobalName = 'laser';

/** Query string of a media URL, the same in both transports. */
export function mediaQuery(
  ref: { kind: 'thumbnail'; path: string; size: number } | { kind: 'original'; path: string } | { kind: 'record-input'; id: string; role: string },
): string {
  if (ref.kind === 'record-input') return new URLSearchParams({ kind: ref.kind, id: ref.id, role: ref.role }).toString();
  const q = new URLSearchParams({ kind: ref.kind, path: ref.path });
  if (ref.kind === 'thumbnail') q.set('size', String(ref.size));
  return q.toString();
}
