import { beforeAll, describe, expect, it } from 'vitest';
import { WorkbenchError } from '../../common/contract/errors.ts';
import { loadChatTemplate, type ChatTemplate } from './chat-template.ts';
import { loadTokenizer, type TextTokenizer } from './load.ts';
import { buildPromptIds, buildPromptPair, expandImagePlaceholders, GENERIC_QUESTION, type PromptSpec } from './prompt.ts';
import { LLAMA_BPE_DIR, WORDLEVEL_DIR } from '../../../test/support/tokenizer-fixtures.ts';
import { at, first } from '../../../test/support/index-access.ts';

let tok: TextTokenizer;
let template: ChatTemplate;
let IMG: number;
const INSTRUCTION = 'Answer the question using a single word or phrase.';

beforeAll(async () => {
  tok = await loadTokenizer(LLAMA_BPE_DIR);
  template = await loadChatTemplate(LLAMA_BPE_DIR, tok.config);
  IMG = tok.tokenToId('<image>')!;
});

const spec = (over: Partial<PromptSpec> = {}): PromptSpec => ({
  tokenizer: tok,
  template,
  question: 'What is the colour of the cat?',
  instruction: INSTRUCTION,
  images: 1,
  imageTokenId: IMG,
  tokensPerImage: 4,
  ...over,
});
const words = (ids: number[]) => ids.map((id) => tok.idToToken(id));

function badRequest(f: () => unknown): WorkbenchError {
  try {
    f();
  } catch (e) {
    if (e instanceof WorkbenchError && e.code === 'bad-request') return e;
    throw e;
  }
  throw new Error('expected a bad-request error');
}

describe('buildPromptIds', () => {
  it('renders the template, adds BOS and expands <image> into tokensPerImage image tokens', () => {
    const p = buildPromptIds(spec());
    expect(p.text).toBe(`USER: <image>\nWhat is the colour of the cat?\n${INSTRUCTION} ASSISTANT:`);
    expect(p.templateSource).toBe('chat_template.json');
    expect(words(p.inputIds)).toEqual([
      '<s>',
      '▁USER',
      ':',
      '▁',
      '<image>',
      '<image>',
      '<image>',
      '<image>',
      '▁',
      '<0x0A>',
      'What',
      '▁is',
      '▁the',
      '▁colour',
      '▁of',
      '▁the',
      '▁cat',
      '?',
      '<0x0A>',
      'Answer',
      '▁the',
      '▁question',
      '▁using',
      '▁a',
      '▁single',
      '▁word',
      '▁or',
      '▁phrase',
      '.',
      '▁ASSISTANT',
      ':',
    ]);
    expect(p.imageRuns).toEqual([[4, 8]]);
  });

  it('gives each of several images its own run, with per-image token counts (Qwen2-VL style)', () => {
    const p = buildPromptIds(spec({ images: 2, tokensPerImage: [3, 5], question: 'Compare the cat and the dog.', instruction: '' }));
    expect(p.text.startsWith('USER: <image>\n<image>\nCompare')).toBe(true);
    // "▁" <image> "▁" <0x0A> <image> "▁" <0x0A> …: the runs are separated by the rendered newline
    expect(p.imageRuns).toEqual([
      [4, 7],
      [9, 14],
    ]);
    for (const [s, e] of p.imageRuns) expect(p.inputIds.slice(s, e).every((id) => id === IMG)).toBe(true);
    expect(p.inputIds.filter((id) => id === IMG)).toHaveLength(8);
  });

  it('keeps images written into the question where they are', () => {
    const p = buildPromptIds(spec({ images: 2, question: 'Compare <image> with <image>', instruction: '', tokensPerImage: 2 }));
    expect(p.text).toBe('USER: Compare <image> with <image> ASSISTANT:');
    expect(p.imageRuns).toHaveLength(2);
    const [[a0, a1], [b0, b1]] = [at(p.imageRuns, 0), at(p.imageRuns, 1)];
    expect(words(p.inputIds.slice(0, a0))).toEqual(['<s>', '▁USER', ':', '▁Compare', '▁']);
    // legacy LLaMA normalisation prepends "▁" to every piece between special tokens: " with " -> "▁▁with▁"
    expect(words(p.inputIds.slice(a1, b0))).toEqual(['▁', '▁with', '▁']);
    expect(b1 - b0).toBe(2);
  });

  it('refuses a prompt whose placeholders do not match the images, with both counts', () => {
    const e = badRequest(() => buildPromptIds(spec({ images: 2, question: 'Describe <image>.' })));
    expect(e.message).toBe('The prompt has 1 <image> placeholder but 2 images were given.');
    expect(badRequest(() => buildPromptIds(spec({ images: 1, question: '<image> and <image>' }))).message).toMatch(
      /2 <image> placeholders but 1 image was given/,
    );
  });

  it('refuses a question without an image for a model that needs one', () => {
    expect(badRequest(() => buildPromptIds(spec({ images: 0 }))).message).toMatch(/no image was given/);
    const textOnly = buildPromptIds(spec({ images: 0, requiresImage: false, instruction: '' }));
    expect(textOnly.text).toBe('USER: What is the colour of the cat? ASSISTANT:');
    expect(textOnly.imageRuns).toEqual([]);
  });

  it('uses the LLaVA-1.5 fallback for a checkpoint without a template, and records it', async () => {
    const wl = await loadTokenizer(WORDLEVEL_DIR);
    const fallback = await loadChatTemplate(WORDLEVEL_DIR, wl.config);
    const p = buildPromptIds({ ...spec(), tokenizer: wl, template: fallback, imageTokenId: wl.tokenToId('<image>')!, instruction: '' });
    expect(p.templateSource).toBe('fallback-llava-1.5');
    expect(p.text).toBe('USER: <image>\nWhat is the colour of the cat? ASSISTANT:');
    expect(p.inputIds.map((id) => wl.idToToken(id))).toEqual([
      '[BOS]',
      'user',
      ':',
      '<image>',
      '<image>',
      '<image>',
      '<image>',
      'what',
      'is',
      'the',
      'colour',
      'of',
      'the',
      'cat',
      '?',
      'assistant',
      ':',
    ]);
  });

  it('does not add a second BOS when the template writes one', () => {
    const withBos: ChatTemplate = {
      text: "{{ bos_token }}{% for m in messages %}{{ '<image>\n' + m['content'][-1]['text'] }}{% endfor %}",
      source: 'tokenizer_config.json',
      isFallback: false,
    };
    const p = buildPromptIds(spec({ template: withBos, instruction: '' }));
    expect(p.inputIds.filter((id) => id === tok.bosId)).toHaveLength(1);
    expect(p.inputIds[0]).toBe(tok.bosId);
  });
});

