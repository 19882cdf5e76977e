import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkbenchError } from '../common/contract/errors.ts';
import type { MediaRef } from '../common/contract/methods.ts';
import { answerAppRequest } from './app-scheme.ts';
import type { MediaAnswer } from './engine-supervisor.ts';
import { answerMediaRequest } from './media-scheme.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'laser-schemes-'));
  await mkdir(join(dir, 'renderer', 'assets'), { recursive: true });
  await writeFile(join(dir, 'renderer', 'index.html'), '<!doctype html><title>app</title>');
  await writeFile(join(dir, 'renderer', 'assets', 'app.js'), 'run()');
  await writeFile(join(dir, 'secret.txt'), 'SECRET');
  await writeFile(join(dir, 'original.png'), 'ORIGINAL');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('laser-media scheme', () => {
  const media = async (ref: MediaRef): Promise<MediaAnswer> => {
    const path = 'path' in ref ? ref.path : `record ${ref.id}`;
    if (path === '/open/t.png') return { contentType: 'image/webp', bytes: 3, body: { bytes: new Uint8Array([1, 2, 3]) } };
    if (path === '/open/o.png') return { contentType: 'image/png', bytes: 8, body: { file: join(dir, 'original.png') } };
    if (path === '/open/gone.png') return { contentType: 'image/png', bytes: 8, body: { file: join(dir, 'gone.png') } };
    if (path === '/open/bad.png') throw new WorkbenchError('corrupt-image', 'bad.png is truncated.');
    throw new WorkbenchError('outside-opened-folders', `${path} is outside.`);
  };
  const get = (query: string) => answerMediaRequest(new Request(`laser-media://media/?${query}`), media);

  it('answers thumbnails from bytes and originals streamed from their file', async () => {
    const t = await get('kind=thumbnail&path=%2Fopen%2Ft.png&size=128');
    expect(t.status).toBe(200);
    expect(t.headers.get('content-type')).toBe('image/webp');
    expect([...new Uint8Array(await t.arrayBuffer())]).toEqual([1, 2, 3]);
    const o = await get('kind=original&path=%2Fopen%2Fo.png');
    expect(await o.text()).toBe('ORIGINAL');
  });

  it('uses the serve-mode status codes: 400 bad query, 403 outside, 404 vanished file, 422 corrupt', async () => {
    expect((await get('kind=thumbnail&path=%2Fopen%2Ft.png&size=7')).status).toBe(400);
    const outside = await get('kind=original&path=%2Fetc%2Fpasswd');
    expect(outside.status).toBe(403);
    expect(await outside.json()).toMatchObject({ code: 'outside-opened-folders' });
    expect((await get('kind=original&path=%2Fopen%2Fgone.png')).status).toBe(404);
    expect((await get('kind=original&path=%2Fopen%2Fbad.png')).status).toBe(422);
  });

  it('answers only its own host', async () => {
    expect((await answerMediaRequest(new Request('laser-media://other/?kind=original&path=%2Fopen%2Ft.png'), media)).status).toBe(404);
  });
});

describe('laser-app scheme', () => {
  const csp = "default-src 'self'";
  const get = (url: string) => answerAppRequest(new Request(url), join(dir, 'renderer'), csp);

  it('serves the built files with their content type and the security headers', async () => {
    const r = await get('laser-app://app/assets/app.js');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(r.headers.get('content-security-policy')).toBe(csp);
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await r.text()).toBe('run()');
  });

  it('falls back to index.html for app routes', async () => {
    expect(await (await get('laser-app://app/library/view')).text()).toContain('<title>app</title>');
  });

  it('never serves a file outside the renderer folder', async () => {
    for (const url of ['laser-app://app/%2e%2e/secret.txt', 'laser-app://app/assets/..%2f..%2fsecret.txt', 'laser-app://app/../secret.txt']) {
      const r = await get(url);
      expect(await r.text(), url).not.toContain('SECRET');
    }
  });

  it('says to build the renderer when it is missing', async () => {
    const r = await answerAppRequest(new Request('laser-app://app/index.html'), join(dir, 'none'), csp);
    expect(r.status).toBe(503);
    expect(await r.text()).toContain('npm run build');
  });
});
