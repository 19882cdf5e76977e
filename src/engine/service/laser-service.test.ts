/**
 * The models.* and laser.* methods end to end through the contract's dispatcher, on the tiny
 * LLaVA checkpoint with a hand-made word-level tokenizer (test/laser/support): compiled in the
 * inference worker, registered, run, stored and loaded again.
 */
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  compileTinyLaserBundle,
  IMAGE_224,
  IMAGE_500x375,
  TINY_CHECKPOINT,
  writeWordTokenizer,
  type TinyLaserBundle,
} from '../../../test/laser/support/tiny-laser-bundle.ts';
import { createApi } from '../../common/contract/client.ts';
import { createWireHost, dispatch, type CallContext } from '../../common/contract/host.ts';
import { methods, type MethodName, type ProgressOf, type ResponseOf } from '../../common/contract/methods.ts';
import { openBundle } from '../bundle/open-bundle.ts';
import type { Workbench } from './types.ts';
import { createWorkbench } from './workbench.ts';
import { pdfFonts } from '../figures/pdf-fonts.ts';
import { workbenchRejection } from '../../../test/support/rejection.ts';
import { at, present } from '../../../test/support/index-access.ts';

let tmp: string;
let checkpoint: string;
let photos: string;
let samples: string;
let photo: string;
let outsideImage: string;
let compiled: TinyLaserBundle;
const workbenches: Workbench[] = [];

/** The tiny checkpoint with tokenizer files, as a user would have it: not compiled. */
async function writeCheckpoint(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  for (const f of ['config.json', 'generation_config.json', 'model.safetensors']) await copyFile(path.join(TINY_CHECKPOINT, f), path.join(dir, f));
  await writeWordTokenizer(dir, { vocabSize: 300, imageTokenId: 296 });
  return dir;
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'laser-service-'));
  checkpoint = await writeCheckpoint(path.join(tmp, 'llava-tiny'));
  photos = path.join(tmp, 'photos');
  samples = path.join(tmp, 'samples');
  await mkdir(photos);
  await mkdir(samples);
  await mkdir(path.join(tmp, 'elsewhere'));
  photo = path.join(photos, 'street.png');
  outsideImage = path.join(tmp, 'elsewhere', 'street.png');
  await copyFile(IMAGE_500x375, photo);
  await copyFile(IMAGE_500x375, outsideImage);
  await copyFile(IMAGE_224, path.join(samples, 'square.png'));
  compiled = await compileTinyLaserBundle();
});

