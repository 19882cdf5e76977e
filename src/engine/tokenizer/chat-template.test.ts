import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WorkbenchError } from '../../common/contract/errors.ts';
import { LLAVA_15_CHAT_TEMPLATE, loadChatTemplate, renderChatPrompt, type ChatMessage } from './chat-template.ts';
import { LLAMA_BPE_DIR, scratchCopy, WORDLEVEL_DIR } from '../../../test/support/tokenizer-fixtures.ts';

const ask = (text: string, images = 1): ChatMessage => ({
  role: 'user',
  content: [...Array.from({ length: images }, () => ({ type: 'image' as const })), { type: 'text', text }],
});

describe('loadChatTemplate', () => {
  it('reads chat_template.json (the llava-hf layout)', async () => {
    const t = await loadChatTemplate(LLAMA_BPE_DIR, {});
    expect(t).toEqual({ text: LLAVA_15_CHAT_TEMPLATE, source: 'chat_template.json', isFallback: false });
    // the fixture file holds the published template, so the constant is that text
    expect(JSON.parse(readFileSync(join(LLAMA_BPE_DIR, 'chat_template.json'), 'utf8')).chat_template).toBe(LLAVA_15_CHAT_TEMPLATE);
  });

  it('falls back to LLaVA-1.5 and says so when the checkpoint has no template', async () => {
    expect(await loadChatTemplate(WORDLEVEL_DIR, {})).toEqual({ text: LLAVA_15_CHAT_TEMPLATE, source: 'fallback-llava-1.5', isFallback: true });
  });

  it('reads a template from tokenizer_config.json, plain or as the "default" of named templates', async () => {
    expect(await loadChatTemplate(WORDLEVEL_DIR, { chat_template: 'A{{ 1 }}' })).toMatchObject({ text: 'A{{ 1 }}', source: 'tokenizer_config.json' });
    const named = {
      chat_template: [
        { name: 'tool_use', template: 'T' },
        { name: 'default', template: 'D' },
      ],
    };
    expect(await loadChatTemplate(WORDLEVEL_DIR, named)).toMatchObject({ text: 'D', source: 'tokenizer_config.json' });
  });

  it('prefers the processor files over tokenizer_config.json, chat_template.jinja first', async () => {
    expect(await loadChatTemplate(LLAMA_BPE_DIR, { chat_template: 'text-only' })).toMatchObject({ source: 'chat_template.json' });
    const s = scratchCopy(LLAMA_BPE_DIR, { 'chat_template.jinja': 'J' });
    try {
      expect(await loadChatTemplate(s.dir, {})).toMatchObject({ text: 'J', source: 'chat_template.jinja' });
    } finally {
      s.dispose();
    }
  });

  it('rejects a chat_template.json without the template', async () => {
    const s = scratchCopy(LLAMA_BPE_DIR, { 'chat_template.json': { template: 'x' } });
    try {
      await expect(loadChatTemplate(s.dir, {})).rejects.toThrow(/has no "chat_template" string/);
    } finally {
      s.dispose();
    }
  });
});

describe('renderChatPrompt with the llava-1.5 template', () => {
  const render = (messages: ChatMessage[], addGenerationPrompt = true) => renderChatPrompt(LLAVA_15_CHAT_TEMPLATE, messages, { addGenerationPrompt });

  it('gives "USER: <image>\\n{question} ASSISTANT:"', () => {
    expect(render([ask('What is the colour of the cat?')])).toBe('USER: <image>\nWhat is the colour of the cat? ASSISTANT:');
    expect(render([ask('Hi')], false)).toBe('USER: <image>\nHi ');
  });

  it('puts every image first, one line each', () => {
    expect(render([ask('Compare them.', 2)])).toBe('USER: <image>\n<image>\nCompare them. ASSISTANT:');
  });

  it('renders earlier turns, including the {% generation %} block of assistant turns', () => {
    const turns: ChatMessage[] = [ask('What is it?'), { role: 'assistant', content: [{ type: 'text', text: 'A cat.' }] }, ask('And its colour?', 0)];
    expect(render(turns)).toBe('USER: <image>\nWhat is it? ASSISTANT: A cat. USER: And its colour? ASSISTANT:');
  });

  it('writes a system message without a role prefix', () => {
    expect(render([{ role: 'system', content: [{ type: 'text', text: 'Be brief.' }] }, ask('Q')])).toBe('Be brief. USER: <image>\nQ ASSISTANT:');
  });

  it('passes special tokens and raise_exception to templates, as transformers does', () => {
    expect(renderChatPrompt('{{ bos_token }}[{{ messages|length }}]', [ask('x')], { addGenerationPrompt: true, specialTokens: { bos_token: '<s>' } })).toBe(
      '<s>[1]',
    );
    let err: unknown;
    try {
      renderChatPrompt("{{ raise_exception('Conversation roles must alternate') }}", [ask('x')], { addGenerationPrompt: true });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(WorkbenchError);
    expect((err as WorkbenchError).code).toBe('bad-request');
    expect((err as WorkbenchError).message).toContain('Conversation roles must alternate');
  });
});
