/**
 * Test support for the LASER engine: the llava15_tiny golden checkpoint (4 decoder layers of 4
 * heads, a 4x4 patch grid on 56 px inputs, vocabulary 300, image token 296) with a word-level
 * tokenizer and LLaVA-1.5's chat template written beside it, compiled into a bundle. The random
 * model answers nonsense, but every record invariant is still checkable on it.
 */
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileBundle } from '../../../src/engine/compiler/compile.ts';
import { LLAVA_15_CHAT_TEMPLATE, QWEN2_VL_CHAT_TEMPLATE } from '../../../src/engine/tokenizer/chat-template.ts';

export const TINY_CHECKPOINT = fileURLToPath(new URL('../../fixtures/hf-golden/llava15_tiny/checkpoint', import.meta.url));
export const FIXTURE_IMAGES = fileURLToPath(new URL('../../fixtures/hf-golden/clip_processor/images', import.meta.url));
/** 500 x 375, 224 x 224 and 37 x 91 pixels. */
export const IMAGE_500x375 = join(FIXTURE_IMAGES, 'a_500x375.png');
export const IMAGE_224 = join(FIXTURE_IMAGES, 'b_224x224.png');
export const IMAGE_37x91 = join(FIXTURE_IMAGES, 'c_37x91.png');

/** Words the prompts use: the template, questions, the instruction and ViCrop's generic prompt. */
export const WORDS = [
  'user',
  ':',
  'assistant',
  'what',
  'is',
  'the',
  'colour',
  'of',
  'cat',
  '?',
  'answer',
  'question',
  'using',
  'a',
  'single',
  'word',
  'or',
  'phrase',
  '.',
  'write',
  'general',
  'description',
  'image',
  'dog',
  'left',
  'right',
  'red',
  'blue',
  'how',
  'many',
  'are',
  'there',
  'in',
  'you',
  'helpful',
  'system',
];

export interface WordTokenizerSpec {
  vocabSize: number;
  imageTokenId: number;
  /** The image placeholder's text (default '<image>'; Qwen2-VL: '<|image_pad|>'). */
  imageToken?: string;
  /** More special tokens at fixed ids (Qwen2-VL's ChatML and vision markers). */
  special?: Record<number, string>;
  /** Whether the tokenizer prepends [BOS] (default true, as LLaMA's does; Qwen2's does not). */
  bos?: boolean;
  /** chat_template.json's template (default LLaVA-1.5's). */
  chatTemplate?: string;
}

/**
 * tokenizer.json (WordLevel, lower-cased, whitespace pre-tokenizer), tokenizer_config.json (BOS from
 * the flag) and chat_template.json into `dir`. Ids: [UNK] 0, [BOS] 1, [EOS] 2, the WORDS, fillers
 * "t<id>" up to vocabSize, with the image token and the other special tokens at their ids, so every
 * id the model can emit decodes.
 */
export async function writeWordTokenizer(dir: string, spec: WordTokenizerSpec): Promise<void> {
  const fixed: Record<number, string> = { ...(spec.special ?? {}), [spec.imageTokenId]: spec.imageToken ?? '<image>' };
  const vocab: Record<string, number> = { '[UNK]': 0, '[BOS]': 1, '[EOS]': 2 };
  let next = 3;
  for (const w of WORDS) {
    while (fixed[next] !== undefined) next++;
    vocab[w] = next++;
  }
  for (; next < spec.vocabSize; next++) if (fixed[next] === undefined) vocab[`t${next}`] = next;
  for (const [id, content] of Object.entries(fixed)) vocab[content] = Number(id);
  const special = (id: number, content: string) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [special(0, '[UNK]'), special(1, '[BOS]'), special(2, '[EOS]'), ...Object.entries(fixed).map(([id, c]) => special(Number(id), c))],
    normalizer: { type: 'Lowercase' },
    pre_tokenizer: { type: 'Whitespace' },
    post_processor: null,
    decoder: null,
    model: { type: 'WordLevel', vocab, unk_token: '[UNK]' },
  };
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'tokenizer.json'), JSON.stringify(tokenizer));
  await writeFile(
    join(dir, 'tokenizer_config.json'),
    JSON.stringify({ add_bos_token: spec.bos ?? true, bos_token: '[BOS]', eos_token: '[EOS]', unk_token: '[UNK]', tokenizer_class: 'PreTrainedTokenizerFast' }),
  );
  await writeFile(join(dir, 'chat_template.json'), JSON.stringify({ chat_template: spec.chatTemplate ?? LLAVA_15_CHAT_TEMPLATE }));
}

