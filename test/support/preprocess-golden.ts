/**
 * Test-only access to the processor fixtures copied from shared/fixtures/hf-golden (see
 * test/fixtures/hf-golden/PROVENANCE.md). Only golden.json is copied, not the 16 MB tensors: each
 * tensor is checked through the sha256 of its raw little-endian bytes, which golden.json records.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const fixtureNames = ['a_500x375', 'b_224x224', 'c_37x91', 'd_640x480_rgba'] as const;
export type FixtureName = (typeof fixtureNames)[number];
export type ProcessorFixture = 'clip_processor' | 'qwen2vl_processor';

export interface TensorRecord {
  shape: number[];
  dtype: string;
  sha256: string;
  sum: number;
  absmax: number;
}

export interface GoldenJson {
  images: Record<string, Record<string, unknown>>;
  tensors: Record<string, TensorRecord>;
  [key: string]: unknown;
}

export function fixtureDir(fx: ProcessorFixture): string {
  return fileURLToPath(new URL(`../fixtures/hf-golden/${fx}/`, import.meta.url));
}

export function readGolden(fx: ProcessorFixture): GoldenJson {
  return JSON.parse(readFileSync(fixtureDir(fx) + 'golden.json', 'utf8')) as GoldenJson;
}

export function readPreprocessorConfig(fx: ProcessorFixture): unknown {
  return JSON.parse(readFileSync(fixtureDir(fx) + 'preprocessor_config.json', 'utf8'));
}

export function imagePath(fx: ProcessorFixture, name: FixtureName): string {
  return `${fixtureDir(fx)}images/${name}.png`;
}

/** sha256 of the raw bytes of a typed array (little-endian on every platform Node runs on here). */
export function sha256Of(a: ArrayBufferView): string {
  return createHash('sha256')
    .update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength))
    .digest('hex');
}
