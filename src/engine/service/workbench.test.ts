import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeImageFolder } from '../../../test/support/images.ts';
import type { ImageFolder } from '../../../test/support/images.ts';
import { dispatch } from '../../common/contract/host.ts';
import type { CallContext } from '../../common/contract/host.ts';
import { ImageDetails, ScanProgress, ScanSummary, Settings, methods, type ImageQuestion } from '../../common/contract/methods.ts';
import type { MethodName } from '../../common/contract/methods.ts';
import packageJson from '../../../package.json' with { type: 'json' };
import { encodeFsPath } from '../library/hostPath.ts';
import { loadWorldDataset } from '../world/dataset.ts';
import { generateWorld } from '../world/generate.ts';
import type { Workbench } from './types.ts';
import { createWorkbench, expandHome } from './workbench.ts';
import { homedir } from 'node:os';
import { at } from '../../../test/support/index-access.ts';

let tmp: string;
let folder: ImageFolder;
let other: ImageFolder;
const workbenches: Workbench[] = [];

beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'laser-workbench-'));
  folder = await makeImageFolder(path.join(tmp, 'photos'), { count: 9, broken: true, nested: true });
  other = await makeImageFolder(path.join(tmp, 'other'), { count: 2 });
});

afterAll(async () => {
  for (const w of workbenches) await w.dispose();
  await rm(tmp, { recursive: true, force: true });
});

function workbench(dataDir = path.join(tmp, `data-${workbenches.length}`)): Workbench {
  const w = createWorkbench({ dataDir, transport: 'http', defaultFolder: folder.root, canPickFolderNatively: false });
  workbenches.push(w);
  return w;
}

/** Calls a method the way every transport does: validated by the contract's dispatcher. */
async function call(w: Workbench, method: MethodName, request: unknown, signal = new AbortController().signal) {
  const progress: unknown[] = [];
  const ctx: CallContext<MethodName> = { signal, progress: (p) => progress.push(p) };
  const response = await dispatch(w.handlers, method, request, ctx);
  return { response: methods[method].response.parse(response), progress };
}

