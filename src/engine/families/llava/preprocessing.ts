/**
 * The image preprocessing a bundle records: the checkpoint's preprocessor_config.json laid over
 * CLIPImageProcessor's defaults (what `AutoImageProcessor.from_pretrained` would use), or those
 * defaults alone, sized for the vision tower, when the checkpoint has no such file. The chosen
 * `mode` ('pad' = original LLaVA-1.5 as trained; 'crop' = the llava-hf processor) is recorded with it.
 */
import { clipNormalisationDefaults } from '../../preprocess/config.ts';
import { PREPROCESSOR_FILE, readOptionalJsonObject } from '../../checkpoint/optional-json.ts';
import { join } from 'node:path';
import { WorkbenchError } from '../../../common/contract/errors.ts';
import type { Preprocessing } from '../../bundle/manifest.ts';

export function clipDefaults(imageSize: number): Record<string, unknown> {
  return {
    do_resize: true,
    size: { shortest_edge: imageSize },
    resample: 3,
    do_center_crop: true,
    crop_size: { height: imageSize, width: imageSize },
    ...clipNormalisationDefaults(),
    image_processor_type: 'CLIPImageProcessor',
  };
}

function sides(v: unknown): number[] {
  if (typeof v === 'number') return [v];
  if (typeof v !== 'object' || v === null) return [];
  const o = v as Record<string, unknown>;
  return ['shortest_edge', 'height', 'width'].map((k) => o[k]).filter((x): x is number => typeof x === 'number');
}

/**
 * Reads `<dir>/preprocessor_config.json` if present. Throws 'invalid-checkpoint' if it is not JSON
 * or if it would produce images of another size than the vision tower takes.
 */
export async function readPreprocessing(dir: string, imageSize: number, mode: 'pad' | 'crop'): Promise<Preprocessing> {
  const file = join(dir, PREPROCESSOR_FILE);
  const json = await readOptionalJsonObject(file, 'Re-download preprocessor_config.json, or delete it to use the CLIP defaults.');
  if (json === null) return { source: 'derived', mode, config: clipDefaults(imageSize) as Preprocessing['config'] };
  const config = { ...clipDefaults(imageSize), ...json };
  for (const key of ['size', 'crop_size']) {
    const bad = sides(config[key]).find((s) => s !== imageSize);
    if (bad !== undefined) {
      throw new WorkbenchError(
        'invalid-checkpoint',
        `${file}: ${key} ${JSON.stringify(config[key])} does not match the vision tower's image_size ${imageSize}`,
        'preprocessor_config.json belongs to another model; re-download the checkpoint.',
      );
    }
  }
  for (const key of ['image_mean', 'image_std']) {
    const v = config[key];
    if (!Array.isArray(v) || v.length !== 3 || !v.every((x) => typeof x === 'number'))
      throw new WorkbenchError('invalid-checkpoint', `${file}: ${key} must be 3 numbers, got ${JSON.stringify(v)}`, 'Re-download preprocessor_config.json.');
  }
  return { source: PREPROCESSOR_FILE, mode, config: config as Preprocessing['config'] };
}
