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
import { LLAVA_15_CHAT_TEMPLATE } from '../../../src/engine/tokenizer/chat-template.ts';

export const TINY_CHECKPOINT = fileURLToPath(new URL('../../fixtures/hf-golden/llava15_tiny/checkpoint/', import.meta.url));
export const FIXTURE_IMAGES = fileURLToPath(new URL('../../fixtures/hf-golden/clip_processor/images/', import.meta.url));
/** 500 x 375, 224 x 224 and 37 x 91 pixels. */
export const IMAGE_500x375 = join(FIXTURE_IMAGES, 'a_500x375.png');
export const IMAGE_224 = join(FIXTURE_IMAGES, 'b_224x224.png');
export const IMAGE_37x91 = join(FIXTURE_IMAGES, 'c_37x91.png');

/** Words the prompts use: the template, questions, the instruction and ViCrop's generic prompt. */
export const WORDS = [
  'user', ':', 'assistant', 'what', 'is', 'the', 'colour', 'of', 'cat', '?', 'answer', 'question', 'using', 'a', 'single',
  'word', 'or', 'phrase', '.', 'write', 'general', 'description', 'image', 'dog', 'left', 'right', 'red', 'blue', 'how',
  'many', 'are', 'there', 'in', 'you', 'helpful',
];

export interface WordTokenizerSpec {
  vocabSize: number;
  imageTokenId: number;
}

/**
 * tokenizer.json (WordLevel, lower-cased, whitespace pre-tokenizer), tokenizer_config.json (BOS from
 * the flag) and chat_template.json into `dir`. Ids: [UNK] 0, [BOS] 1, [EOS] 2, the WORDS, fillers
 * "t<id>" up to vocabSize, with <image> at imageTokenId, so every id the model can emit decodes.
 */
export async function writeWordTokenizer(dir: string, spec: WordTokenizerSpec): Promise<void> {
  const vocab: Record<string, number> = { '[UNK]': 0, '[BOS]': 1, '[EOS]': 2 };
  let next = 3;
  for (const w of WORDS) {
    if (next === spec.imageTokenId) next++;
    vocab[w] = next++;
  }
  for (; next < spec.vocabSize; next++) if (next !== spec.imageTokenId) vocab[`t${next}`] = next;
  vocab['<image>'] = spec.imageTokenId;
  const special = (id: number, content: string) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [special(0, '[UNK]'), special(1, '[BOS]'), special(2, '[EOS]'), special(spec.imageTokenId, '<image>')],
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
    JSON.stringify({ add_bos_token: true, bos_token: '[BOS]', eos_token: '[EOS]', unk_token: '[UNK]', tokenizer_class: 'PreTrainedTokenizerFast' }),
  );
  await writeFile(join(dir, 'chat_template.json'), JSON.stringify({ chat_template: LLAVA_15_CHAT_TEMPLATE }));
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
