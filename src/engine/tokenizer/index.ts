export { loadTokenizer, type DecodeOptions, type EncodeOptions, type TextTokenizer } from './load.ts';
export {
  LLAVA_15_CHAT_TEMPLATE,
  loadChatTemplate,
  renderChatPrompt,
  renderForTokenizer,
  type ChatMessage,
  type ChatTemplate,
  type ChatTemplateSource,
  type MessageContent,
  type RenderOptions,
} from './chat-template.ts';
export {
  buildPromptIds,
  buildPromptPair,
  expandImagePlaceholders,
  GENERIC_QUESTION,
  tokenizeRendered,
  userText,
  type NoQueryPrompt,
  type PromptIds,
  type PromptPair,
  type PromptSpec,
} from './prompt.ts';
export { missingTokenizerError, REQUIRED_TOKENIZER_FILES } from './files.ts';
