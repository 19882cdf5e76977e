/**
 * What a folder offered as a model is, and the contract's ModelInfo for it: a compiled bundle
 * (manifest.json) is described from its manifest; a Hugging Face checkpoint that has not been
 * compiled yet (config.json, the demo model before first use) from its config.
 */
import { stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { WorkbenchError } from '../../common/contract/errors.ts';
import type { ModelInfo } from '../../common/contract/methods.ts';
import { fixedImageGrid } from '../bundle/manifest.ts';
import type { OpenedBundle } from '../bundle/open-bundle.ts';
import { readModelConfig, visionGrid } from '../checkpoint/hf-config.ts';
import { tokenizerFiles } from '../compiler/sources.ts';
import { REQUIRED_TOKENIZER_FILES } from '../tokenizer/files.ts';
import type { RegisteredModel } from './registry.ts';

async function isFile(p: string): Promise<boolean> {
  return (await stat(p).catch(() => null))?.isFile() ?? false;
}

/** 'bundle' (has manifest.json) or 'checkpoint' (has config.json); WorkbenchError for anything else. */
export async function folderKind(dir: string): Promise<'bundle' | 'checkpoint'> {
  const st = await stat(dir).catch(() => null);
  if (!st) throw new WorkbenchError('not-found', `${dir}: no such folder.`, 'Pick a compiled bundle folder or a Hugging Face checkpoint folder.');
  if (!st.isDirectory()) throw new WorkbenchError('not-a-directory', `${dir} is not a folder.`, 'Pick the model folder, not a file inside it.');
  if (await isFile(join(dir, 'manifest.json'))) return 'bundle';
  if (await isFile(join(dir, 'config.json'))) return 'checkpoint';
  throw new WorkbenchError(
    'invalid-checkpoint',
    `${dir} is neither a LASER bundle (no manifest.json) nor a Hugging Face checkpoint (no config.json).`,
    'Pick a folder written by `laser compile`, or a Hugging Face checkpoint folder (LLaVA-1.5, Qwen2-VL, Qwen2.5-VL) with config.json and *.safetensors.',
  );
}

export function bundleModelInfo(entry: Pick<RegisteredModel, 'id' | 'source'>, bundle: OpenedBundle): ModelInfo {
  const m = bundle.manifest;
  return {
    id: entry.id,
    name: m.source.name,
    dir: bundle.dir,
    architecture: m.architecture,
    dtype: m.dtype,
    quantization: m.quantization
      ? {
          blockSize: m.quantization.blockSize,
          symmetric: m.quantization.symmetric,
          accuracyLevel: m.quantization.accuracyLevel,
          lmHead: m.quantization.lmHead,
          embeddings: m.quantization.embeddings,
          vision: m.quantization.vision,
        }
      : null,
    layers: m.text.layers,
    heads: m.text.heads,
    grid: fixedImageGrid(m)?.grid ?? null,
    hasTokenizer: bundle.tokenizerDir !== null,
    source: entry.source,
    compiledAt: m.createdAt,
    status: 'ready',
    problem: null,
  };
}

/** A checkpoint that compiles on first use (the demo model): described from config.json. */
export async function checkpointModelInfo(id: string, source: ModelInfo['source'], checkpoint: string): Promise<ModelInfo> {
  const config = await readModelConfig(checkpoint);
  const files = await tokenizerFiles(checkpoint);
  const grid = visionGrid(config.visionConfig);
  return {
    id,
    name: basename(checkpoint),
    dir: null,
    architecture: config.modelType,
    dtype: 'fp32',
    layers: config.textConfig.numHiddenLayers,
    heads: config.textConfig.numAttentionHeads,
    grid: [grid, grid],
    hasTokenizer: REQUIRED_TOKENIZER_FILES.every((f) => files.includes(f)),
    source,
    compiledAt: null,
    quantization: null,
    status: 'not-compiled',
    problem: null,
  };
}

/** A registered model whose bundle cannot be opened now (moved, deleted, damaged). */
export function unavailableModelInfo(entry: RegisteredModel, problem: string): ModelInfo {
  return {
    id: entry.id,
    name: basename(entry.dir),
    dir: entry.dir,
    architecture: 'unknown',
    dtype: entry.compile?.dtype ?? 'unknown',
    layers: 0,
    heads: 0,
    grid: [0, 0],
    hasTokenizer: false,
    source: entry.source,
    compiledAt: null,
    quantization: null,
    status: 'unavailable',
    problem,
  };
}
