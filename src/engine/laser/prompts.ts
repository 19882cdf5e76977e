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

/** `tokens`: each image's token count, in prompt order (a view's ModelInput.tokens). */
function spec(model: LaserModel, question: string, o: PromptOptions, tokens: readonly number[]): PromptSpec {
  return {
    tokenizer: model.tokenizer,
    template: model.template,
    question,
    instruction: o.instruction,
    ...(o.systemPrompt === null ? {} : { systemPrompt: o.systemPrompt }),
    images: tokens.length,
    imageTokenId: model.imageTokenId,
    tokensPerImage: tokens,
  };
}

export interface QueryPrompts {
  query: PromptIds;
  /** The no-query (or generic) prompt, or null when the method needs none. */
  other: PromptIds | null;
}

/** The query prompt on I (of `imageTokens` tokens) and the other prompt of knob noQueryPrompt. */
export function queryPrompts(model: LaserModel, question: string, o: PromptOptions, other: NoQueryPrompt | null, imageTokens: number): QueryPrompts {
  checkQuestion(question);
  if (other === null) return { query: buildPromptIds(spec(model, question, o, [imageTokens])), other: null };
  const pair = buildPromptPair(spec(model, question, o, [imageTokens]), other);
  return { query: pair.query, other: pair.noQuery };
}

/** The question with one or two views of these token counts ([I, I+]: I's and the crop's), as the views are fed. */
export function viewPrompt(model: LaserModel, question: string, o: PromptOptions, tokens: readonly number[]): PromptIds {
  return buildPromptIds(spec(model, question, o, tokens));
}
