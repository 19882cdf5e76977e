/** `loadDataset(path, format)`: the loader of each format behind one call. */
import { WorkbenchError } from '../../common/contract/errors.ts';
import type { VqaProtocol } from '../../common/laser/metrics.ts';
import { loadPope } from './pope.ts';
import { loadRefcoco } from './refcoco.ts';
import { checkExists } from './source.ts';
import { DATASET_FORMATS, isDatasetFormat, type DatasetFormat, type EvalDataset } from './types.ts';
import { loadVqa } from './vqa.ts';
import { loadWorld } from './world.ts';

export interface DatasetOptions {
  /** Folder the annotation files name their images in (pope, vqa, refcoco). */
  images?: string;
  /** VQA scoring protocol, instead of the layout's official one. */
  protocol?: VqaProtocol;
  /** RefCOCO: the question asked, with {expression}. */
  prompt?: string;
}

export async function loadDataset(path: string, format: DatasetFormat, options: DatasetOptions = {}): Promise<EvalDataset> {
  if (!isDatasetFormat(format)) throw new WorkbenchError('bad-request', `Unknown dataset format ${JSON.stringify(format)}.`, `Formats are: ${DATASET_FORMATS.join(', ')}.`);
  await checkExists(path, 'Pass --data <file or folder> of the benchmark.');
  if (options.images !== undefined) await checkExists(options.images, 'Pass --images <folder> holding the benchmark images.');
  switch (format) {
    case 'pope':
      return loadPope(path, options);
    case 'vqa':
      return loadVqa(path, options);
    case 'refcoco':
      return loadRefcoco(path, options);
    case 'world':
      return loadWorld(path);
  }
}
