/** A checkpoint folder's config.json read as a JSON object, with one clear error per way it can be wrong. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WorkbenchError } from '../../common/contract/errors.ts';
import { checkpointJsonObject } from './optional-json.ts';

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
  return { json: checkpointJsonObject(file, text, hintInvalidConfig, true), file };
}
