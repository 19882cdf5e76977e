/**
 * The one API contract between the workbench UI and its engine. Every transport (Electron IPC,
 * HTTP/WebSocket in serve mode) carries exactly these methods, and every request is validated
 * against its schema at the host boundary, since the renderer is untrusted.
 *
 * A method is a call with a request, a response and, for long work, progress events. Every call
 * can be cancelled; cancellation is cooperative (the handler sees an AbortSignal).
 */
import { z } from 'zod';

/** A filesystem path as the host sees it. Paths are opaque strings to the renderer. */
const HostPath = z.string().min(1).max(4096);

export const ImageEntry = z.object({
  /** Absolute path on the host. */
  path: HostPath,
  /** Path relative to the scanned root, with '/' separators, for display. */
  relPath: z.string(),
  /** Display name; lossy (U+FFFD) where the file name is not valid UTF-8. */
  name: z.string(),
  bytes: z.number().int().nonnegative(),
  mtimeMs: z.number(),
  /** Pixel size, present when the header could be read. */
  width: z.number().int().positive().optional(),
  height: z.number().int().positive().optional(),
  format: z.string().optional(),
  /** Present when the file is broken: what is wrong with it, in words. */
  error: z.string().optional(),
});
export type ImageEntry = z.infer<typeof ImageEntry>;

export const ScanProgress = z.object({
  /** Newly found entries since the last event, in discovery order. */
  entries: z.array(ImageEntry),
  /** Totals so far. */
  found: z.number().int().nonnegative(),
  broken: z.number().int().nonnegative(),
  directoriesVisited: z.number().int().nonnegative(),
});
export type ScanProgress = z.infer<typeof ScanProgress>;

export const ScanSummary = z.object({
  root: HostPath,
  found: z.number().int().nonnegative(),
  broken: z.number().int().nonnegative(),
  directoriesVisited: z.number().int().nonnegative(),
  /** Problems that did not stop the scan (an unreadable sub-folder, a symlink loop), in words. */
  warnings: z.array(z.string()),
  elapsedMs: z.number().nonnegative(),
});
export type ScanSummary = z.infer<typeof ScanSummary>;

export const DirectoryListing = z.object({
  path: HostPath,
  parent: HostPath.nullable(),
  directories: z.array(z.object({ name: z.string(), path: HostPath })),
  imageCount: z.number().int().nonnegative(),
});
export type DirectoryListing = z.infer<typeof DirectoryListing>;

export const RecentFolder = z.object({ path: HostPath, openedAt: z.string() });
export type RecentFolder = z.infer<typeof RecentFolder>;

export const ImageDetails = z.object({
  path: HostPath,
  name: z.string(),
  bytes: z.number().int().nonnegative(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  format: z.string(),
  channels: z.number().int().positive(),
  hasAlpha: z.boolean(),
  contentHash: z.string(),
});
export type ImageDetails = z.infer<typeof ImageDetails>;

export const HostInfo = z.object({
  version: z.string(),
  transport: z.enum(['electron', 'http']),
  platform: z.string(),
  homeDir: HostPath,
  /** The folder that opens on first start (the bundled samples), if any. */
  defaultFolder: HostPath.nullable(),
  canPickFolderNatively: z.boolean(),
});
export type HostInfo = z.infer<typeof HostInfo>;

const Empty = z.object({}).strict();
const NoProgress = z.never();

function method<Req extends z.ZodType, Res extends z.ZodType, Prog extends z.ZodType = typeof NoProgress>(
  request: Req,
  response: Res,
  progress?: Prog,
) {
  return { request, response, progress: (progress ?? NoProgress) as Prog };
}

export const methods = {
  /** What host the UI is talking to. */
  'host.info': method(Empty, HostInfo),
  /** Lists sub-folders of a host folder (serve mode's folder picker). Names only; no file content. */
  'library.listDirectory': method(z.object({ path: HostPath }).strict(), DirectoryListing),
  /**
   * Opens a folder: it becomes readable through media URLs, is remembered among recent folders,
   * and is scanned recursively for images; entries stream as progress events.
   */
  'library.scan': method(z.object({ root: HostPath }).strict(), ScanSummary, ScanProgress),
  /** Recently opened folders, newest first. */
  'library.recent': method(Empty, z.array(RecentFolder)),
  /** Full details of one image in an opened folder (decodes the header, hashes the content). */
  'library.imageDetails': method(z.object({ path: HostPath }).strict(), ImageDetails),
} as const;

export type Methods = typeof methods;
export type MethodName = keyof Methods;
export type RequestOf<M extends MethodName> = z.input<Methods[M]['request']>;
export type ResponseOf<M extends MethodName> = z.output<Methods[M]['response']>;
export type ProgressOf<M extends MethodName> = z.output<Methods[M]['progress']>;

export function isMethodName(name: string): name is MethodName {
  return Object.prototype.hasOwnProperty.call(methods, name);
}

/**
 * Images and thumbnails are not carried over the call channel: each transport turns a MediaRef into
 * a URL that the renderer can put in an <img>. The host only serves files inside opened folders.
 */
export type MediaRef =
  | { kind: 'thumbnail'; path: string; size: number }
  | { kind: 'original'; path: string };

export const thumbnailSizes = [128, 256, 512] as const;
export const MediaQuery = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('thumbnail'), path: HostPath, size: z.coerce.number().int().refine((n) => (thumbnailSizes as readonly number[]).includes(n), 'size must be 128, 256 or 512') }),
  z.object({ kind: z.literal('original'), path: HostPath }),
]);
