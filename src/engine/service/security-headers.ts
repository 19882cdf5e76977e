/**
 * The headers every response of the workbench carries, in both shells. The page may load code,
 * styles and data only from its own origin; images may also come from data:/blob: URLs (rendered
 * overlays) and, in Electron, from the media scheme. Shared by serve mode (src/server) and Electron's
 * app scheme (src/main), which may not import each other.
 */
import { reportStyleSource } from '../eval/report-style.ts';

export interface CspOptions {
  /** More image sources, such as Electron's media scheme (`laser-media:`). */
  imageSources?: readonly string[];
  /**
   * Only for the Vite dev server, whose React refresh preamble is an inline script and which
   * injects CSS as <style> elements; production pages link their CSS as files.
   */
  inlineScripts?: boolean;
}

/**
 * `style-src 'self'` without 'unsafe-inline': styles come from the built CSS files only. Styles set
 * through the CSSOM (React's style props, ECharts' and zrender's element.style / style.cssText) are
 * not inline styles to CSP and stay allowed; <style> elements and style="..." attributes in markup
 * (innerHTML, setAttribute('style')) are refused, so the renderer uses none (ECharts tooltips get
 * plain-text formatters, not its default markup with style attributes).
 *
 * One inline stylesheet is allowed by its hash: `laser report`'s (engine/eval/report-style.ts), since
 * the Runs view shows that self-contained page in a srcdoc frame, which inherits this policy.
 *
 * `connect-src 'self'` also covers the page's own WebSocket (ws://same-host:port): CSP Level 3
 * lets 'self' match ws/wss on the page's host and port (checked against this server in Chromium 156).
 */
export function contentSecurityPolicy(options: CspOptions = {}): string {
  return [
    "default-src 'self'",
    ["img-src 'self' data: blob:", ...(options.imageSources ?? [])].join(' '),
    options.inlineScripts ? "style-src 'self' 'unsafe-inline'" : `style-src 'self' ${reportStyleSource()}`,
    "connect-src 'self'",
    options.inlineScripts ? "script-src 'self' 'unsafe-inline'" : "script-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export function securityHeaders(csp: string = contentSecurityPolicy()): Record<string, string> {
  return {
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  };
}
