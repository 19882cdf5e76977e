/**
 * The `laser.*` methods: runs go to the inference worker (compiling the demo model first if it was
 * never compiled); their records are read back from the data folder, so a result on screen is
 * exactly what is stored and can be loaded again after a restart.
 */
import type { Handlers } from '../../common/contract/host.ts';
import { parseKnobs } from '../../common/laser/knobs.ts';
import type { InferenceClient } from '../inference/client.ts';
import { readImageBytes } from '../laser/image.ts';
import type { ModelCatalog } from '../models/catalog.ts';
import type { ImageGuard } from './image-guard.ts';
import { laserMethods } from './laser-methods.ts';
import { laserResult } from './laser-views.ts';
import { layerHeads } from '../laser/record-views.ts';
import { WorkbenchError } from '../../common/contract/errors.ts';
import type { RecordStore } from './record-store.ts';

export interface LaserDeps {
  catalog: ModelCatalog;
  inference: InferenceClient;
  records: RecordStore;
  guard: ImageGuard;
  /** The user's image pixel limit (null: the default), which the worker applies to the run's image. */
  maxImagePixels?: () => Promise<number | null>;
}

type LaserHandlers = Pick<Handlers, 'laser.methods' | 'laser.run' | 'laser.records' | 'laser.record' | 'laser.headMaps'>;

export function laserHandlers({ catalog, inference, records, guard, maxImagePixels }: LaserDeps): LaserHandlers {
  const methods = laserMethods();
  return {
    'laser.methods': async () => methods,
    'laser.run': async ({ modelId, imagePath, question, method, knobs, options, rerun }, ctx) => {
      // Refused here, before a model is looked for: a bad knob is named at once.
      parseKnobs(method, knobs ?? {});
      const image = await guard(imagePath);
      const bundleDir = await catalog.bundleDir(modelId, { signal: ctx.signal, onProgress: (compile) => ctx.progress({ stage: 'compile-model', compile }) });
      const limit = maxImagePixels ? await maxImagePixels() : null;
      const run = await inference.call(
        'run',
        {
          bundleDir,
          imagePath: image,
          question,
          method,
          knobs: knobs ?? {},
          cacheDir: records.cache.root,
          ...(options ? { options } : {}),
          ...(rerun ? { rerun } : {}),
          ...(limit !== null ? { maxImagePixels: limit } : {}),
        },
        { signal: ctx.signal, onProgress: (p) => ctx.progress({ stage: p.stage, step: p.step, total: p.total }) },
      );
      const loaded = await records.load(run.id);
      await records.add(loaded.record);
      return laserResult(loaded.record, loaded.tensors, run.cached);
    },
    'laser.records': async ({ imagePath }) => {
      const { hash } = await readImageBytes(await guard(imagePath));
      return records.forImage(hash);
    },
    'laser.record': async ({ id }) => {
      const loaded = await records.load(id);
      return laserResult(loaded.record, loaded.tensors, true);
    },
    'laser.headMaps': async ({ id, layer }) => {
      const { record, tensors } = await records.load(id);
      if (!tensors.A)
        throw new WorkbenchError(
          'bad-request',
          `The ${record.method} run has no contrastive attention per head.`,
          'Per-head maps come from laser, static-layer and laser-crop runs.',
        );
      const L = tensors.A.shape.at(-3);
      if (L === undefined)
        throw new WorkbenchError(
          'bad-request',
          `Record ${id}: tensor A has shape [${tensors.A.shape.join(', ')}], not [..., layers, heads, cells].`,
          'Run the method again to write a fresh record.',
        );
      if (layer >= L) throw new WorkbenchError('bad-request', `Layer ${layer} is not one of the model's layers 0..${L - 1}.`, 'Pick a layer in that range.');
      return { layer, heads: layerHeads(tensors.A, layer) };
    },
  };
}
