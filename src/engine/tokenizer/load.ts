/**
 * A Hugging Face tokenizer folder, loaded with @huggingface/tokenizers (pure JS), with the
 * transformers behaviours that live outside tokenizer.json:
 * - BOS/EOS per tokenizer_config.json's add_bos_token / add_eos_token, as LlamaTokenizerFast
 *   applies them (it rebuilds the post-processor from these flags); without the flags the
 *   tokenizer.json post-processor decides, as it does in transformers;
 * - EOS ids from tokenizer_config.json and, when present, generation_config.json (Qwen2-VL stops
 *   on two ids).
 *
 * Library gap, worked around here: @huggingface/tokenizers 0.2 has no WordLevel model; it treats a
 * `{"type": "WordLevel"}` model as its vocabulary-only "Legacy" model, which does the same lookup
 * but takes the unknown-token from tokenizer_config.json instead of the model. A word-level
 * tokenizer whose config omits unk_token would then encode unknown words as `undefined`, so the
 * model's own unk_token is passed in, and any id that still comes out undefined is an error.
 */
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { WorkbenchError } from '../../common/contract/errors.ts';
import { missingTokenizerError, readJsonIfPresent, REQUIRED_TOKENIZER_FILES } from './files.ts';

export interface EncodeOptions {
  /** BOS/EOS and any post-processor tokens; default true, as in transformers */
  addSpecialTokens?: boolean;
}

export interface DecodeOptions {
  skipSpecialTokens?: boolean;
}

export interface TextTokenizer {
  encode(text: string, options?: EncodeOptions): number[];
  decode(ids: readonly number[], options?: DecodeOptions): string;
  tokenToId(token: string): number | undefined;
  idToToken(id: number): string | undefined;
  bosId: number | null;
  bosToken: string | null;
  eosIds: number[];
  eosToken: string | null;
  /** whether encode(..., {addSpecialTokens: true}) starts with bosId */
  addsBos: boolean;
  /** the special tokens the chat template may use (bos_token, eos_token, unk_token, pad_token) */
  specialTokens: Record<string, string>;
  /** tokenizer_config.json as read, for the chat template's other needs */
  config: Record<string, unknown>;
  dir: string;
}

type Json = Record<string, unknown>;

/** tokenizer_config.json writes special tokens as strings or as {"__type": "AddedToken", "content": ...}. */
function tokenString(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && v !== null && typeof (v as Json).content === 'string') return (v as Json).content as string;
  return null;
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The ids tokenizer.json gives its tokens must be whole numbers: the tokenizers library takes the
 * vocabulary as written, so a vocab entry "273" (a string) or 2.5 would come out of encode() as a
 * token id that is not one (found by test/fuzz/formats.test.ts). BPE, WordPiece and WordLevel keep
 * `model.vocab` as {token: id}; Unigram as [[token, score], ...]; added tokens carry an `id`.
 */
function checkTokenIds(tokenizerJson: Json, file: string): void {
  const bad = (what: string) =>
    new WorkbenchError(
      'invalid-bundle',
      `${file}: ${what}; token ids must be whole numbers from 0.`,
      'Copy tokenizer.json again from the Hugging Face checkpoint.',
    );
  const isId = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;
  const model = tokenizerJson.model as Json;
  const vocab = model.vocab;
  if (isObject(vocab)) {
    const entry = Object.entries(vocab).find(([, id]) => !isId(id));
    if (entry) throw bad(`model.vocab gives ${JSON.stringify(entry[0]).slice(0, 80)} the id ${String(JSON.stringify(entry[1])).slice(0, 80)}`);
  } else if (Array.isArray(vocab)) {
    const k = vocab.findIndex((e) => !Array.isArray(e) || typeof e[0] !== 'string' || typeof e[1] !== 'number' || !Number.isFinite(e[1]));
    if (k >= 0) throw bad(`model.vocab[${k}] is ${JSON.stringify(vocab[k])?.slice(0, 80)}, not a [token, score] pair`);
  }
  const added = tokenizerJson.added_tokens;
  if (Array.isArray(added)) {
    const k = added.findIndex((t) => !isObject(t) || !isId(t.id) || typeof t.content !== 'string');
    if (k >= 0) throw bad(`added_tokens[${k}] is ${JSON.stringify(added[k])?.slice(0, 80)}, not {id, content}`);
  }
}

