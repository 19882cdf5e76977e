/**
 * Spec steps 1-2: the query pass (I, q, s) and the no-query pass (I, s), and the read-out a_c of
 * each. Everything up to the end of the image (system prompt, template text, the image tokens) is
 * the same in both prompts, so it is prefilled once and both passes continue its KV cache (a
 * KvCache is immutable, so one prefix serves any number of continuations).
 *
 * The split is always at the end of the image, whatever the method: the query pass is then the
 * same computation in every method, and so is the baseline answer decoded from it. When the prompts
 * do not share the image prefix (a template that puts the image after the question), every pass is
 * prefilled from scratch instead.
 */
import type { AttentionStack } from '../../common/laser/index.ts';
import type { DecoderOutput } from '../runtime/decoder.ts';
import type { ImageFeatures } from '../runtime/image-tokens.ts';
import type { KvCache } from '../runtime/kv-cache.ts';
import type { ModelRuntime } from '../runtime/model-runtime.ts';
import type { PromptIds } from '../tokenizer/prompt.ts';
import { visualAttention } from './readout.ts';

/** The shared prefix: ids[0:length] with image I in it, and its cache (batch 1). */
export interface ImagePrefix {
  ids: readonly number[];
  cache: KvCache;
}

export interface Pass {
  ids: readonly number[];
  output: DecoderOutput;
  /** a_c [L, H, Nv] at the prompt's last position. */
  attention: AttentionStack;
  /** Key index of the first grid token of I. */
  gridStart: number;
}

export interface PassGeometry {
  layers: number;
  heads: number;
  /** Image tokens before the grid (CLS for 'full'). */
  gridOffset: number;
  cells: number;
}

/** Where the prompts can be split: the end of the (single) image run, when every prompt shares ids up to it. */
export function imagePrefixLength(prompts: readonly PromptIds[]): number {
  const first = prompts[0];
  const firstRun = first?.imageRuns[0];
  if (first === undefined || firstRun === undefined || first.imageRuns.length !== 1) return 0;
  const end = firstRun[1];
  for (const p of prompts) {
    const run = p.imageRuns[0];
    if (p.inputIds.length <= end || run === undefined || run[1] !== end || run[0] !== firstRun[0]) return 0;
    for (let i = 0; i < end; i++) if (p.inputIds[i] !== first.inputIds[i]) return 0;
  }
  return end;
}

export function readPass(ids: readonly number[], output: DecoderOutput, imageStart: number, g: PassGeometry): Pass {
  const gridStart = imageStart + g.gridOffset;
  return { ids, output, gridStart, attention: visualAttention(output.attnLast, g, 0, ids.length, gridStart, g.cells) };
}

export interface PromptPasses {
  /** null when the prompts were prefilled from scratch. */
  prefix: ImagePrefix | null;
  query: Pass;
  other: Pass | null;
}

export interface PassHooks {
  /** Times the query pass (prefix included) and the other pass separately. */
  timeQuery<T>(work: () => Promise<T>): Promise<T>;
  timeOther<T>(work: () => Promise<T>): Promise<T>;
}

const untimed: PassHooks = { timeQuery: (w) => w(), timeOther: (w) => w() };

/**
 * Runs the query pass and, when `other` is given, the no-query (or generic) pass, reusing the image
 * prefix unless `reusePrefix` is false (the from-scratch reference the tests and the bench compare with).
 */
export async function runPromptPasses(
  rt: ModelRuntime,
  image: ImageFeatures,
  query: PromptIds,
  other: PromptIds | null,
  g: PassGeometry,
  options: { reusePrefix?: boolean; hooks?: PassHooks } = {},
): Promise<PromptPasses> {
  const hooks = options.hooks ?? untimed;
  const prompts = other === null ? [query] : [query, other];
  const p = options.reusePrefix === false ? 0 : imagePrefixLength(prompts);
  if (p === 0) {
    const full = async (pr: PromptIds) => readPass(pr.inputIds, await rt.prefill([{ ids: pr.inputIds, images: image }]), firstImageStart(pr), g);
    const q = await hooks.timeQuery(() => full(query));
    const o = other === null ? null : await hooks.timeOther(() => full(other));
    return { prefix: null, query: q, other: o };
  }
  let prefix: ImagePrefix | null = null;
  const q = await hooks.timeQuery(async () => {
    const ids = query.inputIds.slice(0, p);
    prefix = { ids, cache: (await rt.prefill([{ ids, images: image }])).cache };
    return continuePrefix(rt, prefix, query, g);
  });
  const o = other === null ? null : await hooks.timeOther(() => continuePrefix(rt, prefix!, other, g));
  return { prefix, query: q, other: o };
}

/** The pass of `prompt` continuing the image prefix (the prompt must start with the prefix's ids). */
export async function continuePrefix(rt: ModelRuntime, prefix: ImagePrefix, prompt: PromptIds, g: PassGeometry): Promise<Pass> {
  const p = prefix.ids.length;
  const out = await rt.prefill([{ ids: prompt.inputIds.slice(p) }], { cache: prefix.cache });
  return readPass(prompt.inputIds, out, firstImageStart(prompt), g);
}

/** Where the prompt's first image run starts. */
function firstImageStart(prompt: PromptIds): number {
  const run = prompt.imageRuns[0];
  if (run === undefined) throw new RangeError('The prompt has no image, so it has no attention onto one.');
  return run[0];
}

/** a_c at each of `attnLasts` (decoder outputs of successive single-token steps after `pass`). */
export function attentionAtSteps(pass: Pass, attnLasts: readonly Float32Array[], g: PassGeometry): AttentionStack[] {
  return attnLasts.map((a, t) => visualAttention(a, g, 0, pass.ids.length + t + 1, pass.gridStart, g.cells));
}
