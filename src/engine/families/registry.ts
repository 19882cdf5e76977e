/**
 * The model families LASER Workbench compiles, keyed by Hugging Face `model_type` (as transformers'
 * CONFIG_MAPPING_NAMES maps a config to its classes). Adding a family is a folder beside llava/ and
 * qwen2-vl/ and one line here; nothing above the registry names a family.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WorkbenchError } from '../../common/contract/errors.ts';
import type { ArchitectureName } from '../bundle/manifest.ts';
import { findDuplicateKey } from '../checkpoint/json-duplicates.ts';
import { llavaFamily } from './llava/family.ts';
import { qwenFamily } from './qwen2-vl/family.ts';
import type { FamilyCheckpoint, ModelFamily } from './types.ts';
import { jsonSyntaxReason } from '../library/json-errors.ts';

export const FAMILIES: readonly ModelFamily[] = [llavaFamily, qwenFamily];

/** Every model_type the registry compiles. */
export const SUPPORTED_MODEL_TYPES: readonly string[] = FAMILIES.flatMap((f) => f.modelTypes);

/** model_types of families we know of and do not compile (yet), for a friendlier message. */
const KNOWN_UNSUPPORTED = ['llava_next', 'llava_next_video', 'llava_onevision', 'idefics2', 'idefics3', 'paligemma', 'mllama', 'blip-2', 'instructblip', 'internvl_chat', 'internvl'];

const hintInvalid = 'config.json does not match what transformers writes for this model; re-download it from the model repository.';

export function supportedModelsLine(): string {
  return `LASER Workbench compiles: ${FAMILIES.map((f) => `${f.label} (${f.modelTypes.join(', ')})`).join('; ')}.`;
}

/** The family that compiles `modelType`; 'unsupported-model' naming the registry's model types otherwise. */
export function familyForModelType(modelType: string, file: string): ModelFamily {
  const family = FAMILIES.find((f) => f.modelTypes.includes(modelType));
  if (family) return family;
  const known = KNOWN_UNSUPPORTED.includes(modelType) ? 'is recognised but not supported yet' : 'is not in the model registry';
  throw new WorkbenchError('unsupported-model', `${file}: model_type "${modelType}" ${known} (supported model types: ${SUPPORTED_MODEL_TYPES.join(', ')})`, supportedModelsLine());
}

/** The family of a bundle's manifest `architecture`. */
export function familyForArchitecture(architecture: ArchitectureName): ModelFamily {
  const family = FAMILIES.find((f) => f.architecture === architecture);
  if (!family) throw new Error(`no family registered for architecture ${architecture}`);
  return family;
}

/** Reads `<dir>/config.json` as a JSON object (clear errors for a missing, broken or duplicated-key file). */
export async function readConfigJson(dir: string): Promise<{ json: Record<string, unknown>; file: string }> {
  const file = join(dir, 'config.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new WorkbenchError('invalid-checkpoint', `${dir}: no config.json`, 'A Hugging Face checkpoint folder has config.json beside its weights; download it too.');
    throw e;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new WorkbenchError('invalid-checkpoint', `${file}: not valid JSON (${jsonSyntaxReason(e)})`, hintInvalid);
  }
  const dup = findDuplicateKey(text);
  if (dup) throw new WorkbenchError('invalid-checkpoint', `${file}: key "${[...dup.path, dup.key].join('.')}" occurs twice`, hintInvalid);
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new WorkbenchError('invalid-checkpoint', `${file}: is not a JSON object`, hintInvalid);
  const modelType = (json as Record<string, unknown>).model_type;
  if (modelType === undefined) throw new WorkbenchError('invalid-checkpoint', `${file}: required field "model_type" is missing`, hintInvalid);
  if (typeof modelType !== 'string') throw new WorkbenchError('invalid-checkpoint', `${file}: "model_type" must be a string`, hintInvalid);
  return { json: json as Record<string, unknown>, file };
}

/** Opens a checkpoint folder through its family: config parsed, weights opened and checked. */
export async function openFamilyCheckpoint(dir: string): Promise<{ family: ModelFamily; checkpoint: FamilyCheckpoint }> {
  const { json, file } = await readConfigJson(dir);
  const family = familyForModelType(json.model_type as string, file);
  return { family, checkpoint: await family.openCheckpoint(dir, json, file) };
}
