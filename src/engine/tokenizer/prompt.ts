/**
 * Prompt ids for a vision-language model: chat template, tokenization, and image placeholder
 * expansion, plus the pair of prompts LASER compares (spec steps 1-2): the query prompt
 * (image, question, instruction) and the no-query prompt with the question removed and the
 * template and instruction kept.
 */
import { WorkbenchError } from '../../common/contract/errors.ts';
import { renderForTokenizer, type ChatMessage, type ChatTemplate, type MessageContent } from './chat-template.ts';
import type { TextTokenizer } from './load.ts';

/** ViCrop's generic prompt (the spec's noQueryPrompt knob, 'generic'). */
export const GENERIC_QUESTION = 'Write a general description of the image.';

export interface PromptSpec {
  tokenizer: TextTokenizer;
  template: ChatTemplate;
  /** may be empty; may contain the image placeholder (e.g. "<image>") to put an image mid-text */
  question: string;
  /** appended after a newline, as LLaVA's evaluation prompts do ("Answer the question using a single word or phrase.") */
  instruction?: string;
  systemPrompt?: string;
  /** how many images the prompt carries */
  images: number;
  /** the id the template's placeholder tokenizes to: <image> for LLaVA, <|image_pad|> for Qwen2-VL */
  imageTokenId: number;
  /** image tokens per image: one number (LLaVA, 576) or one per image (Qwen2-VL, size-dependent) */
  tokensPerImage: number | readonly number[];
  /** default true: every model here needs an image, and LASER needs one */
  requiresImage?: boolean;
}

export interface PromptIds {
  inputIds: number[];
  /** [start, end) of each image's token run, in prompt order; run k takes image k's features */
  imageRuns: [number, number][];
  /** the rendered template text, placeholders not yet expanded */
  text: string;
  templateSource: ChatTemplate['source'];
}

/** The user text: question and instruction joined by a newline, either may be empty. */
export function userText(question: string, instruction = ''): string {
  return [question, instruction].filter((s) => s.length > 0).join('\n');
}

export function buildPromptIds(spec: PromptSpec): PromptIds {
  if (!Number.isInteger(spec.images) || spec.images < 0) throw new Error(`images must be a count, got ${spec.images}`);
  if (spec.images === 0 && (spec.requiresImage ?? true)) {
    throw new WorkbenchError('bad-request', 'This model answers questions about an image, and no image was given.', 'Add an image to the question.');
  }
  const placeholder = spec.tokenizer.idToToken(spec.imageTokenId);
  if (placeholder === undefined) throw new Error(`image token id ${spec.imageTokenId} is not in the vocabulary`);
  const text = userText(spec.question, spec.instruction);
  // Images written into the text stay where they are; otherwise they go where the template puts
  // image items (LLaVA-1.5: before the text).
  const inline = text.includes(placeholder);
  const content: MessageContent[] = [...(inline ? [] : Array.from({ length: spec.images }, () => ({ type: 'image' as const }))), { type: 'text', text }];
  const messages: ChatMessage[] = [];
  if (spec.systemPrompt !== undefined) messages.push({ role: 'system', content: [{ type: 'text', text: spec.systemPrompt }] });
  messages.push({ role: 'user', content });
  const rendered = renderForTokenizer(spec.tokenizer, spec.template, messages, true);
  const ids = tokenizeRendered(spec.tokenizer, rendered);
  const { inputIds, imageRuns } = expandImagePlaceholders(ids, spec.imageTokenId, spec.images, spec.tokensPerImage, placeholder);
  return { inputIds, imageRuns, text: rendered, templateSource: spec.template.source };
}

/**
 * Tokenizes rendered template text with the tokenizer's special-token rule (LLaVA: BOS first).
 * A template that writes the BOS itself (some LLaMA-2 templates do) does not get a second one;
 * transformers' processor would add it twice, which no model was trained on.
 */
export function tokenizeRendered(tokenizer: TextTokenizer, rendered: string): number[] {
  const ownBos = tokenizer.bosToken !== null && rendered.startsWith(tokenizer.bosToken);
  return tokenizer.encode(rendered, { addSpecialTokens: !ownBos || !tokenizer.addsBos });
}