afterAll(async () => {
  for (const w of workbenches) await w.dispose();
  await compiled?.dispose();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

function workbench(dataDir: string, demoModelDir: string | null = null): Workbench {
  const w = createWorkbench({ dataDir, transport: 'http', defaultFolder: samples, demoModelDir });
  workbenches.push(w);
  return w;
}

/** A call as every transport makes it: request checked by the dispatcher, response by the contract. */
async function call<M extends MethodName>(
  w: Workbench,
  method: M,
  request: unknown,
  signal = new AbortController().signal,
  onProgress?: (p: ProgressOf<M>) => void,
) {
  const progress: ProgressOf<M>[] = [];
  const ctx = {
    signal,
    progress: (p: ProgressOf<M>) => {
      progress.push(methods[method].progress.parse(p) as ProgressOf<M>);
      onProgress?.(p);
    },
  } as unknown as CallContext<MethodName>;
  const response = methods[method].response.parse(await dispatch(w.handlers, method, request, ctx)) as ResponseOf<M>;
  return { response, progress };
}

const question = 'what is the colour of the cat ?';

describe('models and LASER runs through the contract', () => {
  const dataDir = () => path.join(tmp, 'data');
  let w: Workbench;
  let modelId: string;
  let runId: string;

  beforeAll(() => {
    w = workbench(dataDir());
  });

  it('models.add compiles a checkpoint folder into the data folder, with progress, and registers it', async () => {
    const { response: model, progress } = await call(w, 'models.add', { path: checkpoint });
    expect(model).toMatchObject({
      id: 'llava-tiny',
      name: 'llava-tiny',
      source: 'compiled',
      status: 'ready',
      layers: 4,
      heads: 4,
      grid: [4, 4],
      hasTokenizer: true,
      dtype: 'fp32',
    });
    expect(model.dir).toBe(path.join(dataDir(), 'bundles', 'llava-tiny'));
    expect(progress.map((p) => p.stage)).toContain('weights');
    expect(progress.map((p) => p.stage)).toContain('hashing');
    const lastWeights = progress.filter((p) => p.stage === 'weights').at(-1)!;
    expect(lastWeights.tensorsDone).toBe(lastWeights.tensorsTotal);
    expect(lastWeights.bytesDone).toBe(lastWeights.bytesTotal);
    modelId = model.id;

    const { response: list } = await call(w, 'models.list', {});
    expect(list).toEqual([model]);
    const again = await call(w, 'models.add', { path: checkpoint });
    expect(again.response.id).toBe(model.id);
    expect(again.progress).toEqual([]);
  });

  it('models.add of a checkpoint registered before compiles a bundle of its own for other options, and gives the same bundle for the same ones', async () => {
    const int8 = { dtype: 'int8', quantize: { blockSize: 64 } } as const;
    const { response: model, progress } = await call(w, 'models.add', { path: checkpoint, compile: int8 });
    expect(progress.length).toBeGreaterThan(0);
    expect(model).toMatchObject({ id: 'llava-tiny-int8', source: 'compiled', dtype: 'int8', quantization: { blockSize: 64, symmetric: true, lmHead: true } });
    expect(model.dir).toBe(path.join(dataDir(), 'bundles', 'llava-tiny-int8'));
    const listed = (await call(w, 'models.list', {})).response;
    expect(listed.map((m) => [m.id, m.dtype, m.quantization?.blockSize ?? null])).toEqual([
      ['llava-tiny', 'fp32', null],
      ['llava-tiny-int8', 'int8', 64],
    ]);
    // the same options spelled otherwise (the defaults written out) are the same bundle; the fp32 one is still there
    const again = await call(w, 'models.add', { path: checkpoint, compile: { dtype: 'int8', quantize: { blockSize: 64, symmetric: true, accuracyLevel: 4 } } });
    expect([again.response.id, again.progress]).toEqual(['llava-tiny-int8', []]);
    const fp32 = await call(w, 'models.add', { path: checkpoint, compile: { dtype: 'fp32', imageMode: 'pad' } });
    expect([fp32.response.id, fp32.progress]).toEqual([modelId, []]);
    // a registration from before the options were stored is read from its manifest
    const registry = path.join(dataDir(), 'models.json');
    const stored = JSON.parse(await readFile(registry, 'utf8')) as { version: 1; models: { compile?: unknown }[] };
    for (const m of stored.models) delete m.compile;
    await writeFile(registry, JSON.stringify(stored));
    const later = workbench(dataDir());
    expect((await call(later, 'models.add', { path: checkpoint, compile: int8 })).progress).toEqual([]);
    expect((await call(later, 'models.add', { path: checkpoint })).response.id).toBe(modelId);
    await later.dispose();
    expect((await call(w, 'models.remove', { id: 'llava-tiny-int8' })).response).toEqual({ removed: true });
  });

  it('laser.run returns the record, with the layer at the argmax of VAQ, and views ready to draw', async () => {
    await call(w, 'library.scan', { root: photos });
    const { response: r, progress } = await call(w, 'laser.run', { modelId, imagePath: photo, question, method: 'laser' });
    const vaq = r.record.vaq!;
    expect(vaq).toHaveLength(4);
    expect(r.record.layer).toBe(vaq.indexOf(Math.max(...vaq)));
    expect(r.record).toMatchObject({ method: 'laser', question, image: { width: 500, height: 375 }, bundle: { name: 'llava-tiny', layers: 4 } });
    expect(r.cached).toBe(false);
    expect(r.id).toBe(r.record.cacheKey);
    expect(progress.map((p) => p.stage)).toEqual(expect.arrayContaining(['load-model', 'query-pass', 'no-query-pass', 'localise', 'decode', 'write-record']));
    expect(r.views.grid).toEqual([4, 4]);
    expect(r.views.cells).toHaveLength(16);
    // pad-to-square: the 500 x 375 image sits in a 500 x 500 square with 62 px of padding above
    // (125 / 2, rounded down), so the top-left cell reaches 62 px above the image.
    expect(r.views.cells[0]).toEqual([0, -62, 125, 63]);
    expect(r.views.cells[15]).toEqual([375, 313, 500, 438]);
    expect(r.views.map).toHaveLength(16);
    expect(r.views.map!.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(r.views.contrastive).toHaveLength(4);
    expect(r.views.contrastive![0]).toHaveLength(16);
    expect(r.views.queryAttention).toHaveLength(16);
    expect(r.views.baseAttention).toHaveLength(16);
    runId = r.id;

    // every image the model got, each with its own grid and attention, its picture served as media
    expect(r.inputImages.map((i) => [i.role, i.grid])).toEqual([
      ['image', [4, 4]],
      ['crop', [4, 4]],
      ['masked', [4, 4]],
      ['vat-contrast', [4, 4]],
    ]);
    expect(at(r.inputImages, 1).attention).toHaveLength(4);
    const png = await w.media.get(at(r.inputImages, 1).media);
    expect(png.contentType).toBe('image/png');
    expect('file' in png.body && png.body.file.endsWith(path.join(r.id, 'inputs', 'crop.png'))).toBe(true);
    await expect(w.media.get({ kind: 'record-input', id: r.id, role: 'vcd-noise' })).rejects.toMatchObject({
      code: 'not-found',
      message: expect.stringMatching(/showed the model no vcd-noise image/),
    });
    await expect(w.media.get({ kind: 'record-input', id: 'f'.repeat(64), role: 'image' })).rejects.toMatchObject({ code: 'not-found' });

    const again = await call(w, 'laser.run', { modelId, imagePath: photo, question, method: 'laser' });
    expect(again.response).toMatchObject({ id: runId, cached: true });
  });

  it('over the wire protocol, progress reaches the client and cancelling stops the run', async () => {
    let receive: (m: unknown) => void = () => {};
    const host = createWireHost(w.handlers, (m) => queueMicrotask(() => receive(structuredClone(m))));
    const api = createApi({ send: (m) => queueMicrotask(() => host.receive(structuredClone(m))), onMessage: (r) => (receive = r) }, () => '');
    const stages: string[] = [];
    const r = await api.call('laser.run', { modelId, imagePath: photo, question, method: 'laser-crop' }, { onProgress: (p) => stages.push(p.stage) });
    expect(stages).toContain('localise');
    expect(r.record.method).toBe('laser-crop');

    const controller = new AbortController();
    const run = api.call(
      'laser.run',
      { modelId, imagePath: photo, question: 'how many cat ?', method: 'laser' },
      {
        signal: controller.signal,
        onProgress: (p) => p.stage === 'query-pass' && controller.abort(),
      },
    );
    expect((await workbenchRejection(run)).code).toBe('cancelled');
    const { response: list } = await call(w, 'laser.records', { imagePath: photo });
    expect(list.some((s) => s.question === 'how many cat ?')).toBe(false);
  });

  it('runs the baseline, whose record has no map', async () => {
    const { response: r } = await call(w, 'laser.run', { modelId, imagePath: photo, question, method: 'vanilla' });
    expect(r.record.vaq).toBeNull();
    expect(r.views.map).toBeNull();
    expect(r.views.contrastive).toBeNull();
  });

  it('lists the runs on an image and loads one, also after a restart', async () => {
    const { response: list } = await call(w, 'laser.records', { imagePath: photo });
    expect(list.map((s) => s.method).sort()).toEqual(['laser', 'laser-crop', 'vanilla']);
    expect(at(list, 0).createdAt >= at(list, 1).createdAt && at(list, 1).createdAt >= at(list, 2).createdAt).toBe(true);
    const { response: loaded } = await call(w, 'laser.record', { id: runId });
    expect(loaded.record.cacheKey).toBe(runId);

    // one layer head by head: its mean over heads is the head-mean map the views carry
    const l = loaded.record.layer!;
    const { response: heads } = await call(w, 'laser.headMaps', { id: runId, layer: l });
    expect(heads.heads).toHaveLength(loaded.record.bundle.heads);
    const mean = at(heads.heads, 0).map((_, j) => heads.heads.reduce((s, h) => s + at(h, j), 0) / heads.heads.length);
    const contrastive = present(loaded.views.contrastive, 'the contrastive view');
    mean.forEach((v, j) => expect(v).toBeCloseTo(at(at(contrastive, l), j), 12));
    const far = await workbenchRejection(call(w, 'laser.headMaps', { id: runId, layer: loaded.record.bundle.layers }));
    expect(far.code).toBe('bad-request');
    expect(far.message).toContain(`0..${loaded.record.bundle.layers - 1}`);

    const restarted = workbench(dataDir());
    await call(restarted, 'library.scan', { root: photos });
    const { response: after } = await call(restarted, 'laser.records', { imagePath: photo });
    expect(after.map((s) => s.id).sort()).toEqual(list.map((s) => s.id).sort());
    const { response: again } = await call(restarted, 'laser.record', { id: runId });
    expect(again).toEqual(loaded);
    expect((await call(restarted, 'models.list', {})).response.map((m) => m.id)).toEqual([modelId]);
    const missing = await workbenchRejection(call(restarted, 'laser.record', { id: 'f'.repeat(64) }));
    expect(missing.code).toBe('not-found');
  });

  it('hands the app the font files laser figure embeds in PDFs, so its PDF export embeds the same faces', async () => {
    const { response } = await call(w, 'figures.pdfFonts', {});
    const local = await pdfFonts();
    expect(response.faces.map((f) => f.face).sort()).toEqual(Object.keys(local).sort());
    for (const f of response.faces) expect(Buffer.from(f.ttf, 'base64').equals(Buffer.from(local[f.face]!.ttf))).toBe(true);
  });

  it('refuses an image outside the opened folders, but runs on a bundled sample', async () => {
    const e = await workbenchRejection(call(w, 'laser.run', { modelId, imagePath: outsideImage, question, method: 'vanilla' }));
    expect(e.code).toBe('outside-opened-folders');
    expect((await workbenchRejection(call(w, 'laser.records', { imagePath: outsideImage }))).code).toBe('outside-opened-folders');
    const { response: r } = await call(w, 'laser.run', { modelId, imagePath: path.join(samples, 'square.png'), question, method: 'vanilla' });
    expect(r.record.image).toMatchObject({ width: 224, height: 224 });
  });

  it('refuses an unknown model by name, listing the registered ones', async () => {
    const e = await workbenchRejection(call(w, 'laser.run', { modelId: 'llava-13b', imagePath: photo, question, method: 'laser' }));
    expect(e.code).toBe('not-found');
    expect(e.message).toBe('No model "llava-13b" is registered.');
    expect(e.hint).toContain(modelId);
  });

  it('refuses a bad knob or method as a bad request naming it', async () => {
    const knob = await workbenchRejection(call(w, 'laser.run', { modelId, imagePath: photo, question, method: 'laser', knobs: { kHead: 0 } }));
    expect(knob.code).toBe('bad-request');
    expect(knob.message).toMatch(/^Knob kHead of laser is 0/);
    const unknown = await workbenchRejection(call(w, 'laser.run', { modelId, imagePath: photo, question, method: 'laser', knobs: { kHeads: 2 } }));
    expect(unknown.message).toMatch(/Unknown knob 'kHeads'/);
    // Checked against the model in the worker: this model has 4 layers.
    const layer = await workbenchRejection(call(w, 'laser.run', { modelId, imagePath: photo, question, method: 'laser', knobs: { fixedLayer: 9 } }));
    expect(layer.message).toMatch(/fixedLayer.*this model has 4 layers/);
    const method = await workbenchRejection(call(w, 'laser.run', { modelId, imagePath: photo, question, method: 'lasers' }));
    expect(method.code).toBe('bad-request');
    expect(method.message).toMatch(/method/);
  });

  it('laser.methods describes every method with its knobs', async () => {
    const { response } = await call(w, 'laser.methods', {});
    expect(response.map((m) => m.id)).toEqual(['vanilla', 'vicrop-rel', 'static-layer', 'laser-crop', 'vcd', 'laser']);
    expect(response.find((m) => m.id === 'laser')!.knobs.find((k) => k.name === 'alpha')).toMatchObject({ default: 1, min: 0 });
  });

  it('registers a compiled bundle where it is, and removing it leaves the folder alone', async () => {
    const { response: model } = await call(w, 'models.add', { path: compiled.bundle });
    expect(model).toMatchObject({ source: 'bundle', dir: compiled.bundle, status: 'ready' });
    expect(model.id).not.toBe(modelId);
    expect((await call(w, 'models.remove', { id: model.id })).response).toEqual({ removed: true });
    expect((await stat(path.join(compiled.bundle, 'manifest.json'))).isFile()).toBe(true);
    expect((await call(w, 'models.list', {})).response.map((m) => m.id)).toEqual([modelId]);
  });

  it('refuses a folder that is neither a bundle nor a checkpoint', async () => {
    const e = await workbenchRejection(call(w, 'models.add', { path: photos }));
    expect(e.code).toBe('invalid-checkpoint');
    expect(e.message).toContain(photos);
  });

  it("models.add compiles a checkpoint with laser compile's options, and refuses them where they do not apply, before compiling", async () => {
    const other = await writeCheckpoint(path.join(tmp, 'llava-int4'));
    const bad = await workbenchRejection(call(w, 'models.add', { path: other, compile: { dtype: 'fp16', quantize: { blockSize: 64 } } }));
    expect(bad).toMatchObject({
      code: 'bad-request',
      message: expect.stringMatching(/compile\.quantize: quantisation options apply to dtype int8 or int4, not fp16/),
    });
    const odd = await workbenchRejection(call(w, 'models.add', { path: other, compile: { dtype: 'int4', quantize: { blockSize: 48 } } } as never));
    expect(odd.message).toMatch(/compile\.quantize\.blockSize/);
    const { response: model } = await call(w, 'models.add', {
      path: other,
      compile: { dtype: 'int4', quantize: { blockSize: 64, symmetric: false, lmHead: false } },
    });
    expect(model).toMatchObject({ source: 'compiled', status: 'ready', dtype: 'int4' });
    const manifest = (await openBundle(model.dir!)).manifest;
    expect(manifest.quantization).toMatchObject({ bits: 4, blockSize: 64, symmetric: false, lmHead: false });
    expect((await call(w, 'models.remove', { id: model.id })).response).toEqual({ removed: true });
  });

  it('cancels a compile, leaving nothing registered or written', async () => {
    const other = await writeCheckpoint(path.join(tmp, 'llava-other'));
    const controller = new AbortController();
    const e = await workbenchRejection(call(w, 'models.add', { path: other }, controller.signal, () => controller.abort()));
    expect(e.code).toBe('cancelled');
    expect((await call(w, 'models.list', {})).response.map((m) => m.id)).toEqual([modelId]);
    expect(await readdir(path.join(dataDir(), 'bundles'))).toEqual(['llava-tiny']);
  });

  it('models.remove deletes a bundle it compiled, and refuses an unknown id', async () => {
    expect((await call(w, 'models.remove', { id: modelId })).response).toEqual({ removed: true });
    expect(await stat(path.join(dataDir(), 'bundles', 'llava-tiny')).catch(() => null)).toBeNull();
    expect((await call(w, 'models.list', {})).response).toEqual([]);
    expect((await workbenchRejection(call(w, 'models.remove', { id: modelId }))).code).toBe('not-found');
    const e = await workbenchRejection(call(w, 'laser.run', { modelId, imagePath: photo, question, method: 'vanilla' }));
    expect(e.hint).toMatch(/Add a model first/);
  });
});

describe('the demo model', () => {
  it('is listed before it is compiled, compiles on its first run, and cannot be removed', async () => {
    const demoDir = await writeCheckpoint(path.join(tmp, 'demo', 'laser-demo'));
    const dataDir = path.join(tmp, 'data-demo');
    const w = workbench(dataDir, demoDir);
    const { response: before } = await call(w, 'models.list', {});
    expect(before).toEqual([
      expect.objectContaining({ id: 'laser-demo', source: 'demo', status: 'not-compiled', dir: null, layers: 4, heads: 4, grid: [4, 4], hasTokenizer: true }),
    ]);

    await call(w, 'library.scan', { root: photos });
    const { response: r, progress } = await call(w, 'laser.run', { modelId: 'laser-demo', imagePath: photo, question, method: 'vanilla' });
    expect(progress[0]).toMatchObject({ stage: 'compile-model', compile: { stage: 'weights' } });
    expect(r.record.bundle.name).toBe('laser-demo');
    const { response: after } = await call(w, 'models.list', {});
    expect(after).toEqual([expect.objectContaining({ id: 'laser-demo', status: 'ready', source: 'demo' })]);
    expect(present(at(after, 0).dir, 'the bundle folder').startsWith(path.join(dataDir, 'bundles', 'laser-demo-'))).toBe(true);

    const second = await call(w, 'laser.run', { modelId: 'laser-demo', imagePath: photo, question, method: 'vanilla' });
    expect(second.progress.some((p) => p.stage === 'compile-model')).toBe(false);
    expect((await workbenchRejection(call(w, 'models.remove', { id: 'laser-demo' }))).code).toBe('bad-request');
  });

  it('is absent when not installed', async () => {
    const w = workbench(path.join(tmp, 'data-no-demo'), path.join(tmp, 'no-such-demo'));
    expect((await call(w, 'models.list', {})).response).toEqual([]);
    const e = await workbenchRejection(
      call(w, 'laser.run', { modelId: 'laser-demo', imagePath: path.join(samples, 'square.png'), question, method: 'vanilla' }),
    );
    expect(e.code).toBe('not-found');
  });
});