describe('Workbench handlers', () => {
  it('describes the host', async () => {
    const { response } = await call(workbench(), 'host.info', {});
    expect(response).toMatchObject({
      version: packageJson.version,
      transport: 'http',
      platform: process.platform,
      defaultFolder: folder.root,
      canPickFolderNatively: false,
    });
  });

  it('scans a folder, streaming batches that fit the contract, and returns the summary', async () => {
    const { response, progress } = await call(workbench(), 'library.scan', { root: folder.root });
    const summary = ScanSummary.parse(response);
    const entries = progress.flatMap((p) => ScanProgress.parse(p).entries);
    expect(summary).toMatchObject({ root: folder.root, found: entries.length, broken: 3, directoriesVisited: 7 });
    expect(entries.map((e) => e.path)).toEqual(expect.arrayContaining(folder.images.map((i) => i.path)));
    expect(summary.warnings).toHaveLength(1);
  });

  it('remembers scanned folders, newest first, across restarts', async () => {
    const dataDir = path.join(tmp, 'data-recent');
    const w = workbench(dataDir);
    await call(w, 'library.scan', { root: other.root });
    await call(w, 'library.scan', { root: folder.root });
    const { response } = await call(w, 'library.recent', {});
    expect((response as Array<{ path: string }>).map((r) => r.path)).toEqual([folder.root, other.root]);
    await w.dispose();
    const again = await call(workbench(dataDir), 'library.recent', {});
    expect(again.response).toEqual(response);
  });

  it('keeps the image pixel limit as a setting: the default until set, applied at once, remembered, cleared with null', async () => {
    const dataDir = path.join(tmp, 'data-pixels');
    const w = workbench(dataDir);
    expect((await call(w, 'settings.get', {})).response).toEqual({
      maxImagePixels: { value: 100_000_000, setting: null, default: 100_000_000, ceiling: 2_147_483_647, overriddenBy: null },
    });
    await call(w, 'library.scan', { root: folder.root });
    const image = at(folder.images, 0).path;
    await call(w, 'library.imageDetails', { path: image });
    const set = await call(w, 'settings.update', { maxImagePixels: 100 });
    expect(Settings.parse(set.response).maxImagePixels).toMatchObject({ value: 100, setting: 100 });
    await expect(call(w, 'library.imageDetails', { path: image })).rejects.toMatchObject({
      code: 'too-large',
      message: expect.stringMatching(/limit of 100 pixels|more than the limit/),
    });
    await w.dispose();
    const again = workbench(dataDir);
    expect(Settings.parse((await call(again, 'settings.get', {})).response).maxImagePixels).toMatchObject({ value: 100, setting: 100 });
    expect(JSON.parse(await readFile(path.join(dataDir, 'settings.json'), 'utf8'))).toMatchObject({ maxImagePixels: 100 });
    expect(Settings.parse((await call(again, 'settings.update', { maxImagePixels: null })).response).maxImagePixels).toMatchObject({
      value: 100_000_000,
      setting: null,
    });
    await call(again, 'library.scan', { root: folder.root });
    await call(again, 'library.imageDetails', { path: image });
    await expect(call(again, 'settings.update', { maxImagePixels: 0 })).rejects.toMatchObject({ code: 'bad-request' });
    await expect(call(again, 'settings.update', { maxImagePixels: 2 ** 31 })).rejects.toMatchObject({ code: 'bad-request' });
  });

  it('says when LASER_MAX_IMAGE_PIXELS overrides the pixel limit setting', async () => {
    const w = workbench();
    await call(w, 'settings.update', { maxImagePixels: 5000 });
    process.env.LASER_MAX_IMAGE_PIXELS = '7000';
    try {
      expect(Settings.parse((await call(w, 'settings.get', {})).response).maxImagePixels).toEqual({
        value: 7000,
        setting: 5000,
        default: 100_000_000,
        ceiling: 2_147_483_647,
        overriddenBy: 'LASER_MAX_IMAGE_PIXELS',
      });
    } finally {
      delete process.env.LASER_MAX_IMAGE_PIXELS;
      await call(w, 'settings.update', { maxImagePixels: null });
    }
  });

  it('refuses to scan a missing folder and does not remember it', async () => {
    const w = workbench();
    await expect(call(w, 'library.scan', { root: path.join(tmp, 'absent') })).rejects.toMatchObject({ code: 'not-found' });
    expect((await call(w, 'library.recent', {})).response).toEqual([]);
  });

  it('stops a scan when the call is cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(call(workbench(), 'library.scan', { root: folder.root }, controller.signal)).rejects.toMatchObject({ code: 'cancelled' });
  });

  it('lists a folder for the picker', async () => {
    const { response } = await call(workbench(), 'library.listDirectory', { path: folder.root });
    expect(response).toMatchObject({ path: folder.root, parent: tmp, imageCount: 3 });
  });

  it('gives image details only inside an opened folder', async () => {
    const w = workbench();
    const img = at(folder.images, 0);
    await expect(call(w, 'library.imageDetails', { path: img.path })).rejects.toMatchObject({ code: 'outside-opened-folders' });
    await call(w, 'library.scan', { root: folder.root });
    const d = ImageDetails.parse((await call(w, 'library.imageDetails', { path: img.path })).response);
    expect(d).toMatchObject({ width: img.width, height: img.height, format: img.format });
  });

  it('explains a broken thumbnail through image details', async () => {
    const w = workbench();
    await call(w, 'library.scan', { root: folder.root });
    await expect(call(w, 'library.imageDetails', { path: folder.bad!.truncatedPng })).rejects.toMatchObject({
      code: 'corrupt-image',
      message: expect.stringMatching(/truncated/),
    });
  });

  it("lists a generated world's questions about an image, with the truth, where runs may read it", async () => {
    const world = path.join(tmp, 'world');
    await generateWorld({ seed: 31, count: 2, out: world });
    // the world is the bundled samples here: readable before it is opened, as runs are
    const w = createWorkbench({ dataDir: path.join(tmp, 'data-world'), transport: 'http', defaultFolder: world });
    workbenches.push(w);
    const truth = await loadWorldDataset(world);
    const image = at(truth.samples, 0).imagePath;
    const qs = (await call(w, 'library.imageQuestions', { path: image })).response as ImageQuestion[];
    expect(qs.map((q) => [q.question, q.answer])).toEqual(truth.samples.filter((s) => s.imagePath === image).map((s) => [s.text, s.answer]));
    // an image of an ordinary folder has none; one outside every opened folder is refused
    await call(w, 'library.scan', { root: other.root });
    expect((await call(w, 'library.imageQuestions', { path: at(other.images, 0).path })).response).toEqual([]);
    await expect(call(w, 'library.imageQuestions', { path: at(folder.images, 0).path })).rejects.toMatchObject({ code: 'outside-opened-folders' });
  });

  it('rejects a malformed request before any handler runs', async () => {
    await expect(call(workbench(), 'library.scan', { root: '' })).rejects.toMatchObject({ code: 'bad-request' });
  });
});