/**
 * Replaces each placeholder id by its run of image tokens (the expanded form the model consumes,
 * as transformers 4.45's LlavaProcessor and Qwen2VLProcessor produce it). The number of
 * placeholders must equal the number of images.
 */
export function expandImagePlaceholders(
  ids: readonly number[],
  imageTokenId: number,
  images: number,
  tokensPerImage: number | readonly number[],
  placeholderText = 'image placeholder',
): { inputIds: number[]; imageRuns: [number, number][] } {
  const counts = typeof tokensPerImage === 'number' ? Array.from({ length: images }, () => tokensPerImage) : [...tokensPerImage];
  if (counts.length !== images) throw new Error(`tokensPerImage lists ${counts.length} images, the prompt has ${images}`);
  if (!counts.every((n) => Number.isInteger(n) && n > 0)) throw new Error(`tokensPerImage must be positive integers, got ${counts.join(', ')}`);
  const found = ids.reduce((n, id) => n + (id === imageTokenId ? 1 : 0), 0);
  if (found !== images) {
    throw new WorkbenchError(
      'bad-request',
      `The prompt has ${found} ${placeholderText} placeholder${found === 1 ? '' : 's'} but ${images} image${images === 1 ? ' was' : 's were'} given.`,
      `Use one ${placeholderText} per image, or none to let the chat template place the images.`,
    );
  }
  const inputIds: number[] = [];
  const imageRuns: [number, number][] = [];
  let k = 0;
  for (const id of ids) {
    if (id !== imageTokenId) {
      inputIds.push(id);
      continue;
    }
    const start = inputIds.length;
    const count = counts[k] ?? 0;
    for (let j = 0; j < count; j++) inputIds.push(imageTokenId);
    imageRuns.push([start, inputIds.length]);
    k++;
  }
  return { inputIds, imageRuns };
}

export type NoQueryPrompt = 'instruction-only' | 'empty' | 'generic';

export interface PromptPair {
  query: PromptIds;
  noQuery: PromptIds;
  /**
   * Length of the longest common prefix of the two id sequences: the positions whose KV cache the
   * no-query pass can take from the query pass (system prompt, image, and whatever template text
   * precedes the question). When it equals noQuery's whole length, recompute at least the last
   * token, whose output (logits, attention) the pass exists for.
   */
  sharedPrefixLength: number;
  /**
   * [start, end) in query.inputIds of the tokens the no-query prompt lacks: the question (with its
   * separator), found by removing the common prefix and the common suffix of the two sequences.
   */
  questionSpan: [number, number];
}

/**
 * The query prompt (image, question, instruction) and the no-query prompt of the spec's
 * noQueryPrompt knob: 'instruction-only' (default: the question removed, template and instruction
 * kept), 'empty' (no text at all), 'generic' (ViCrop's "Write a general description of the
 * image." in place of the question, instruction kept).
 */
export function buildPromptPair(spec: PromptSpec, noQuery: NoQueryPrompt = 'instruction-only'): PromptPair {
  const placeholder = spec.tokenizer.idToToken(spec.imageTokenId);
  if (placeholder !== undefined && spec.question.includes(placeholder)) {
    throw new WorkbenchError(
      'bad-request',
      `This question places its images inline (${placeholder}), so it cannot be paired with a no-query prompt: removing the question would remove the images.`,
      'Leave the placeholder out of the question and let the chat template place the images.',
    );
  }
  const query = buildPromptIds(spec);
  const other: PromptSpec =
    noQuery === 'empty'
      ? { ...spec, question: '', instruction: '' }
      : noQuery === 'generic'
        ? { ...spec, question: GENERIC_QUESTION }
        : { ...spec, question: '' };
  const noQueryIds = buildPromptIds(other);
  const a = query.inputIds;
  const b = noQueryIds.inputIds;
  let prefix = 0;
  while (prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix++;
  let suffix = 0;
  const maxSuffix = Math.min(a.length, b.length) - prefix;
  while (suffix < maxSuffix && a[a.length - 1 - suffix] === b[b.length - 1 - suffix]) suffix++;
  return { query, noQuery: noQueryIds, sharedPrefixLength: prefix, questionSpan: [prefix, a.length - suffix] };
}
