import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WorkbenchError } from '../../common/contract/errors.ts';
import { loadTokenizer, type TextTokenizer } from './load.ts';
import { LLAMA_BPE_DIR, scratchCopy, WORDLEVEL_DIR } from '../../../test/support/tokenizer-fixtures.ts';
import { at } from '../../../test/support/index-access.ts';

const tokens = (t: TextTokenizer, ids: number[]) => ids.map((id) => t.idToToken(id));

async function loadError(dir: string): Promise<WorkbenchError> {
  try {
    await loadTokenizer(dir);
  } catch (e) {
    if (e instanceof WorkbenchError) return e;
    throw e;
  }
  throw new Error('expected loadTokenizer to fail');
}

describe('loadTokenizer: LLaMA-style SentencePiece BPE (tokenizer.json with byte fallback)', () => {
  it('tokenizes a LLaVA prompt the way LLaMA does: "▁" before <image>, "▁" + <0x0A> after it', async () => {
    const t = await loadTokenizer(LLAMA_BPE_DIR);
    const ids = t.encode('USER: <image>\nWhat is the colour of the cat? ASSISTANT:');
    expect(tokens(t, ids)).toEqual([
      '<s>',
      '▁USER',
      ':',
      '▁',
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
      '▁ASSISTANT',
      ':',
    ]);
    expect(ids[4]).toBe(t.tokenToId('<image>'));
  });

  it('falls back to UTF-8 bytes for characters outside the vocabulary, and decodes them back', async () => {
    const t = await loadTokenizer(LLAMA_BPE_DIR);
    const ids = t.encode('café', { addSpecialTokens: false });
    expect(tokens(t, ids)).toEqual(['▁ca', 'f', '<0xC3>', '<0xA9>']);
    expect(t.decode(ids)).toBe('café');
  });

  it('adds BOS per add_bos_token, and skips special tokens on request when decoding', async () => {
    const t = await loadTokenizer(LLAMA_BPE_DIR);
    expect([t.bosId, t.bosToken, t.addsBos]).toEqual([1, '<s>', true]);
    expect(t.encode('What')).toEqual([1, t.tokenToId('▁What')]);
    expect(t.encode('What', { addSpecialTokens: false })).toEqual([t.tokenToId('▁What')]);
    expect(t.decode([1, t.tokenToId('▁What')!, 2], { skipSpecialTokens: true })).toBe('What');
    expect(t.decode([])).toBe('');
  });

  it('lets add_bos_token: false win over the post-processor, as LlamaTokenizerFast does', async () => {
    const config = JSON.parse(readFileSync(join(LLAMA_BPE_DIR, 'tokenizer_config.json'), 'utf8'));
    const s = scratchCopy(LLAMA_BPE_DIR, { 'tokenizer_config.json': { ...config, add_bos_token: false, add_eos_token: true } });
    try {
      const t = await loadTokenizer(s.dir);
      expect(t.addsBos).toBe(false);
      expect(t.encode('What')).toEqual([t.tokenToId('▁What'), 2]);
    } finally {
      s.dispose();
    }
  });

  it('refuses token ids that are not whole numbers (a string id would come out of encode)', async () => {
    const json = JSON.parse(readFileSync(join(LLAMA_BPE_DIR, 'tokenizer.json'), 'utf8'));
    const first = at(Object.keys(json.model.vocab), 5);

    for (const [change, message] of [
      [
        { ...json, model: { ...json.model, vocab: { ...json.model.vocab, [first]: '273' } } },
        /model\.vocab gives ".*" the id "273"; token ids must be whole numbers from 0\./,
      ],
      [{ ...json, model: { ...json.model, vocab: { ...json.model.vocab, [first]: 2.5 } } }, /the id 2\.5/],
      [{ ...json, added_tokens: [{ id: -1, content: '<x>' }] }, /added_tokens\[0\] is \{"id":-1,"content":"<x>"\}, not \{id, content\}/],
    ] as const) {
      const s = scratchCopy(LLAMA_BPE_DIR, { 'tokenizer.json': change });
      try {
        await expect(loadTokenizer(s.dir)).rejects.toMatchObject({ code: 'invalid-bundle', message: expect.stringMatching(message) });
      } finally {
        s.dispose();
      }
    }
  });

  it('collects EOS ids from tokenizer_config.json and generation_config.json', async () => {
    expect((await loadTokenizer(LLAMA_BPE_DIR)).eosIds).toEqual([2]);
    const s = scratchCopy(LLAMA_BPE_DIR, { 'generation_config.json': { eos_token_id: [2, 7] } });
    try {
      expect((await loadTokenizer(s.dir)).eosIds).toEqual([2, 7]);
    } finally {
      s.dispose();
    }
  });
});

describe('loadTokenizer: word-level tokenizer.json', () => {
  it('looks words up, maps unknown words to the model unk_token and adds BOS per add_bos_token', async () => {
    const t = await loadTokenizer(WORDLEVEL_DIR);
    const ids = t.encode('What colour is the zebra?');
    expect(tokens(t, ids)).toEqual(['[BOS]', 'what', 'colour', 'is', 'the', '[UNK]', '?']);
    expect(ids[5]).toBe(0);
    expect(t.decode(ids, { skipSpecialTokens: true })).toBe('what colour is the ?');
    expect(t.eosIds).toEqual([2]);
  });

  it('refuses a vocabulary without any unknown-token instead of returning undefined ids', async () => {
    const tj = JSON.parse(readFileSync(join(WORDLEVEL_DIR, 'tokenizer.json'), 'utf8'));
    delete tj.model.unk_token;
    const s = scratchCopy(WORDLEVEL_DIR, { 'tokenizer.json': tj });
    try {
      const t = await loadTokenizer(s.dir);
      expect(t.encode('the cat')).toEqual([1, t.tokenToId('the'), t.tokenToId('cat')]);
      expect(() => t.encode('the zebra')).toThrow(/no id for "zebra"/);
    } finally {
      s.dispose();
    }
  });
});

describe('loadTokenizer: missing or broken files', () => {
  it('says which files to add when the folder has no tokenizer', async () => {
    const s = scratchCopy(LLAMA_BPE_DIR, { 'tokenizer.json': null, 'tokenizer_config.json': null });
    try {
      const e = await loadError(s.dir);
      expect(e.code).toBe('missing-tokenizer');
      expect(e.message).toContain(s.dir);
      expect(e.message).toContain('tokenizer.json and no tokenizer_config.json');
      expect(e.hint).toMatch(/tokenizer\.json.*tokenizer_config\.json.*chat_template\.json/);
    } finally {
      s.dispose();
    }
  });

  it('names the one file that is missing', async () => {
    const s = scratchCopy(LLAMA_BPE_DIR, { 'tokenizer_config.json': null });
    try {
      const e = await loadError(s.dir);
      expect(e.code).toBe('missing-tokenizer');
      expect(e.message).toMatch(/has no tokenizer_config\.json,/);
    } finally {
      s.dispose();
    }
  });

  it('reports a file that is not JSON as an invalid bundle, naming it', async () => {
    const s = scratchCopy(LLAMA_BPE_DIR, { 'tokenizer.json': '{"model": ' });
    try {
      const e = await loadError(s.dir);
      expect(e.code).toBe('invalid-bundle');
      expect(e.message).toContain(join(s.dir, 'tokenizer.json'));
    } finally {
      s.dispose();
    }
  });
});
