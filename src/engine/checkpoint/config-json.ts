/** A checkpoint folder's config.json read as a JSON object, with one clear error per way it can be wrong. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WorkbenchError } from '../../common/contract/errors.ts';
import { jsonSyntaxReason } from '../library/json-errors.ts';
import { findDuplicateKey } from './json-duplicates.ts';

export const hintInvalidConfig = 'config.json does not match what transformers writes for this model; re-download it from the model repository.';

/** `<dir>/config.json` as an object: 'invalid-checkpoint' for a missing file, broken JSON, a key given twice or a non-object. */
export async function readConfigObject(dir: string): Promise<{ json: Record<string, unknown>; file: string }> {
  const file = join(dir, 'config.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT')
      throw new WorkbenchError(
        'invalid-checkpoint',
        `${dir}: no config.json`,
        'A Hugging Face checkpoint folder has config.json beside its weights; download it too.',
      );
    throw e;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new WorkbenchError('invalid-checkpoint', `${file}: not valid JSON (${jsonSyntaxReason(e)})`, hintInvalidConfig);
  }
  const dup = findDuplicateKey(text);
  if (dup) throw new WorkbenchError('invalid-checkpoint', `${file}: key "${[...dup.path, dup.key].join('.')}" occurs twice`, hintInvalidConfig);
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new WorkbenchError('invalid-checkpoint', `${file}: is not a JSON object`, hintInvalidConfig);
  return { json: json as Record<string, unknown>, file };
}
