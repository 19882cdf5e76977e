/**
 * The prompts of a run, all from the model's own chat template (the spec: same template for every
 * method): the query prompt (I, q, s), the no-query prompt of knob `noQueryPrompt`, and the view
 * prompts with one or two images ([I, I+] and [mask(I), I-] share one id sequence).
 */
import { WorkbenchError } from '../../common/contract/errors.ts';
import { buildPromptIds, buildPromptPair, type NoQueryPrompt, type PromptIds, type PromptSpec } from '../tokenizer/prompt.ts';
import type { LaserModel } from './model.ts';

/** LLaVA-1.5's short-answer instruction, the spec's `s`. */
export { DEFAULT_INSTRUCTION } from '../../common/laser/instruction.ts';

export interface PromptOptions {
  /** The answer instruction s, appended after a newline ('' for none). */
  instruction: string;
  /** A system message, or null for none (LLaVA-1.5's template renders it before USER:). */
  systemPrompt: string | null;
}

/** Refuses an empty question before anything is loaded. */
export function checkQuestion(question: string): void {
  if (typeof question !== 'string' || question.trim().length === 0) {
    throw new WorkbenchError('bad-request', 'The question is empty.', 'Ask a question about the image, e.g. "What colour is the car?".');
  }
}

function spec(model: LaserModel, question: string, o: PromptOptions, images: number): PromptSpec {
  return {
    tokenizer: model.tokenizer,
    template: model.template,
    question,
    instruction: o.instruction,
    ...(o.systemPrompt === null ? {} : { systemPrompt: o.systemPrompt }),
    images,
    imageTokenId: model.imageTokenId,
    tokensPerImage: model.tokensPerImage,
  };
}

export interface QueryPrompts {
  query: PromptIds;
  /** The no-query (or generic) prompt, or null when the method needs none. */
  other: PromptIds | null;
}

export function queryPrompts(model: LaserModel, question: string, o: PromptOptions, other: NoQueryPrompt | null): QueryPrompts {
  checkQuestion(question);
  if (other === null) return { query: buildPromptIds(spec(model, question, o, 1)), other: null };
  const pair = buildPromptPair(spec(model, question, o, 1), other);
  return { query: pair.query, other: pair.noQuery };
}

/** The question with `images` images (1 or 2), as the views are fed. */
export function viewPrompt(model: LaserModel, question: string, o: PromptOptions, images: number): PromptIds {
  return buildPromptIds(spec(model, question, o, images));
}
