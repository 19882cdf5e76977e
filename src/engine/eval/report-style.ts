/**
 * The one stylesheet of `laser report`'s self-contained HTML. The app shows that page in a sandboxed
 * srcdoc frame, which inherits the renderer's CSP (style-src without 'unsafe-inline'), so the CSP
 * allows exactly this <style> element by its SHA-256 (src/engine/service/security-headers.ts and the
 * meta tag of src/renderer/index.html, checked equal by security-headers.test.ts).
 */
import { createHash } from 'node:crypto';

export const REPORT_CSS =
  'body{font:14px system-ui,sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}th{background:#f3f3f3}pre{background:#f7f7f7;padding:1em;overflow:auto}';

/** The CSP source that allows `<style>${REPORT_CSS}</style>`: `'sha256-<base64>'`. */
export function reportStyleSource(): string {
  return `'sha256-${createHash('sha256').update(REPORT_CSS, 'utf8').digest('base64')}'`;
}
