import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { REPORT_CSS, reportStyleSource } from '../eval/report-style.ts';
import { contentSecurityPolicy } from './security-headers.ts';

const root = fileURLToPath(new URL('../../..', import.meta.url));

function directive(csp: string, name: string): string | undefined {
  return csp
    .split(';')
    .map((d) => d.trim())
    .find((d) => d.startsWith(`${name} `));
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.(tsx?|html|css)$/.test(name) && !/\.test\.tsx?$/.test(name) ? [path] : [];
  });
}

describe('the content security policy', () => {
  it("allows styles from the page's own files and the report's one stylesheet by hash, with no 'unsafe-inline'", () => {
    const styles = `style-src 'self' ${reportStyleSource()}`;
    expect(directive(contentSecurityPolicy(), 'style-src')).toBe(styles);
    expect(directive(contentSecurityPolicy({ imageSources: ['laser-media:'] }), 'style-src')).toBe(styles);
    // the hash Chromium asked for when the Runs view's report frame was refused
    expect(reportStyleSource()).toBe("'sha256-eKmqpaGjSTRpC+n1sneFPTLz4bW0bYcNeB12nSOCO6o='");
    expect(REPORT_CSS).not.toContain('</style');
    expect(directive(contentSecurityPolicy(), 'script-src')).toBe("script-src 'self'");
  });

  it('relaxes scripts and styles only for the Vite dev server (its refresh preamble and <style> CSS)', () => {
    const dev = contentSecurityPolicy({ inlineScripts: true });
    expect(directive(dev, 'style-src')).toBe("style-src 'self' 'unsafe-inline'");
    expect(directive(dev, 'script-src')).toBe("script-src 'self' 'unsafe-inline'");
  });

  it("is what the renderer's index.html says in its meta tag, for the built page", () => {
    const html = readFileSync(join(root, 'src/renderer/index.html'), 'utf8');
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1] ?? '';
    expect(directive(meta, 'style-src')).toBe(`style-src 'self' ${reportStyleSource()}`);
    expect(meta).not.toContain('unsafe-inline');
  });

  it('is not contradicted by the renderer: no <style> elements or style attributes in markup', () => {
    // React style props and ECharts' element.style go through the CSSOM, which CSP allows; these
    // are the ways of writing inline styles it refuses.
    const offenders: string[] = [];
    for (const file of sources(join(root, 'src/renderer'))) {
      const text = readFileSync(file, 'utf8');
      for (const pattern of [/<style[\s>]/, /\sstyle="/, /dangerouslySetInnerHTML/, /\.innerHTML\s*=/, /setAttribute\(\s*['"]style['"]/, /insertRule\(/]) {
        if (pattern.test(text)) offenders.push(`${file.slice(root.length)}: ${pattern}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
