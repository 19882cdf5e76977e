/**
 * The engine's Workbench: the contract's handlers and the media service over one set of state
 * (the opened folders, the settings, the thumbnail cache, the registered models, the stored runs,
 * the inference worker). The Electron utility process, the serve-mode server and tests build one each.
 */
import { homedir } from 'node:os';
import path from 'node:path';
import packageJson from '../../../package.json' with { type: 'json' };
import type { Handlers } from '../../common/contract/host.ts';
import type { Settings } from '../../common/contract/methods.ts';
import { InferenceClient } from '../inference/client.ts';
import { startInferenceWorker } from '../inference/worker-location.ts';
import { DEMO_MODEL_DIR } from '../laser/demo-bundle.ts';
import { createLimiter } from '../library/concurrency.ts';
import { ContentHasher } from '../library/contentHash.ts';
import { readImageDetails } from '../library/imageDetails.ts';
import { DEFAULT_MAX_IMAGE_PIXELS, imagePixelLimit, MAX_IMAGE_PIXELS_CEILING, MAX_IMAGE_PIXELS_ENV, setMaxImagePixelsSetting } from '../library/imageErrors.ts';
import { listDirectory } from '../library/listDirectory.ts';
import { OpenedFolders } from '../library/openedFolders.ts';
import { scanFolder } from '../library/scan.ts';
import { Thumbnails } from '../library/thumbnails.ts';
import { ModelCatalog } from '../models/catalog.ts';
import { WorldQuestionIndex } from '../world/image-questions.ts';
import { SettingsStore } from '../settings/settings.ts';
import { createImageGuard } from './image-guard.ts';
import { laserHandlers } from './laser-handlers.ts';
import { pdfFonts } from '../figures/pdf-fonts.ts';
import type { PdfFaces, PdfFontFile } from '../../common/figures/pdf.ts';
import { createMediaService } from './media.ts';
import { modelHandlers } from './model-handlers.ts';
import { RecordStore } from './record-store.ts';
import { runsHandlers } from './runs.ts';
import type { Workbench, WorkbenchOptions } from './types.ts';

/**
 * Two sharp jobs at once: enough to keep two cores busy, few enough that scans stay responsive.
 * Newest first, so the tiles on screen now are made before those scrolled past.
 */
const sharpConcurrency = 2;

/** `~` and `~/…` as a shell would read them, since people type paths into the folder field. */
export function expandHome(p: string): string {
  if (p === '~') return homedir();
  if (p.startsWith('~/')) return path.join(homedir(), p.slice(2));
  return p;
}

export function createWorkbench(options: WorkbenchOptions): Workbench {
  const folders = new OpenedFolders();
  const settings = new SettingsStore(options.dataDir);
  const hasher = new ContentHasher();
  const sharpJobs = createLimiter(sharpConcurrency, { newestFirst: true });
  const thumbnails = new Thumbnails({ dir: path.join(options.dataDir, 'thumbnails'), hasher, sharpJobs });
  // Models are opened and run in a worker thread: onnxruntime blocks the thread it runs on.
  const inference = options.inference ?? new InferenceClient(options.runtime ? () => startInferenceWorker(undefined, { runtime: options.runtime }) : undefined);
  const catalog = new ModelCatalog({
    dataDir: options.dataDir,
    demoModelDir: options.demoModelDir === undefined ? DEMO_MODEL_DIR : options.demoModelDir,
    inference,
  });
  const records = new RecordStore(options.recordsDir ?? options.dataDir);
  const guard = createImageGuard(folders, options.defaultFolder ?? null);
  const worldQuestions = new WorldQuestionIndex();
  // The user's pixel limit applies to this thread's image reads (thumbnails, details) as soon as the
  // settings are read; runs carry it to the inference worker (laser-handlers.ts).
  const settingsApplied = settings.maxImagePixels().then(setMaxImagePixelsSetting, () => undefined);
  const currentSettings = async (): Promise<Settings> => {
    await settingsApplied;
    const limit = imagePixelLimit();
    return {
      maxImagePixels: {
        value: limit.value,
        setting: await settings.maxImagePixels(),
        default: DEFAULT_MAX_IMAGE_PIXELS,
        ceiling: MAX_IMAGE_PIXELS_CEILING,
        overriddenBy: limit.source === 'env' ? MAX_IMAGE_PIXELS_ENV : null,
      },
    };
  };

  const handlers: Handlers = {
    'host.info': async () => ({
      version: packageJson.version,
      transport: options.transport,
      platform: process.platform,
      homeDir: homedir(),
      defaultFolder: options.defaultFolder ?? null,
      canPickFolderNatively: options.canPickFolderNatively ?? false,
    }),
    'library.listDirectory': async ({ path: dir }) => listDirectory(expandHome(dir)),
    'library.scan': async ({ root }, ctx) => {
      // Opened before the first batch goes out, so thumbnails of the first entries can load at once.
      const opened = await folders.add(expandHome(root));
      await settings.addRecentFolder(opened);
      return scanFolder(opened, { signal: ctx.signal, onBatch: ctx.progress });
    },
    'library.recent': async () => settings.recentFolders(),
    'settings.get': currentSettings,
    'settings.update': async (change) => {
      await settingsApplied;
      if (change.maxImagePixels !== undefined) {
        setMaxImagePixelsSetting(change.maxImagePixels);
        await settings.setMaxImagePixels(change.maxImagePixels);
      }
      return currentSettings();
    },
    'library.imageDetails': async ({ path: file }) => readImageDetails(file, await folders.resolveInside(file), hasher, sharpJobs),
    // the same guard as runs: opened folders, and the bundled samples before they are opened
    'library.imageQuestions': async ({ path: file }) => worldQuestions.forImage(await guard(file)),
    ...modelHandlers(catalog, expandHome),
    ...laserHandlers({ catalog, inference, records, guard, maxImagePixels: () => settings.maxImagePixels() }),
    'figures.pdfFonts': async () => {
      const fonts = await pdfFonts();
      return { faces: (Object.entries(fonts) as [PdfFaces, PdfFontFile][]).map(([face, f]) => ({ face, ttf: Buffer.from(f.ttf).toString('base64') })) };
    },
    ...runsHandlers({ dataDir: options.dataDir, folders, records }),
  };

  return {
    handlers,
    media: createMediaService(folders, thumbnails, records),
    async openFolder(folder) {
      await folders.add(expandHome(folder));
    },
    async dispose() {
      await settings.flush();
      await inference.dispose();
    },
  };
}
