/** An optional JSON object file of a checkpoint folder (preprocessor_config.json, ...): null when absent, one clear error when broken. */
import { readFile } from 'node:fs/promises';
import { WorkbenchError } from '../../common/contract/errors.ts';
import { jsonSyntaxReason } from '../library/json-errors.ts';

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
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new WorkbenchError('invalid-checkpoint', `${file}: not valid JSON (${jsonSyntaxReason(e)})`, ifBroken);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new WorkbenchError('invalid-checkpoint', `${file}: is not a JSON object`, ifBroken);
  return json as Record<string, unknown>;
}
