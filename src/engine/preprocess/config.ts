/**
 * The parts of a Hugging Face `preprocessor_config.json` the processors here read, validated, with
 * the transformers 4.45 class defaults for what a file leaves out. A value the workbench cannot
 * reproduce exactly (another resampler, an unknown size format) is an error naming the file,
 * never a silent approximation.
 */
import { WorkbenchError } from '../../common/contract/errors.ts';

export type Rgb = [number, number, number];

interface Common {
  doResize: boolean;
  doRescale: boolean;
  doNormalize: boolean;
  /** float64, as in the JSON; applied in float64 then cast to float32 (transformers' rescale) */
  rescaleFactor: number;
  imageMean: Rgb;
  imageStd: Rgb;
}

export interface ClipProcessorConfig extends Common {
  kind: 'clip';
  /** resize target: the shortest edge, or an exact size */
  size: { shortestEdge: number } | { height: number; width: number };
  doCenterCrop: boolean;
  cropSize: { height: number; width: number };
}

export interface Qwen2VLProcessorConfig extends Common {
  kind: 'qwen2vl';
  minPixels: number;
  maxPixels: number;
  patchSize: number;
  mergeSize: number;
  temporalPatchSize: number;
}

/** OpenAI CLIP's normalisation (CLIPImageProcessor's and Qwen2VLImageProcessor's default). */
export const OPENAI_CLIP_MEAN: Rgb = [0.48145466, 0.4578275, 0.40821073];
export const OPENAI_CLIP_STD: Rgb = [0.26862954, 0.26130258, 0.27577711];

/**
 * The preprocessor_config.json fields CLIPImageProcessor and Qwen2VLImageProcessor default alike:
 * rescale to [0, 1], normalise with OpenAI CLIP's mean and std, convert to RGB. A fresh object each
 * call, so a caller may lay a checkpoint's own file over it.
 */
export function clipNormalisationDefaults(): Record<string, unknown> {
  return {
    do_rescale: true,
    rescale_factor: 1 / 255,
    do_normalize: true,
    image_mean: [...OPENAI_CLIP_MEAN],
    image_std: [...OPENAI_CLIP_STD],
    do_convert_rgb: true,
  };
}

type Json = Record<string, unknown>;

function bad(source: string, what: string): WorkbenchError {
  return new WorkbenchError(
    'invalid-bundle',
    `${source}: ${what}.`,
    'Re-copy preprocessor_config.json from the Hugging Face checkpoint, or recompile the bundle.',
  );
}

function obj(v: unknown, source: string, what: string): Json {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw bad(source, `${what} must be an object`);
  return v as Json;
}

function num(j: Json, key: string, dflt: number | undefined, source: string, positive = true): number {
  const v = j[key] ?? dflt;
  if (typeof v !== 'number' || !Number.isFinite(v) || (positive && v <= 0))
    throw bad(source, `"${key}" must be a ${positive ? 'positive ' : ''}number, got ${JSON.stringify(v)}`);
  return v;
}

function int(j: Json, key: string, dflt: number | undefined, source: string): number {
  const v = num(j, key, dflt, source);
  if (!Number.isInteger(v)) throw bad(source, `"${key}" must be an integer, got ${v}`);
  return v;
}

function flag(j: Json, key: string, source: string): boolean {
  const v = j[key] ?? true;
  if (typeof v !== 'boolean') throw bad(source, `"${key}" must be true or false`);
  return v;
}

function rgb(j: Json, key: string, dflt: Rgb, source: string): Rgb {
  const v = j[key] ?? dflt;
  if (typeof v === 'number') return [v, v, v];
  if (!Array.isArray(v) || v.length !== 3 || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) {
    throw bad(source, `"${key}" must be three numbers`);
  }
  return [v[0], v[1], v[2]];
}

function common(j: Json, source: string): Common {
  const resample = j.resample ?? 3;
  if (resample !== 3) {
    throw bad(source, `"resample": ${JSON.stringify(resample)} is not bicubic (3), the only resampler reproduced exactly here`);
  }
  const imageStd = rgb(j, 'image_std', OPENAI_CLIP_STD, source);
  if (imageStd.some((s) => s === 0)) throw bad(source, '"image_std" must not contain 0');
  return {
    doResize: flag(j, 'do_resize', source),
    doRescale: flag(j, 'do_rescale', source),
    doNormalize: flag(j, 'do_normalize', source),
    rescaleFactor: num(j, 'rescale_factor', 1 / 255, source),
    imageMean: rgb(j, 'image_mean', OPENAI_CLIP_MEAN, source),
    imageStd,
  };
}

/** An int size or {height, width}, as transformers' get_size_dict accepts for crop_size. */
function hw(v: unknown, source: string, key: string): { height: number; width: number } {
  if (typeof v === 'number') return { height: v, width: v };
  const o = obj(v, source, `"${key}"`);
  return { height: int(o, 'height', undefined, source), width: int(o, 'width', undefined, source) };
}

export function parseClipProcessorConfig(json: unknown, source = 'preprocessor_config.json'): ClipProcessorConfig {
  const j = obj(json, source, 'the file');
  const rawSize = j.size ?? { shortest_edge: 224 };
  let size: ClipProcessorConfig['size'];
  if (typeof rawSize === 'number') size = { shortestEdge: rawSize };
  else {
    const s = obj(rawSize, source, '"size"');
    if ('shortest_edge' in s) size = { shortestEdge: int(s, 'shortest_edge', undefined, source) };
    else if ('height' in s && 'width' in s) size = hw(s, source, 'size');
    else throw bad(source, `"size" ${JSON.stringify(rawSize)} has neither "shortest_edge" nor "height" and "width"`);
  }
  return {
    kind: 'clip',
    ...common(j, source),
    size,
    doCenterCrop: flag(j, 'do_center_crop', source),
    cropSize: hw(j.crop_size ?? 224, source, 'crop_size'),
  };
}

export function parseQwen2VLProcessorConfig(json: unknown, source = 'preprocessor_config.json'): Qwen2VLProcessorConfig {
  const j = obj(json, source, 'the file');
  // transformers 4.45 reads top-level min/max_pixels; later versions also write them into "size"
  // as shortest_edge/longest_edge (or min/max_pixels). The class defaults are 56*56 and 28*28*1280.
  const size = j.size === undefined ? {} : obj(j.size, source, '"size"');
  const minPixels = int(j, 'min_pixels', (size.min_pixels ?? size.shortest_edge ?? 56 * 56) as number, source);
  const maxPixels = int(j, 'max_pixels', (size.max_pixels ?? size.longest_edge ?? 28 * 28 * 1280) as number, source);
  if (minPixels > maxPixels) throw bad(source, `"min_pixels" ${minPixels} exceeds "max_pixels" ${maxPixels}`);
  return {
    kind: 'qwen2vl',
    ...common(j, source),
    minPixels,
    maxPixels,
    patchSize: int(j, 'patch_size', 14, source),
    mergeSize: int(j, 'merge_size', 2, source),
    temporalPatchSize: int(j, 'temporal_patch_size', 2, source),
  };
}