describe('expandImagePlaceholders', () => {
  it('expands in place and reports runs', () => {
    expect(expandImagePlaceholders([1, 9, 5, 9, 6], 9, 2, [2, 1])).toEqual({
      inputIds: [1, 9, 9, 5, 9, 6],
      imageRuns: [
        [1, 3],
        [4, 5],
      ],
    });
  });
});

describe('buildPromptPair (LASER query and no-query prompts)', () => {
  it('removes the question, keeps template, image and instruction, and finds the shared prefix', () => {
    const pair = buildPromptPair(spec());
    expect(pair.noQuery.text).toBe(`USER: <image>\n${INSTRUCTION} ASSISTANT:`);
    // <s> ▁USER : ▁ <image>x4 ▁ <0x0A> are common; the image run lies inside the reusable prefix
    expect(pair.sharedPrefixLength).toBe(10);
    expect(first(pair.query.imageRuns)[1]).toBeLessThanOrEqual(pair.sharedPrefixLength);
    expect(pair.query.inputIds.slice(0, 10)).toEqual(pair.noQuery.inputIds.slice(0, 10));
    const [s, e] = pair.questionSpan;
    expect(words(pair.query.inputIds.slice(s, e))).toEqual(['What', '▁is', '▁the', '▁colour', '▁of', '▁the', '▁cat', '?', '<0x0A>']);
    // what is left after removing the span is exactly the no-query prompt
    expect([...pair.query.inputIds.slice(0, s), ...pair.query.inputIds.slice(e)]).toEqual(pair.noQuery.inputIds);
  });

  it('offers the empty and generic no-query prompts of the spec knob', () => {
    expect(buildPromptPair(spec(), 'empty').noQuery.text).toBe('USER: <image>\n ASSISTANT:');
    const generic = buildPromptPair(spec(), 'generic');
    expect(generic.noQuery.text).toBe(`USER: <image>\n${GENERIC_QUESTION}\n${INSTRUCTION} ASSISTANT:`);
    expect(generic.sharedPrefixLength).toBeGreaterThanOrEqual(8);
  });

  it('refuses a question with inline images, which the no-query prompt would lose', () => {
    expect(badRequest(() => buildPromptPair(spec({ question: '<image> What is this?' }))).message).toMatch(/inline/);
  });
});
