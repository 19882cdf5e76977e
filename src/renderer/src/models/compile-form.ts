/**
 * The Add-model form's compile options as typed (`models.add`'s CompileOptionsRequest, laser
 * compile's flags): the defaults they start at, and the request they make, checked by the contract's
 * own schema so the form shows the messages the workbench would answer with.
 */
import { QUANT_DEFAULTS, type ResolvedQuantize } from '../../../common/compile-options.ts';
import { CompileOptionsRequest } from '../../../common/contract/methods.ts';

export type Dtype = NonNullable<CompileOptionsRequest['dtype']>;
export const DTYPES: readonly Dtype[] = ['fp32', 'fp16', 'int8', 'int4'];

export interface CompileFields extends ResolvedQuantize {
  dtype: Dtype;
  imageMode: 'pad' | 'crop';
  /** As typed; empty: the checkpoint's own bound. */
  minPixels: string;
  maxPixels: string;
}

/** The compiler's defaults (src/common/compile-options.ts; fp32, pad, the checkpoint's pixel bounds). */
export const DEFAULT_COMPILE_FIELDS: CompileFields = {
  dtype: 'fp32',
  ...QUANT_DEFAULTS,
  imageMode: 'pad',
  minPixels: '',
  maxPixels: '',
};

export type CompileField = keyof CompileFields;

export function isQuantized(dtype: Dtype): boolean {
  return dtype === 'int8' || dtype === 'int4';
}

function pixels(text: string): number | undefined {
  const t = text.trim();
  return t === '' ? undefined : Number(t);
}

/** The request the fields make, or the contract's message for each field it refuses. */
export function compileRequestOf(
  f: CompileFields,
): { ok: true; request: CompileOptionsRequest } | { ok: false; errors: Partial<Record<CompileField, string>> } {
  const minPixels = pixels(f.minPixels);
  const maxPixels = pixels(f.maxPixels);
  const request = {
    dtype: f.dtype,
    imageMode: f.imageMode,
    ...(isQuantized(f.dtype)
      ? {
          quantize: {
            blockSize: f.blockSize,
            symmetric: f.symmetric,
            accuracyLevel: f.accuracyLevel,
            lmHead: f.lmHead,
            embeddings: f.embeddings,
            vision: f.vision,
          },
        }
      : {}),
    ...(minPixels === undefined ? {} : { minPixels }),
    ...(maxPixels === undefined ? {} : { maxPixels }),
  };
  const parsed = CompileOptionsRequest.safeParse(request);
  if (parsed.success) return { ok: true, request: parsed.data };
  const errors: Partial<Record<CompileField, string>> = {};
  for (const issue of parsed.error.issues) {
    const field = String(issue.path.at(-1) ?? 'dtype');
    const key = (field in DEFAULT_COMPILE_FIELDS ? field : 'dtype') as CompileField;
    errors[key] ??= issue.message;
  }
  return { ok: false, errors };
}

/** The options in a few words, for the form's summary and the note after adding: "int8, block 32" or "fp32". */
export function compileSummary(f: CompileFields): string {
  const parts: string[] = [f.dtype];
  if (isQuantized(f.dtype)) parts.push(`block ${f.blockSize}`);
  if (f.imageMode !== DEFAULT_COMPILE_FIELDS.imageMode) parts.push(`image ${f.imageMode}`);
  if (f.minPixels.trim() || f.maxPixels.trim()) parts.push(`pixels ${f.minPixels.trim() || 'default'}..${f.maxPixels.trim() || 'default'}`);
  return parts.join(', ');
}
