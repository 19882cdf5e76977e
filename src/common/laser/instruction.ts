/**
 * LLaVA-1.5's short-answer instruction (the spec's `s`), appended after the question by its VQA evaluation prompts
 * (and by the workbench's runs unless told otherwise). One place, since the CLI's flags, the engine
 * and the evaluation all default to it.
 */
export const DEFAULT_INSTRUCTION = 'Answer the question using a single word or phrase.';