describe('expandHome', () => {
  it('reads ~ and ~/ as the home folder, and leaves other paths alone', () => {
    expect(expandHome('~')).toBe(homedir());
    expect(expandHome('~/photos')).toBe(path.join(homedir(), 'photos'));
    expect(expandHome('/data/~/x')).toBe('/data/~/x');
    expect(expandHome('~other/x')).toBe('~other/x');
  });
});

describe('Workbench media', () => {
  it('refuses every path until its folder is opened, then serves thumbnails as WebP files', async () => {
    const w = workbench();
    const ref = { kind: 'thumbnail' as const, path: at(folder.images, 3).path, size: 128 };
    await expect(w.media.get(ref)).rejects.toMatchObject({ code: 'outside-opened-folders' });
    await call(w, 'library.scan', { root: folder.root });
    const answer = await w.media.get(ref);
    expect(answer.contentType).toBe('image/webp');
    if (!('file' in answer.body)) throw new Error('expected a file to stream');
    expect(answer.bytes).toBe((await stat(answer.body.file)).size);
    expect((await sharp(answer.body.file).metadata()).format).toBe('webp');
  });

  it('keeps thumbnails under <dataDir>/thumbnails', async () => {
    const dataDir = path.join(tmp, 'data-thumbs');
    const w = workbench(dataDir);
    await call(w, 'library.scan', { root: folder.root });
    const answer = await w.media.get({ kind: 'thumbnail', path: at(folder.images, 0).path, size: 256 });
    expect('file' in answer.body && answer.body.file.startsWith(path.join(dataDir, 'thumbnails') + path.sep)).toBe(true);
  });

  it('serves an original as a file to stream, with the content type of what it is', async () => {
    const w = workbench();
    await call(w, 'library.scan', { root: folder.root });
    const jpeg = folder.images.find((i) => i.format === 'jpeg')!;
    const answer = await w.media.get({ kind: 'original', path: jpeg.path });
    expect(answer).toEqual({ body: { file: jpeg.path }, contentType: 'image/jpeg', bytes: jpeg.bytes });
  });

  it('serves the original of a non-UTF-8 name as bytes, since its path cannot be a string', async () => {
    const w = workbench();
    await call(w, 'library.scan', { root: folder.root });
    const answer = await w.media.get({ kind: 'original', path: encodeFsPath(folder.bad!.nonUtf8Name) });
    expect(answer.contentType).toBe('image/png');
    if (!('bytes' in answer.body)) throw new Error('expected bytes');
    expect(answer.body.bytes.equals(await readFile(folder.bad!.nonUtf8Name))).toBe(true);
  });

  it('does not serve a non-image from an opened folder, whatever its name', async () => {
    const w = workbench();
    await call(w, 'library.scan', { root: folder.root });
    await expect(w.media.get({ kind: 'original', path: folder.bad!.textAsJpeg })).rejects.toMatchObject({ code: 'unsupported-image' });
  });

  it('refuses .. traversal out of an opened folder', async () => {
    const w = workbench();
    await call(w, 'library.scan', { root: folder.root });
    const sneaky = path.join(folder.root, 'animals') + '/../../other/img-00000.png';
    await expect(w.media.get({ kind: 'original', path: sneaky })).rejects.toMatchObject({ code: 'outside-opened-folders' });
  });

  it('says why a thumbnail cannot be made', async () => {
    const w = workbench();
    await call(w, 'library.scan', { root: folder.root });
    await expect(w.media.get({ kind: 'thumbnail', path: folder.bad!.hugePng, size: 128 })).rejects.toMatchObject({ code: 'too-large' });
  });
});
