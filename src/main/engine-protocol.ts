/**
 * What the main process and the engine's utility process say to each other. Calls from a window do
 * not pass through here: each window gets its own port straight to the engine, and speaks the
 * contract's wire protocol on it. Main only sets up ports and asks for media bytes.
 */
import type { WorkbenchErrorData } from '../common/contract/errors.ts';
import type { MediaRef } from '../common/contract/methods.ts';

/** The face of a MessagePortMain (and, in tests, of a Node MessagePort behind an adapter). */
export interface PortLike {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  start(): void;
  close(): void;
}

/** Messages on the utility process's parent port. The `connect-*` ones carry one port. */
export type ToEngine =
  /** `dataDir`: the app's --data-dir switch, or null; the engine resolves it (src/engine/settings/data-dir.ts). */
  | { type: 'init'; dataDir: string | null; defaultFolder: string | null; demoModelDir: string | null }
  /** A port that speaks the wire protocol: a window's, or main's own (for the Recent menu). */
  | { type: 'connect-wire' }
  /** A port for media requests from main's media scheme. */
  | { type: 'connect-media' }
  /** Dispose the Workbench (flush settings and caches), then exit. */
  | { type: 'shutdown' };

export interface MediaRequest {
  id: number;
  ref: MediaRef;
}

/**
 * The answer to a MediaRequest. Bytes travel in the message (structured clone: MessagePortMain
 * cannot transfer ArrayBuffers); a file the engine has already checked travels as its path, and
 * main streams it itself rather than copying an original through the port.
 */
export type MediaReply =
  | { id: number; ok: true; contentType: string; bytes: number; body: { bytes: Uint8Array } | { file: string } }
  | { id: number; ok: false; error: WorkbenchErrorData };
