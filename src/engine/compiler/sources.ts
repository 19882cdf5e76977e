/**
 * Everything a compile takes from the checkpoint folder besides the weights: the tokenizer files
 * (copied into the bundle), the chat template, generation ids, and the sha256 of every source file
 * (recorded in the manifest so a bundle can be traced to the exact files it came from).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { readOptionalJsonObject } from '../checkpoint/optional-json.ts';
import { cancelledError } from '../../common/contract/errors.ts';

/** Files copied into `<bundle>/tokenizer/` when present. */
export const TOKENIZER_FILES = [
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
  'added_tokens.json',
  'tokenizer.model',
  'chat_template.json',
  'chat_template.jinja',
  'processor_config.json',
] as const;

/** A tokenizer is usable only with one of these. */
const TOKENIZER_CORE = ['tokenizer.json', 'tokenizer.model'];

export async function fileSize(p: string): Promise<number | null> {
  const s = await stat(p).catch(() => null);
  return s?.isFile() ? s.size : null;
}

/** The tokenizer files present in `dir`, or [] when it has no tokenizer.json / tokenizer.model. */
export async function tokenizerFiles(dir: string): Promise<string[]> {
  const present: string[] = [];
  for (const f of TOKENIZER_FILES) if ((await fileSize(join(dir, f))) !== null) present.push(f);
  return present.some((f) => TOKENIZER_CORE.includes(f)) ? present : [];
}

/** A JSON object file beside the weights, or null when absent (one clear error when it is broken). */
function readJson(file: string): Promise<Record<string, unknown> | null> {
  return readOptionalJsonObject(file, 'Re-download this file from the model repository.');
}

/** A template entry: a string, or HF's list of {name, template} (the one named "default", else the first). */
function templateOf(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) {
    const items = v.filter(
      (x): x is { name?: unknown; template: string } => typeof x === 'object' && x !== null && typeof (x as { template?: unknown }).template === 'string',
    );
    return (items.find((x) => x.name === 'default') ?? items[0])?.template ?? null;
  }
  return null;
}

/** The chat template: chat_template.jinja, else chat_template.json, else tokenizer_config.json; or null. */
export async function readChatTemplate(dir: string): Promise<string | null> {
  try {
    return await readFile(join(dir, 'chat_template.jinja'), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  for (const f of ['chat_template.json', 'tokenizer_config.json']) {
    const t = templateOf((await readJson(join(dir, f)))?.chat_template);
    if (t !== null) return t;
  }
  return null;
}

export interface GenerationIds {
  bosTokenId: number | null;
  eosTokenIds: number[];
  padTokenId: number | null;
}

/** generation_config.json's ids where it has them (what HF generate uses), else `fallback`'s. */
export async function readGenerationIds(dir: string, fallback: GenerationIds): Promise<GenerationIds> {
  const g = await readJson(join(dir, 'generation_config.json'));
  if (!g) return fallback;
  const id = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : null);
  const eos = g.eos_token_id;
  const eosIds = Array.isArray(eos) ? eos.map(id).filter((x): x is number => x !== null) : id(eos) !== null ? [id(eos)!] : null;
  return {
    bosTokenId: 'bos_token_id' in g ? id(g.bos_token_id) : fallback.bosTokenId,
    eosTokenIds: eosIds ?? fallback.eosTokenIds,
    padTokenId: 'pad_token_id' in g ? id(g.pad_token_id) : fallback.padTokenId,
  };
}

/** sha256 of a file, streamed; `onBytes` is told how many bytes each read added. */
export async function sha256File(path: string, onBytes?: (n: number) => void, signal?: AbortSignal): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 4 << 20 })) {
    if (signal?.aborted) throw cancelledError();
    h.update(chunk as Buffer);
    onBytes?.((chunk as Buffer).byteLength);
  }
  return h.digest('hex');
}
