/** An optional JSON object file of a checkpoint folder (preprocessor_config.json, ...): null when absent, one clear error when broken. */
import { readFile } from 'node:fs/promises';
import { WorkbenchError } from '../../common/contract/errors.ts';
import { jsonSyntaxReason } from '../library/json-errors.ts';
import { findDuplicateKey } from './json-duplicates.ts';

/** The image processor's settings file beside the weights (every family reads it). */
export const PREPROCESSOR_FILE = 'preprocessor_config.json';

/** `file` as a JSON object, or null if there is no such file; 'invalid-checkpoint' naming the file when it is not one (`ifBroken`: what to do). */
export async function readOptionalJsonObject(file: string, ifBroken: string): Promise<Record<string, unknown> | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  return checkpointJsonObject(file, text, ifBroken);
}

/**
 * `text`, read from `file`, as a JSON object: 'invalid-checkpoint' naming the file, with `hint`, for
 * broken JSON, a key given twice (when `noDuplicateKeys`), or a value that is not an object.
 */
export function checkpointJsonObject(file: string, text: string, hint: string, noDuplicateKeys = false): Record<string, unknown> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new WorkbenchError('invalid-checkpoint', `${file}: not valid JSON (${jsonSyntaxReason(e)})`, hint);
  }
  const dup = noDuplicateKeys ? findDuplicateKey(text) : null;
  if (dup) throw new WorkbenchError('invalid-checkpoint', `${file}: key "${[...dup.path, dup.key].join('.')}" occurs twice`, hint);
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new WorkbenchError('invalid-checkpoint', `${file}: is not a JSON object`, hint);
  return json as Record<string, unknown>;
}
