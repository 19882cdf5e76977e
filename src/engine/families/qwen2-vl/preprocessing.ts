/**
 * The image preprocessing a Qwen bundle records: preprocessor_config.json laid over
 * Qwen2VLImageProcessor's defaults (transformers 4.45), checked against the vision tower (patch,
 * merge and temporal patch sizes must be the model's), with min/max pixels overridable at compile.
 */
import { clipNormalisationDefaults } from '../../preprocess/config.ts';
import { PREPROCESSOR_FILE, readOptionalJsonObject } from '../../checkpoint/optional-json.ts';
import { join } from 'node:path';
import { WorkbenchError } from '../../../common/contract/errors.ts';
import type { QwenPreprocessing } from '../../bundle/manifest.ts';
import type { ImageCompileOptions } from '../types.ts';
import type { QwenVisionConfig } from './config.ts';

function defaults(v: QwenVisionConfig): Record<string, unknown> {
  return {
    do_resize: true,
    resample: 3,
    ...clipNormalisationDefaults(),
    min_pixels: 56 * 56,
    max_pixels: 28 * 28 * 1280,
    patch_size: v.patchSize,
    temporal_patch_size: v.temporalPatchSize,
    merge_size: v.spatialMergeSize,
    image_processor_type: 'Qwen2VLImageProcessor',
  };
}

export async function readQwenPreprocessing(dir: string, v: QwenVisionConfig, opts: ImageCompileOptions): Promise<QwenPreprocessing> {
  const file = join(dir, PREPROCESSOR_FILE);
  const found = await readOptionalJsonObject(file, 'Re-download preprocessor_config.json, or delete it to use the Qwen2-VL defaults.');
  const given: Record<string, unknown> = found ?? {};
  const config: Record<string, unknown> = { ...defaults(v), ...given };
  // transformers >= 4.50 may write the bounds as size {shortest_edge: min, longest_edge: max}.
  const size = given.size as Record<string, unknown> | undefined;
  if (given.min_pixels === undefined && typeof size?.shortest_edge === 'number') config.min_pixels = size.shortest_edge;
  if (given.max_pixels === undefined && typeof size?.longest_edge === 'number') config.max_pixels = size.longest_edge;
  if (opts.minPixels !== undefined) config.min_pixels = opts.minPixels;
  if (opts.maxPixels !== undefined) config.max_pixels = opts.maxPixels;
  const where = found === null ? 'the Qwen2-VL defaults' : file;
  const pairs: [string, number][] = [
    ['patch_size', v.patchSize],
    ['merge_size', v.spatialMergeSize],
    ['temporal_patch_size', v.temporalPatchSize],
  ];
  for (const [key, want] of pairs) {
    if (config[key] !== want)
      throw new WorkbenchError(
        'invalid-checkpoint',
        `${where}: ${key} ${JSON.stringify(config[key])} does not match the vision tower's ${want}`,
        'preprocessor_config.json belongs to another model; re-download the checkpoint.',
      );
  }
  for (const key of ['min_pixels', 'max_pixels']) {
    const x = config[key];
    if (typeof x !== 'number' || !Number.isInteger(x) || x <= 0)
      throw new WorkbenchError(
        'bad-request',
        `${key} must be a positive whole number of pixels, got ${JSON.stringify(x)}`,
        'Qwen2-VL publishes min_pixels 3136 and max_pixels 12845056.',
      );
  }
  const unit = (v.patchSize * v.spatialMergeSize) ** 2;
  if ((config.min_pixels as number) < unit)
    throw new WorkbenchError('bad-request', `min_pixels ${String(config.min_pixels)} is below one image token (${unit} pixels)`, `Use at least ${unit}.`);
  if ((config.max_pixels as number) < (config.min_pixels as number))
    throw new WorkbenchError(
      'bad-request',
      `max_pixels ${String(config.max_pixels)} is below min_pixels ${String(config.min_pixels)}`,
      'Give a max_pixels at least as large as min_pixels.',
    );
  for (const key of ['image_mean', 'image_std']) {
    const x = config[key];
    if (!Array.isArray(x) || x.length !== 3 || !x.every((n) => typeof n === 'number'))
      throw new WorkbenchError('invalid-checkpoint', `${file}: ${key} must be 3 numbers, got ${JSON.stringify(x)}`, 'Re-download preprocessor_config.json.');
  }
  return { source: found === null ? 'derived' : PREPROCESSOR_FILE, mode: 'smart-resize', config: config as QwenPreprocessing['config'] };
}
