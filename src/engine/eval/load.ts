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
  /** Folders the annotation files name their images in, tried in order (pope, vqa, refcoco). */
  images?: string | readonly string[];
  /** A missing image throws instead of making the sample an error row. */
  strict?: boolean;
  /** VQA scoring protocol, instead of the layout's official one. */
  protocol?: VqaProtocol;
  /** A-OKVQA's multiple-choice task. */
  multipleChoice?: boolean;
  /** TextVQA with OCR tokens in the prompt (LLaVA's). */
  ocr?: boolean;
  /** RefCOCO: the question asked, with {expression}. */
  prompt?: string;
}

export async function loadDataset(path: string, format: DatasetFormat, options: DatasetOptions = {}): Promise<EvalDataset> {
  if (!isDatasetFormat(format)) throw new WorkbenchError('bad-request', `Unknown dataset format ${JSON.stringify(format)}.`, `Formats are: ${DATASET_FORMATS.join(', ')}.`);
  await checkExists(path, 'Pass --data <file or folder> of the benchmark.');
  for (const dir of typeof options.images === 'string' ? [options.images] : (options.images ?? [])) await checkExists(dir, 'Pass --images <folder> holding the benchmark images.');
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
