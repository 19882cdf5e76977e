/**
 * Which compile options a bundle of a checkpoint was made with, so that `models.add` of a checkpoint
 * registered before gives the bundle of the same options and compiles a bundle of its own for
 * different ones. A request is resolved to every choice spelled out (the compiler's defaults filled
 * in); two requests are the same compile when their resolved forms are equal.
 */
import { z } from 'zod';
import { QUANT_DEFAULTS } from '../../common/compile-options.ts';
import type { CompileOptionsRequest } from '../../common/contract/methods.ts';
import { quantizationSchema, type LlavaManifest, type QwenManifest } from '../bundle/manifest.ts';

/** The manifest fields that say how a bundle was compiled. */
export type ManifestCompileFields =
  | (Pick<LlavaManifest, 'architecture' | 'dtype' | 'quantization'> & { preprocessing: Pick<LlavaManifest['preprocessing'], 'mode'> })
  | Pick<QwenManifest, 'architecture' | 'dtype' | 'quantization'>;

/** A compile request with nothing left to a default; null pixel bounds: the checkpoint's own. Stored in models.json. */
export const ResolvedCompile = z
  .object({
    dtype: z.enum(['fp32', 'fp16', 'int8', 'int4']),
    /** int8 / int4 only; null for a float dtype. */
    quantize: quantizationSchema
      .pick({ blockSize: true, symmetric: true, accuracyLevel: true, lmHead: true, embeddings: true, vision: true })
      .strict()
      .nullable(),
    /** LLaVA's preprocessing (a Qwen bundle ignores it). */
    imageMode: z.enum(['pad', 'crop']),
    minPixels: z.number().int().positive().nullable(),
    maxPixels: z.number().int().positive().nullable(),
  })
  .strict();
export type ResolvedCompile = z.infer<typeof ResolvedCompile>;

/** `request` with the compiler's defaults filled in (src/engine/compiler/compile.ts, src/common/compile-options.ts). */
export function resolveCompile(request: CompileOptionsRequest = {}): ResolvedCompile {
  const dtype = request.dtype ?? 'fp32';
  const quantized = dtype === 'int8' || dtype === 'int4';
  const q = { ...QUANT_DEFAULTS, ...request.quantize };
  return {
    dtype,
    quantize: quantized
      ? {
          blockSize: q.blockSize,
          symmetric: q.symmetric,
          accuracyLevel: q.accuracyLevel,
          lmHead: q.lmHead,
          embeddings: q.embeddings,
          vision: q.vision,
        }
      : null,
    imageMode: request.imageMode ?? 'pad',
    minPixels: request.minPixels ?? null,
    maxPixels: request.maxPixels ?? null,
  };
}

/**
 * What a bundle compiled before the options were stored was made with, read from its manifest
 * (dtype, quantisation, LLaVA's image mode). Pixel bounds are taken as the checkpoint's own: the app
 * compiled with no options then.
 */
export function compileOfManifest(m: ManifestCompileFields): ResolvedCompile {
  const q = m.quantization;
  return {
    dtype: m.dtype,
    quantize: q
      ? { blockSize: q.blockSize, symmetric: q.symmetric, accuracyLevel: q.accuracyLevel, lmHead: q.lmHead, embeddings: q.embeddings, vision: q.vision }
      : null,
    imageMode: m.architecture === 'llava' ? m.preprocessing.mode : 'pad',
    minPixels: null,
    maxPixels: null,
  };
}

export function sameCompile(a: ResolvedCompile, b: ResolvedCompile): boolean {
  const qa = a.quantize;
  const qb = b.quantize;
  const sameQuant =
    qa === null || qb === null
      ? qa === qb
      : qa.blockSize === qb.blockSize &&
        qa.symmetric === qb.symmetric &&
        qa.accuracyLevel === qb.accuracyLevel &&
        qa.lmHead === qb.lmHead &&
        qa.embeddings === qb.embeddings &&
        qa.vision === qb.vision;
  return a.dtype === b.dtype && sameQuant && a.imageMode === b.imageMode && a.minPixels === b.minPixels && a.maxPixels === b.maxPixels;
}

/** The id a bundle of these options is registered under, before making it unique: the checkpoint's slug, with the dtype for a non-fp32 one. */
export function compiledIdBase(slug: string, compile: ResolvedCompile): string {
  return compile.dtype === 'fp32' ? slug : `${slug}-${compile.dtype}`;
}
