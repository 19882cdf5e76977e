/**
 * One call from a checkpoint folder to what the compiler and the reference model need: the typed
 * config and the weights under canonical names, checked against each other before anything is
 * read. See tensors.ts for the naming.
 */
import { openCheckpoint, type Checkpoint } from '../../checkpoint/checkpoint.ts';
import { readModelConfig, type LlavaConfig } from '../../checkpoint/hf-config.ts';
import { canonicalLlavaView, checkShapes } from './tensors.ts';

export interface LlavaCheckpoint {
  config: LlavaConfig;
  /** Canonical names (transformers 4.45 layout) whatever the layout on disk. Close it when done. */
  weights: Checkpoint;
}

/** Parses config.json, opens the weights and checks every expected tensor's presence, dtype and shape. */
export async function openLlavaCheckpoint(dir: string): Promise<LlavaCheckpoint> {
  const config = await readModelConfig(dir);
  const raw = await openCheckpoint(dir);
  try {
    const weights = canonicalLlavaView(raw);
    checkShapes(config, weights);
    return { config, weights };
  } catch (e) {
    await raw.close();
    throw e;
  }
}
