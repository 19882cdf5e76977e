/**
 * Reading a tokenizer folder (a bundle's tokenizer/, or a Hugging Face checkpoint folder): which
 * files it needs, and the one error that says what to add when they are missing.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WorkbenchError } from '../../common/contract/errors.ts';
import { jsonSyntaxReason } from '../library/json-errors.ts';

export const REQUIRED_TOKENIZER_FILES = ['tokenizer.json', 'tokenizer_config.json'] as const;

/** The parsed JSON of dir/name, or null if the file does not exist. A file that is not JSON is an error. */
export async function readJsonIfPresent(dir: string, name: string): Promise<unknown> {
  const text = await readTextIfPresent(dir, name);
  if (text === null) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new WorkbenchError(
      'invalid-bundle',
      `${join(dir, name)} is not valid JSON: ${jsonSyntaxReason(e)}.`,
      'Copy the file again from the Hugging Face checkpoint.',
    );
  }
}

export async function readTextIfPresent(dir: string, name: string): Promise<string | null> {
  try {
    return await readFile(join(dir, name), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

export function missingTokenizerError(dir: string, missing: readonly string[]): WorkbenchError {
  return new WorkbenchError(
    'missing-tokenizer',
    `${dir} has no ${missing.join(' and no ')}, so prompts cannot be tokenized.`,
    'Copy tokenizer.json and tokenizer_config.json from the Hugging Face checkpoint into this folder, ' +
      'plus chat_template.json (or a tokenizer_config.json that has a "chat_template"), then open it again.',
  );
}