export interface TinyLaserBundle {
  root: string;
  checkpoint: string;
  bundle: string;
  dispose(): Promise<void>;
}

/** The tiny checkpoint plus a tokenizer, compiled ('pad' as LLaVA-1.5 was trained, or 'crop'). */
export async function compileTinyLaserBundle(options: { imageMode?: 'pad' | 'crop'; tokenizer?: boolean } = {}): Promise<TinyLaserBundle> {
  const root = await mkdtemp(join(tmpdir(), 'laser-engine-'));
  const checkpoint = join(root, 'checkpoint');
  await mkdir(checkpoint);
  for (const f of ['config.json', 'generation_config.json', 'model.safetensors']) await copyFile(join(TINY_CHECKPOINT, f), join(checkpoint, f));
  if (options.tokenizer !== false) await writeWordTokenizer(checkpoint, { vocabSize: 300, imageTokenId: 296 });
  const bundle = join(root, 'bundle');
  await compileBundle(checkpoint, bundle, { imageMode: options.imageMode ?? 'pad' });
  return { root, checkpoint, bundle, dispose: () => rm(root, { recursive: true, force: true }) };
}

export const TINY_QWEN_CHECKPOINT = fileURLToPath(new URL('../../fixtures/hf-golden/qwen2vl_tiny/checkpoint', import.meta.url));

/**
 * The qwen2vl_tiny golden checkpoint (Qwen2-VL: 2 vision blocks, merge 2, decoder of 4 layers x 4
 * heads, vocabulary 300, <|image_pad|> 292) with a word-level tokenizer holding Qwen2-VL's special
 * tokens, its chat template, and a preprocessor_config.json whose pixel bounds keep every view small
 * (at most 112 x 112 px: 4 x 4 merged tokens), compiled into a bundle.
 */
/** Writes that checkpoint folder (weights, word tokenizer with Qwen's specials and template, preprocessor_config.json) into `dir`. */
export async function writeTinyQwenLaserCheckpoint(dir: string, options: { minPixels?: number; maxPixels?: number } = {}): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const f of ['config.json', 'generation_config.json', 'model.safetensors']) await copyFile(join(TINY_QWEN_CHECKPOINT, f), join(dir, f));
  await writeWordTokenizer(dir, {
    vocabSize: 300,
    imageTokenId: 292,
    imageToken: '<|image_pad|>',
    special: { 288: '<|im_start|>', 289: '<|im_end|>', 290: '<|vision_start|>', 291: '<|vision_end|>', 293: '<|video_pad|>' },
    bos: false,
    chatTemplate: QWEN2_VL_CHAT_TEMPLATE,
  });
  await writeFile(
    join(dir, 'preprocessor_config.json'),
    JSON.stringify({ min_pixels: options.minPixels ?? 28 * 28, max_pixels: options.maxPixels ?? 112 * 112, image_processor_type: 'Qwen2VLImageProcessor' }),
  );
}

export async function compileTinyQwenLaserBundle(options: { minPixels?: number; maxPixels?: number } = {}): Promise<TinyLaserBundle> {
  const root = await mkdtemp(join(tmpdir(), 'laser-qwen-'));
  const checkpoint = join(root, 'checkpoint');
  await writeTinyQwenLaserCheckpoint(checkpoint, options);
  const bundle = join(root, 'bundle');
  await compileBundle(checkpoint, bundle);
  return { root, checkpoint, bundle, dispose: () => rm(root, { recursive: true, force: true }) };
}
