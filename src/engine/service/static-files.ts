/**
 * Finds the file of the built renderer that a request path names. Shared by the HTTP server and
 * Electron's app scheme, so both refuse the same paths and fall back to index.html the same way.
 */
import { stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';

export type StaticTarget =
  | { kind: 'file'; file: string; contentType: string; bytes: number; immutable: boolean }
  | { kind: 'forbidden' }
  | { kind: 'not-found' }
  | { kind: 'not-built'; rendererDir: string };

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
};

export function contentTypeFor(file: string): string {
  return contentTypes[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * The absolute file a URL path names inside root, or null when the path tries to leave it (`..`
 * in any spelling, backslashes, NUL) or is not valid percent-encoding.
 */
export function resolveStaticPath(root: string, rawPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return null;
  }
  if (!decoded.startsWith('/') || decoded.includes('\0') || decoded.includes('\\')) return null;
  if (decoded.split('/').some((segment) => segment === '..')) return null;
  const base = resolve(root);
  const full = resolve(base, `.${decoded}`);
  return full === base || full.startsWith(base + sep) ? full : null;
}

/** `rawPath` is the request's path as sent, before the query, still percent-encoded. */
export async function locateStatic(rendererDir: string, rawPath: string): Promise<StaticTarget> {
  const root = resolve(rendererDir);
  const index = join(root, 'index.html');
  const indexStat = await fileStat(index);
  if (!indexStat) return { kind: 'not-built', rendererDir: root };
  const full = resolveStaticPath(root, rawPath);
  if (full === null) return { kind: 'forbidden' };
  const found = await fileStat(full);
  if (found) {
    return { kind: 'file', file: full, contentType: contentTypeFor(full), bytes: found.size, immutable: rawPath.startsWith('/assets/') };
  }
  // A path without an extension is a route of the single-page app, not a missing asset.
  const lastSegment = rawPath.slice(rawPath.lastIndexOf('/') + 1);
  if (lastSegment.includes('.')) return { kind: 'not-found' };
  return { kind: 'file', file: index, contentType: contentTypeFor(index), bytes: indexStat.size, immutable: false };
}

async function fileStat(path: string) {
  try {
    const s = await stat(path);
    return s.isFile() ? s : null;
  } catch {
    return null;
  }
}

export function notBuiltPage(rendererDir: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>LASER Workbench: UI not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40em; margin: 4em auto; line-height: 1.5">
<h1>The workbench UI is not built yet</h1>
<p>The server is running, but there is no built renderer in <code>${escapeHtml(rendererDir)}</code>.</p>
<p>Run <code>npm run build</code> in the project folder, then reload this page.</p>
</body></html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