export async function loadTokenizer(dir: string): Promise<TextTokenizer> {
  const [tokenizerJson, configJson, generationJson] = await Promise.all([
    readJsonIfPresent(dir, 'tokenizer.json'),
    readJsonIfPresent(dir, 'tokenizer_config.json'),
    readJsonIfPresent(dir, 'generation_config.json'),
  ]);
  const missing = REQUIRED_TOKENIZER_FILES.filter((_, i) => [tokenizerJson, configJson][i] === null);
  if (missing.length > 0) throw missingTokenizerError(dir, missing);
  if (!isObject(tokenizerJson) || !isObject(tokenizerJson.model)) {
    throw new WorkbenchError(
      'invalid-bundle',
      `${join(dir, 'tokenizer.json')} has no "model" section.`,
      'Copy tokenizer.json again from the Hugging Face checkpoint.',
    );
  }
  if (!isObject(configJson)) {
    throw new WorkbenchError(
      'invalid-bundle',
      `${join(dir, 'tokenizer_config.json')} is not a JSON object.`,
      'Copy tokenizer_config.json again from the Hugging Face checkpoint.',
    );
  }
  const config = configJson;
  const specialTokens: Record<string, string> = {};
  for (const key of ['bos_token', 'eos_token', 'unk_token', 'pad_token']) {
    const s = tokenString(config[key]);
    if (s !== null) specialTokens[key] = s;
  }
  const model = tokenizerJson.model;
  checkTokenIds(tokenizerJson, join(dir, 'tokenizer.json'));
  // the library reads unk/bos/eos/pad as plain strings from the config (see the header comment)
  const libConfig: Json = { ...config, ...specialTokens };
  if (model.type === 'WordLevel' && typeof model.unk_token === 'string') libConfig.unk_token = model.unk_token;
  if (!Array.isArray(tokenizerJson.added_tokens)) tokenizerJson.added_tokens = [];

  let tok: Tokenizer;
  try {
    tok = new Tokenizer(tokenizerJson, libConfig);
  } catch (e) {
    throw new WorkbenchError(
      'invalid-bundle',
      `${join(dir, 'tokenizer.json')} could not be loaded: ${(e as Error).message}.`,
      'This tokenizer type may be unsupported; LLaMA (BPE), Qwen (byte-level BPE), WordPiece, Unigram and WordLevel tokenizers are.',
    );
  }

  const idOf = (token: string | undefined): number | null => (token === undefined ? null : (tok.token_to_id(token) ?? null));
  const bosToken = specialTokens.bos_token ?? null;
  const eosToken = specialTokens.eos_token ?? null;
  const bosId = idOf(specialTokens.bos_token);
  const eosIds = new Set<number>();
  const eosFromConfig = idOf(specialTokens.eos_token);
  if (eosFromConfig !== null) eosIds.add(eosFromConfig);
  if (isObject(generationJson)) {
    const g = generationJson.eos_token_id;
    for (const id of Array.isArray(g) ? g : [g]) if (Number.isInteger(id)) eosIds.add(id as number);
  }

  // LlamaTokenizerFast semantics: explicit flags replace the post-processor's special tokens
  const explicit = typeof config.add_bos_token === 'boolean' || typeof config.add_eos_token === 'boolean';
  const addBosFlag = config.add_bos_token === true;
  const addEosFlag = config.add_eos_token === true;
  const eosForAppend = eosFromConfig;

  const rawEncode = (text: string, add: boolean): number[] => {
    const enc = tok.encode(text, { add_special_tokens: add });
    const undef = enc.ids.findIndex((id) => id === undefined);
    if (undef >= 0) {
      throw new WorkbenchError(
        'invalid-bundle',
        `${join(dir, 'tokenizer.json')} has no id for "${enc.tokens[undef]}" and no unknown-token to fall back on.`,
        'Add an "unk_token" to tokenizer.json\'s model or to tokenizer_config.json.',
      );
    }
    return enc.ids;
  };

  const encode = (text: string, options: EncodeOptions = {}): number[] => {
    const add = options.addSpecialTokens ?? true;
    if (!explicit) return rawEncode(text, add);
    const ids = rawEncode(text, false);
    if (add && addBosFlag && bosId !== null) ids.unshift(bosId);
    if (add && addEosFlag && eosForAppend !== null) ids.push(eosForAppend);
    return ids;
  };

  const probe = encode('a');
  return {
    encode,
    decode: (ids, options = {}) => (ids.length === 0 ? '' : tok.decode([...ids], { skip_special_tokens: options.skipSpecialTokens ?? false })),
    tokenToId: (token) => tok.token_to_id(token),
    idToToken: (id) => tok.id_to_token(id),
    bosId,
    bosToken,
    eosIds: [...eosIds],
    eosToken,
    addsBos: bosId !== null && probe[0] === bosId,
    specialTokens,
    config,
    dir,
  };
}
