/**
 * The chat template: found where transformers looks for it, rendered with @huggingface/jinja
 * with the same context transformers gives it (messages, add_generation_prompt, the special
 * tokens), and a recorded fallback when a checkpoint has none.
 */
import { join } from 'node:path';
import { Template } from '@huggingface/jinja';
import { WorkbenchError } from '../../common/contract/errors.ts';
import { readJsonIfPresent, readTextIfPresent } from './files.ts';
import type { TextTokenizer } from './load.ts';

/**
 * llava-hf/llava-1.5-7b-hf chat_template.json, verbatim (as quoted, labelled with that model id,
 * in openvinotoolkit/openvino.genai src/cpp/src/tokenizer/chat_template_fallback_map.hpp). For one
 * image and a question it renders "USER: <image>\n{question} ASSISTANT:", which is LLaVA-1.5's
 * conversation format, so it doubles as the fallback.
 */
export const LLAVA_15_CHAT_TEMPLATE =
  "{% for message in messages %}{% if message['role'] != 'system' %}{{ message['role'].upper() + ': '}}{% endif %}" +
  "{# Render all images first #}{% for content in message['content'] | selectattr('type', 'equalto', 'image') %}{{ '<image>\n' }}{% endfor %}" +
  "{# Render all text next #}{% if message['role'] != 'assistant' %}{% for content in message['content'] | selectattr('type', 'equalto', 'text') %}{{ content['text'] + ' '}}{% endfor %}" +
  "{% else %}{% for content in message['content'] | selectattr('type', 'equalto', 'text') %}{% generation %}{{ content['text'] + ' '}}{% endgeneration %}{% endfor %}{% endif %}" +
  "{% endfor %}{% if add_generation_prompt %}{{ 'ASSISTANT:' }}{% endif %}";

/**
 * Qwen2-VL-Instruct's conversation format (images as <|vision_start|><|image_pad|><|vision_end|>,
 * a default system turn, ChatML markers), the fallback for a Qwen checkpoint shipped without a
 * template. The video branch of the shipped template is left out: the workbench feeds still images.
 */
export const QWEN2_VL_CHAT_TEMPLATE =
  "{% set image_count = namespace(value=0) %}{% for message in messages %}{% if loop.first and message['role'] != 'system' %}<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n{% endif %}" +
  "<|im_start|>{{ message['role'] }}\n{% if message['content'] is string %}{{ message['content'] }}<|im_end|>\n{% else %}{% for content in message['content'] %}" +
  "{% if content['type'] == 'image' %}{% set image_count.value = image_count.value + 1 %}{% if add_vision_id %}Picture {{ image_count.value }}: {% endif %}<|vision_start|><|image_pad|><|vision_end|>" +
  "{% elif 'text' in content %}{{ content['text'] }}{% endif %}{% endfor %}<|im_end|>\n{% endif %}{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}";

/** The template used when a checkpoint ships none, per family. */
export const FALLBACK_TEMPLATES = {
  'fallback-llava-1.5': LLAVA_15_CHAT_TEMPLATE,
  'fallback-qwen2-vl': QWEN2_VL_CHAT_TEMPLATE,
} as const;
export type FallbackTemplate = keyof typeof FALLBACK_TEMPLATES;

export type ChatTemplateSource = 'chat_template.jinja' | 'chat_template.json' | 'tokenizer_config.json' | FallbackTemplate;

export interface ChatTemplate {
  text: string;
  source: ChatTemplateSource;
  /** true when the checkpoint had no template and LLaVA-1.5's format was used; runs record this */
  isFallback: boolean;
}

export type MessageContent = { type: 'image' } | { type: 'text'; text: string };

/** Hugging Face's multimodal message format. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: MessageContent[];
}

/**
 * transformers' order for a processor: the processor's own chat_template.jinja or
 * chat_template.json first (those know about images), then the tokenizer's "chat_template"
 * (a string, or a list of named templates of which "default" is used).
 */
export async function loadChatTemplate(
  dir: string,
  tokenizerConfig: Record<string, unknown>,
  fallback: FallbackTemplate = 'fallback-llava-1.5',
): Promise<ChatTemplate> {
  const jinja = await readTextIfPresent(dir, 'chat_template.jinja');
  if (jinja !== null) return { text: jinja, source: 'chat_template.jinja', isFallback: false };
  const json = await readJsonIfPresent(dir, 'chat_template.json');
  if (json !== null) {
    const t = (json as Record<string, unknown>).chat_template;
    if (typeof t !== 'string') {
      throw new WorkbenchError(
        'invalid-bundle',
        `${join(dir, 'chat_template.json')} has no "chat_template" string.`,
        'Copy chat_template.json again from the Hugging Face checkpoint.',
      );
    }
    return { text: t, source: 'chat_template.json', isFallback: false };
  }
  const fromConfig = tokenizerConfig.chat_template;
  if (typeof fromConfig === 'string') return { text: fromConfig, source: 'tokenizer_config.json', isFallback: false };
  if (Array.isArray(fromConfig)) {
    const named = fromConfig.find((t) => typeof t === 'object' && t !== null && (t as Record<string, unknown>).name === 'default');
    const text = named === undefined ? undefined : (named as Record<string, unknown>).template;
    if (typeof text === 'string') return { text, source: 'tokenizer_config.json', isFallback: false };
  }
  return { text: FALLBACK_TEMPLATES[fallback], source: fallback, isFallback: true };
}

export interface RenderOptions {
  addGenerationPrompt: boolean;
  /** bos_token, eos_token, … as transformers passes them to every template */
  specialTokens?: Record<string, string>;
}

/**
 * Parsed templates by their text: a LASER run renders its template three times (query, no-query and
 * view prompts), and parsing took most of each render (about 0.7 ms of 1 on the demo model's).
 * A Template keeps no state between renders. A process sees a handful of templates; the map is
 * emptied if it ever holds more than PARSED_MAX.
 */
const parsedTemplates = new Map<string, Template>();
const PARSED_MAX = 32;

function parseTemplate(template: string): Template {
  const known = parsedTemplates.get(template);
  if (known !== undefined) return known;
  let parsed: Template;
  try {
    parsed = new Template(template);
  } catch (e) {
    throw new WorkbenchError(
      'invalid-bundle',
      `The chat template does not parse: ${(e as Error).message}.`,
      'Copy chat_template.json again from the Hugging Face checkpoint.',
    );
  }
  if (parsedTemplates.size >= PARSED_MAX) parsedTemplates.clear();
  parsedTemplates.set(template, parsed);
  return parsed;
}

export function renderChatPrompt(template: string, messages: ChatMessage[], options: RenderOptions): string {
  const parsed = parseTemplate(template);
  try {
    return parsed.render({
      ...(options.specialTokens ?? {}),
      messages,
      add_generation_prompt: options.addGenerationPrompt,
      // raise_exception, which transformers gives every template, is built into @huggingface/jinja
    });
  } catch (e) {
    throw new WorkbenchError(
      'bad-request',
      `The chat template refused these messages: ${(e as Error).message}.`,
      'Check the roles and the order of the messages.',
    );
  }
}

/** renderChatPrompt with the tokenizer's special tokens. */
export function renderForTokenizer(tokenizer: TextTokenizer, template: ChatTemplate, messages: ChatMessage[], addGenerationPrompt = true): string {
  return renderChatPrompt(template.text, messages, { addGenerationPrompt, specialTokens: tokenizer.specialTokens });
}
