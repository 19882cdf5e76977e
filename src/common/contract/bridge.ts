/**
 * What the Electron preload exposes to the renderer as `window.laser`: a message channel that
 * speaks the wire protocol (and nothing else), plus the scheme for media URLs. The preload checks
 * every outgoing message against the contract before it reaches the main process.
 */
import type { ClientMessage } from './wire.ts';

export interface PreloadBridge {
  send(message: ClientMessage): void;
  /** Subscribes to host messages; returns an unsubscribe function. */
  onMessage(listener: (message: unknown) => void): () => void;
  /** URL prefix of the media protocol registered by the main process, e.g. 'laser-media://media/'. */
  readonly mediaBase: string;
}

export const bridgeGlobalName = 'laser';
