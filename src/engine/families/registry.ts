/**
 * The model families LASER Workbench compiles, keyed by Hugging Face `model_type` (as transformers'
 * CONFIG_MAPPING_NAMES maps a config to its classes). Adding a family is a folder beside llava/ and
 * qwen2-vl/ and one line here; nothing above the registry names a family.
 */
import { WorkbenchError } from '../../common/contract/errors.ts';
import type { ArchitectureName } from '../bundle/manifest.ts';
import { hintInvalidConfig as hintInvalid, readConfigObject } from '../checkpoint/config-json.ts';
import { llavaFamily } from './llava/family.ts';
import { qwenFamily } from './qwen2-vl/family.ts';
import type { FamilyCheckpoint, ModelFamily } from './types.ts';

export const FAMILIES: readonly ModelFamily[] = [llavaFamily, qwenFamily];

/** Every model_type the registry compiles. */
export const SUPPORTED_MODEL_TYPES: readonly string[] = FAMILIES.flatMap((f) => f.modelTypes);

/** model_types of families we know of and do not compile (yet), for a friendlier message. */
const KNOWN_UNSUPPORTED = [
  'llava_next',
  'llava_next_video',
  'llava_onevision',
  'idefics2',
  'idefics3',
  'paligemma',
  'mllama',
  'blip-2',
  'instructblip',
  'internvl_chat',
  'internvl',
];

export function supportedModelsLine(): string {
  return `LASER Workbench compiles: ${FAMILIES.map((f) => `${f.label} (${f.modelTypes.join(', ')})`).join('; ')}.`;
}

/** The family that compiles `modelType`; 'unsupported-model' naming the registry's model types otherwise. */
export function familyForModelType(modelType: string, file: string): ModelFamily {
  const family = FAMILIES.find((f) => f.modelTypes.includes(modelType));
  if (family) return family;
  const known = KNOWN_UNSUPPORTED.includes(modelType) ? 'is recognised but not supported yet' : 'is not in the model registry';
  throw new WorkbenchError(
    'unsupported-model',
    `${file}: model_type "${modelType}" ${known} (supported model types: ${SUPPORTED_MODEL_TYPES.join(', ')})`,
    supportedModelsLine(),
  );
}

/** The family of a bundle's manifest `architecture`. */
export function familyForArchitecture(architecture: ArchitectureName): ModelFamily {
  const family = FAMILIES.find((f) => f.architecture === architecture);
  if (!family) throw new Error(`no family registered for architecture ${architecture}`);
  return family;
}

/** Reads `<dir>/config.json` as a JSON object with a string model_type (clear errors otherwise). */
export async function readConfigJson(dir: string): Promise<{ json: Record<string, unknown>; file: string }> {
  const { json, file } = await readConfigObject(dir);
  const modelType = json.model_type;
  if (modelType === undefined) throw new WorkbenchError('invalid-checkpoint', `${file}: required field "model_type" is missing`, hintInvalid);
  if (typeof modelType !== 'string') throw new WorkbenchError('invalid-checkpoint', `${file}: "model_type" must be a string`, hintInvalid);
  return { json, file };
}

/** Opens a checkpoint folder through its family: config parsed, weights opened and checked. */
export async function openFamilyCheckpoint(dir: string): Promise<{ family: ModelFamily; checkpoint: FamilyCheckpoint }> {
  const { json, file } = await readConfigJson(dir);
  const family = familyForModelType(json.model_type as string, file);
  return { family, checkpoint: await family.openCheckpoint(dir, json, file) };
}
