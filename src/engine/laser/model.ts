/**
 * A bundle opened for LASER: what every method needs besides the graphs (manifest, bundle id,
 * tokenizer, chat template, image preprocessing, patch grid), with the onnxruntime sessions created
 * only when a run actually needs the model. A cached record can then be returned without loading a
 * single graph.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WorkbenchError } from '../../common/contract/errors.ts';
import { fixedImageGrid, type BundleManifest } from '../bundle/manifest.ts';
import { openBundle, type OpenedBundle } from '../bundle/open-bundle.ts';
import { familyForArchitecture } from '../families/registry.ts';
import { parseClipProcessorConfig, parseQwen2VLProcessorConfig } from '../preprocess/config.ts';
import type { ModelRuntime, RuntimeOptions } from '../runtime/model-runtime.ts';
import { openRuntimeBundle } from '../runtime/open.ts';
import { loadChatTemplate, type ChatTemplate } from '../tokenizer/chat-template.ts';
import { REQUIRED_TOKENIZER_FILES } from '../tokenizer/files.ts';
import { loadTokenizer, type TextTokenizer } from '../tokenizer/load.ts';
import type { ViewProcessor } from './views.ts';

/** The model facts a run's knobs are checked against and its record states. */
export interface ModelFacts {
  layers: number;
  heads: number;
  /** The vision input side in pixels (LLaVA-1.5: 336); null for a native-resolution model (Qwen2-VL), whose side follows each image. */
  imageSize: number | null;
}

/** The bundle's image preprocessing as views.ts applies it to every view. */
export function viewProcessorOf(m: BundleManifest, source: string): ViewProcessor {
  const p = m.preprocessing;
  if (p.mode === 'smart-resize') return { kind: 'native-resolution', config: parseQwen2VLProcessorConfig(p.config, source) };
  const fixed = fixedImageGrid(m);
  if (fixed === null)
    throw new WorkbenchError(
      'invalid-bundle',
      `${source}: ${p.mode} preprocessing needs a fixed image grid, and the manifest has none.`,
      'Recompile the bundle with `laser compile`.',
    );
  return {
    kind: 'fixed-grid',
    config: parseClipProcessorConfig(p.config, source),
    mode: p.mode,
    grid: { gh: fixed.grid[0], gw: fixed.grid[1] },
    tokensPerImage: fixed.tokensPerImage,
  };
}

export class LaserModel {
  private runtimePromise: Promise<ModelRuntime> | null = null;

  private constructor(
    readonly bundle: OpenedBundle,
    /** sha256 of manifest.json's bytes: names the exact graphs, weights and settings (records are cached under it). */
    readonly bundleId: string,
    readonly tokenizer: TextTokenizer,
    readonly template: ChatTemplate,
    readonly processor: ViewProcessor,
    private readonly runtimeOptions: RuntimeOptions,
  ) {}

  /** Opens `dir` (manifest, tokenizer, chat template); refuses a bundle without tokenizer files. */
  static async open(dir: string, runtimeOptions: RuntimeOptions = {}): Promise<LaserModel> {
    const bundle = await openBundle(dir);
    const bundleId = createHash('sha256')
      .update(await readFile(join(bundle.dir, 'manifest.json')))
      .digest('hex');
    if (bundle.tokenizerDir === null) {
      throw new WorkbenchError(
        'missing-tokenizer',
        `${dir} has no tokenizer files (${REQUIRED_TOKENIZER_FILES.join(', ')}), so questions cannot be turned into tokens.`,
        `Add ${REQUIRED_TOKENIZER_FILES.join(' and ')} (and chat_template.json) from the Hugging Face model to the checkpoint folder, then compile it again with \`laser compile\`.`,
      );
    }
    const tokenizer = await loadTokenizer(bundle.tokenizerDir);
    let template = await loadChatTemplate(bundle.tokenizerDir, tokenizer.config, familyForArchitecture(bundle.manifest.architecture).fallbackTemplate);
    if (template.isFallback && bundle.manifest.chatTemplate !== null) {
      template = { text: bundle.manifest.chatTemplate, source: 'tokenizer_config.json', isFallback: false };
    }
    const processor = viewProcessorOf(bundle.manifest, join(bundle.dir, 'manifest.json (preprocessing.config)'));
    return new LaserModel(bundle, bundleId, tokenizer, template, processor, runtimeOptions);
  }

  get dir(): string {
    return this.bundle.dir;
  }

  get manifest(): BundleManifest {
    return this.bundle.manifest;
  }

  get facts(): ModelFacts {
    const m = this.manifest;
    return { layers: m.text.layers, heads: m.text.heads, imageSize: fixedImageGrid(m)?.imageSize ?? null };
  }

  /** Image tokens before the grid in each image's run: 1 (CLS) for LLaVA's 'full' strategy, else 0. */
  get gridOffset(): number {
    const p = this.processor;
    return p.kind === 'fixed-grid' ? p.tokensPerImage - p.grid.gh * p.grid.gw : 0;
  }

  get imageTokenId(): number {
    return this.manifest.imageTokenId;
  }

  /** Generation stops on the bundle's and the tokenizer's EOS ids. */
  get eosIds(): number[] {
    return [...new Set([...this.manifest.eosTokenIds, ...this.tokenizer.eosIds])];
  }

  /** The onnxruntime sessions, created on first use and shared afterwards. */
  runtime(): Promise<ModelRuntime> {
    if (this.runtimePromise === null) {
      // openRuntimeBundle also checks the graphs against the manifest.
      this.runtimePromise = openRuntimeBundle(this.bundle.dir, this.runtimeOptions).then((o) => o.runtime);
      this.runtimePromise.catch(() => {
        this.runtimePromise = null;
      });
    }
    return this.runtimePromise;
  }

  /** Whether the sessions have been created (a cached record needs none). */
  get loaded(): boolean {
    return this.runtimePromise !== null;
  }

  async dispose(): Promise<void> {
    const p = this.runtimePromise;
    this.runtimePromise = null;
    if (p !== null) await (await p).dispose();
  }
}
