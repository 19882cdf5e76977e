/**
 * Access to the llava15_tiny golden fixture (test/fixtures/hf-golden/llava15_tiny, see
 * PROVENANCE.md there): its checkpoint folder, its tensors and its golden.json.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SafetensorsFile } from '../../src/engine/checkpoint/safetensors.ts';

export const llavaTinyDir = join(import.meta.dirname, '../fixtures/hf-golden/llava15_tiny');
export const llavaTinyCheckpoint = join(llavaTinyDir, 'checkpoint');

export interface GoldenJson {
  tensors: Record<string, { shape: number[]; dtype: string; sha256: string }>;
  input_ids: number[][];
  image_token_positions: number[];
  generated_new_ids: number[];
  config: unknown;
}

export async function readGoldenJson(): Promise<GoldenJson> {
  return JSON.parse(await readFile(join(llavaTinyDir, 'golden.json'), 'utf8')) as GoldenJson;
}

/** golden.safetensors, opened; close it when done. */
export function openGoldenTensors(): Promise<SafetensorsFile> {
  return SafetensorsFile.open(join(llavaTinyDir, 'golden.safetensors'));
}
