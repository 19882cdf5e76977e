/**
 * What the main process and the engine's utility process say to each other. Calls from a window do
 * not pass through here: each window gets its own port straight to the engine, and speaks the
 * contract's wire protocol (src/common/contract/wire.ts) on it; so does main's own port (the Recent
 * menu). Main only sets up ports and asks for media bytes, and the media port speaks the same wire
 * protocol, with its own one-method table (`mediaOps`) served by the contract's host and called by
 * its client. The parent port's own messages (which carry ports, so they are not calls) are one zod
 * union. Both ends' types are derived from these schemas, and the engine checks what arrives.
 */
import { z } from 'zod';
import { MediaQuery, method } from '../common/contract/methods.ts';

/** The face of a MessagePortMain (and, in tests, of a Node MessagePort behind an adapter). */
export interface PortLike {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  start(): void;
  close(): void;
}

/** Messages on the utility process's parent port. The `connect-*` ones carry one port. */
export const ToEngine = z.discriminatedUnion('type', [
  /** `dataDir`: the app's --data-dir switch, or null; the engine resolves it (src/engine/settings/data-dir.ts). */
  z.object({ type: z.literal('init'), dataDir: z.string().nullable(), defaultFolder: z.string().nullable(), demoModelDir: z.string().nullable() }),
  /** A port that speaks the wire protocol: a window's, or main's own (for the Recent menu). */
  z.object({ type: z.literal('connect-wire') }),
  /** A port for media requests from main's media scheme. */
  z.object({ type: z.literal('connect-media') }),
  /** Dispose the Workbench (flush settings and caches), then exit. */
  z.object({ type: z.literal('shutdown') }),
]);
export type ToEngine = z.infer<typeof ToEngine>;

/**
 * What a media request answers. Bytes travel in the message (structured clone: MessagePortMain
 * cannot transfer ArrayBuffers); a file the engine has already checked travels as its path, and
 * main streams it itself rather than copying an original through the port.
 */
export const MediaAnswer = z.object({
  contentType: z.string(),
  bytes: z.number().nonnegative(),
  body: z.union([z.object({ bytes: z.instanceof(Uint8Array) }), z.object({ file: z.string() })]),
});
export type MediaAnswer = z.infer<typeof MediaAnswer>;

/** The media port's methods, in the contract's shape (src/common/contract/host.ts OpTable). */
export const mediaOps = {
  /** The bytes (or the checked file) of a thumbnail, an original or a record's input image. */
  'media.get': method(MediaQuery, MediaAnswer),
} as const;
