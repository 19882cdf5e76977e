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
  /** Only the samples of this split (their `split` group: RefCOCO's testA, POPE's adversarial ...). */
  split?: string;
}

/** The samples of one split; an error naming the splits there are when it has none. */
export function onlySplit(dataset: EvalDataset, split: string): EvalDataset {
  const samples = dataset.samples.filter((s) => s.groups.split === split);
  if (samples.length === 0) {
    const splits = [...new Set(dataset.samples.flatMap((s) => (s.groups.split === undefined ? [] : [s.groups.split])))];
    throw new WorkbenchError(
      'bad-request',
      `${dataset.sources.join(', ')}: no samples of split "${split}" (${splits.length === 0 ? 'it names no splits' : `its splits: ${splits.join(', ')}`})`,
      'Pass --split with one of these, or leave it out.',
    );
  }
  return { ...dataset, name: `${dataset.name} ${split}`, samples };
}

export async function loadDataset(path: string, format: DatasetFormat, options: DatasetOptions = {}): Promise<EvalDataset> {
  if (!isDatasetFormat(format))
    throw new WorkbenchError('bad-request', `Unknown dataset format ${JSON.stringify(format)}.`, `Formats are: ${DATASET_FORMATS.join(', ')}.`);
  await checkExists(path, 'Pass --data <file or folder> of the benchmark.');
  for (const dir of typeof options.images === 'string' ? [options.images] : (options.images ?? []))
    await checkExists(dir, 'Pass --images <folder> holding the benchmark images.');
  // RefCOCO filters its refs before looking up images (its train split is most of the file); VQA
  // and RefCOCO parquet pick the split's files
  if (format === 'refcoco') return loadRefcoco(path, options);
  if (format === 'vqa') return loadVqa(path, options);
  const dataset = format === 'pope' ? await loadPope(path, options) : await loadWorld(path);
  return options.split === undefined ? dataset : onlySplit(dataset, options.split);
}
