/**
 * `laser compile`: a Hugging Face checkpoint folder of any family in the registry
 * (src/engine/families) → a bundle folder (docs/bundle-format.md).
 *
 * Everything that can be checked without writing is checked first (config, weight names and shapes,
 * preprocessing, the target folder). The bundle is then written into `<bundle>.partial-<random>` and
 * renamed into place only when complete; an existing bundle there is replaced only on success, and
 * any failure (or cancellation) removes the partial folder. So a folder at `<bundle>` is always a
 * complete bundle. A lock beside the target (`<bundle>.lock`, target-lock.ts) keeps a second compile
 * of the same folder off it, and taking it clears what a killed compile left (`.partial-*`).
 */
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, readFile, rename, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { cancelledError, isWorkbenchError, WorkbenchError } from '../../common/contract/errors.ts';
import type { CompileProgress as ContractCompileProgress } from '../../common/contract/methods.ts';
import { indexFileName, type Checkpoint } from '../checkpoint/checkpoint.ts';
import { BUNDLE_FORMAT, BUNDLE_FORMAT_VERSION, COMPILER_VERSION, type BundleManifest, type ModelSection } from '../bundle/manifest.ts';
import { openFamilyCheckpoint } from '../families/registry.ts';
import { saveModel, type SavedModel } from '../onnx/save.ts';
import { renderChatPrompt } from '../tokenizer/chat-template.ts';
import { loadTokenizer } from '../tokenizer/load.ts';
import { ensureWritableDir } from '../library/writable.ts';
import { acquireTargetLock } from './target-lock.ts';
import { PREPROCESSOR_FILE } from '../checkpoint/optional-json.ts';
import { fileSize, readChatTemplate, readGenerationIds, sha256File, tokenizerFiles } from './sources.ts';
import type { QuantContext } from './nn.ts';
import { QUANT_ACCURACY_LEVELS, QUANT_BLOCK_SIZES, QUANT_DEFAULTS, type QuantizeOptions } from '../../common/compile-options.ts';
import { Weights, type BundleDtype } from './weights.ts';

export type { QuantizeOptions } from '../../common/compile-options.ts';

/**
 * The compiler's progress event is the contract's CompileProgress (src/common/contract/methods.ts):
 * `stage` 'weights' counts tensors written so far of all three graphs and their bytes; 'hashing'
 * bytes hashed so far of the stage's total.
 */
export type CompileProgress = ContractCompileProgress;

export interface CompileOptions {
  /** Weight type in the graphs (default fp32): fp32, fp16, or weight-only int8 / int4. Graph I/O is float32 either way. */
  dtype?: BundleDtype;
  /** With dtype int8/int4: block size, zero points and which tensors besides the decoder's Linear layers. */
  quantize?: QuantizeOptions;
  /** LLaVA: image preprocessing recorded for the runtime (default 'pad', as LLaVA-1.5 was trained). */
  imageMode?: 'pad' | 'crop';
  /** Qwen2-VL: smart_resize pixel bounds recorded for the runtime (default: the checkpoint's). */
  minPixels?: number;
  maxPixels?: number;
  /** Emit attn_last (default true). false exists only to measure what the taps cost. */
  taps?: boolean;
  onProgress?: (p: CompileProgress) => void;
  signal?: AbortSignal;
}

export interface CompileResult {
  dir: string;
  manifest: BundleManifest;
  /** Bytes of weights written (all three .data files, without alignment padding). */
  weightBytes: number;
  tensors: number;
}

const GRAPH_FILES = { vision: 'vision.onnx', embed: 'embed.onnx', decoder: 'decoder.onnx' } as const;
const DECODER_ATTENTION_FILE = 'decoder-attention.onnx';

async function isDir(p: string): Promise<boolean> {
  return (await stat(p).catch(() => null))?.isDirectory() ?? false;
}

/** The target may be absent, an empty folder, or an earlier bundle; anything else is refused. */
async function checkTarget(bundleDir: string, hfDir: string): Promise<void> {
  const st = await stat(bundleDir).catch(() => null);
  if (!st) return;
  const refuse = (why: string) =>
    new WorkbenchError('bad-request', `${bundleDir} ${why}; refusing to replace it`, 'Choose a new folder for the bundle, or remove that one yourself.');
  if (!st.isDirectory()) throw refuse('exists and is not a folder');
  if (resolve(bundleDir) === resolve(hfDir)) throw refuse('is the checkpoint folder itself');
  if ((await readdir(bundleDir)).length === 0) return;
  let format: unknown;
  try {
    format = (JSON.parse(await readFile(join(bundleDir, 'manifest.json'), 'utf8')) as { format?: unknown }).format;
  } catch {
    format = undefined;
  }
  if (format !== BUNDLE_FORMAT) throw refuse('exists and is not a LASER bundle');
}

/** Moves the finished `partial` folder to `target`, replacing an earlier bundle only now. */
async function moveIntoPlace(partial: string, target: string): Promise<void> {
  if (!(await isDir(target))) {
    await rename(partial, target);
    return;
  }
  const old = `${target}.old-${randomBytes(4).toString('hex')}`;
  await rename(target, old);
  try {
    await rename(partial, target);
  } catch (e) {
    await rename(old, target);
    throw e;
  }
  await rm(old, { recursive: true, force: true });
}

/** The checkpoint's own files this compile reads: config, weights (and index), optional extras. */
async function sourceFiles(hfDir: string, ckpt: Checkpoint, tokenizer: string[]): Promise<string[]> {
  const names = new Set<string>(['config.json']);
  for (const t of ckpt.names()) names.add(relative(hfDir, ckpt.info(t).file));
  for (const f of [indexFileName, PREPROCESSOR_FILE, 'generation_config.json', ...tokenizer]) if ((await fileSize(join(hfDir, f))) !== null) names.add(f);
  return [...names].sort();
}

/** The quantisation to apply for `dtype` (null for float bundles), checked. */
export function quantContext(dtype: BundleDtype, opts: QuantizeOptions = {}): QuantContext | null {
  if (dtype !== 'int8' && dtype !== 'int4') return null;
  const o = { ...QUANT_DEFAULTS, ...Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) } as Required<QuantizeOptions>;
  if (!(QUANT_BLOCK_SIZES as readonly number[]).includes(o.blockSize)) {
    throw new WorkbenchError('bad-request', `block size ${o.blockSize} is not supported`, `Use one of ${QUANT_BLOCK_SIZES.join(', ')}.`);
  }
  if (!(QUANT_ACCURACY_LEVELS as readonly number[]).includes(o.accuracyLevel))
    throw new WorkbenchError('bad-request', `accuracy level ${o.accuracyLevel} is not supported`, 'Use 0 (float32 activations) or 4 (int8 activations).');
  return {
    scheme: { bits: dtype === 'int8' ? 8 : 4, blockSize: o.blockSize, symmetric: o.symmetric },
    accuracyLevel: o.accuracyLevel,
    lmHead: o.lmHead,
    embeddings: o.embeddings,
    vision: o.vision,
    tensors: new Set<string>(),
  };
}

function quantizationSection(q: QuantContext): NonNullable<BundleManifest['quantization']> {
  return {
    method: 'MatMulNBits',
    bits: q.scheme.bits,
    blockSize: q.scheme.blockSize as 32 | 64 | 128,
    symmetric: q.scheme.symmetric,
    accuracyLevel: q.accuracyLevel as 0 | 4,
    lmHead: q.lmHead,
    embeddings: q.embeddings,
    vision: q.vision,
    tensors: [...q.tensors].sort(),
  };
}

function manifestFor(
  model: ModelSection,
  parts: {
    dtype: BundleDtype;
    quant: QuantContext | null;
    taps: boolean;
    chatTemplate: string | null;
    tokenizer: string[];
    ids: Awaited<ReturnType<typeof readGenerationIds>>;
    sourceName: string;
    modelType: string;
    files: BundleManifest['source']['files'];
  },
): BundleManifest {
  const common = {
    format: BUNDLE_FORMAT,
    formatVersion: BUNDLE_FORMAT_VERSION,
    compilerVersion: COMPILER_VERSION,
    createdAt: new Date().toISOString(),
    dtype: parts.dtype,
    taps: parts.taps,
    bosTokenId: parts.ids.bosTokenId,
    eosTokenIds: parts.ids.eosTokenIds,
    padTokenId: parts.ids.padTokenId,
    chatTemplate: parts.chatTemplate,
    tokenizer: parts.tokenizer.length ? { dir: 'tokenizer' as const, files: parts.tokenizer } : null,
    source: { name: parts.sourceName, modelType: parts.modelType, files: parts.files },
    graphs: { ...GRAPH_FILES, decoderAttention: DECODER_ATTENTION_FILE },
    ...(parts.quant ? { quantization: quantizationSection(parts.quant) } : {}),
  } as const;
  return model.architecture === 'llava' ? { ...common, ...model } : { ...common, ...model, formatVersion: BUNDLE_FORMAT_VERSION };
}

/**
 * The tokenizer and chat template a bundle will carry, loaded and tried now: a corrupt
 * tokenizer.json or a template that does not parse would otherwise compile fine and fail only at
 * the first question.
 */
async function checkTokenizer(hfDir: string, chatTemplate: string | null): Promise<void> {
  const asCheckpointError = (e: unknown) => (isWorkbenchError(e) && e.code !== 'internal' ? new WorkbenchError('invalid-checkpoint', e.message, e.hint) : e);
  const tok = await loadTokenizer(hfDir).catch((e: unknown) => {
    throw asCheckpointError(e);
  });
  if (chatTemplate === null) return;
  try {
    renderChatPrompt(chatTemplate, [{ role: 'user', content: [{ type: 'image' }, { type: 'text', text: 'What is in the image?' }] }], {
      addGenerationPrompt: true,
      specialTokens: tok.specialTokens,
    });
  } catch (e) {
    const reason = isWorkbenchError(e) ? e.message : String(e);
    throw new WorkbenchError(
      'invalid-checkpoint',
      `${hfDir}: the chat template cannot render a question about an image (${reason})`,
      'Copy chat_template.json (or tokenizer_config.json) again from the Hugging Face checkpoint.',
    );
  }
}

export async function compileBundle(hfDir: string, bundleDir: string, opts: CompileOptions = {}): Promise<CompileResult> {
  const src = await stat(hfDir).catch(() => null);
  if (!src) throw new WorkbenchError('not-found', `${hfDir}: no such folder`, 'Pass the Hugging Face checkpoint folder (config.json + *.safetensors).');
  if (!src.isDirectory()) throw new WorkbenchError('not-a-directory', `${hfDir} is not a folder`, 'Pass the checkpoint folder, not a file inside it.');
  // Creates the parent and proves it writable before the lock and the long write.
  await ensureWritableDir(dirname(resolve(bundleDir)), 'the bundle folder');
  // Fails at once, naming the holder, when another compile writes this target.
  const lock = await acquireTargetLock(bundleDir);
  try {
    return await compileLocked(hfDir, bundleDir, opts);
  } finally {
    await lock.release();
  }
}

async function compileLocked(hfDir: string, bundleDir: string, opts: CompileOptions): Promise<CompileResult> {
  const dtype = opts.dtype ?? 'fp32';
  const quant = quantContext(dtype, opts.quantize);
  const taps = opts.taps ?? true;
  const signal = opts.signal;
  // Parses config.json through the family registry and opens the weights under canonical names.
  const { family, checkpoint } = await openFamilyCheckpoint(hfDir);
  const ckpt = checkpoint.weights;
  let partial: string | null = null;
  try {
    // Everything else checkable before writing: the graphs' structure (every weight's presence,
    // float type and shape), the preprocessing, the extras, the target.
    const graphs = checkpoint.buildGraphs(new Weights(ckpt, hfDir, checkpoint.sizeFields), { dtype: dtype === 'fp16' ? 'fp16' : 'fp32', quant, taps });
    const model = await checkpoint.manifestSection(hfDir, { imageMode: opts.imageMode, minPixels: opts.minPixels, maxPixels: opts.maxPixels });
    const chatTemplate = await readChatTemplate(hfDir);
    const tokenizer = await tokenizerFiles(hfDir);
    if (tokenizer.length) await checkTokenizer(hfDir, chatTemplate);
    const ids = await readGenerationIds(hfDir, checkpoint.ids);
    await checkTarget(bundleDir, hfDir);

    partial = `${bundleDir.replace(/[\\/]+$/, '')}.partial-${randomBytes(4).toString('hex')}`;
    await mkdir(partial);

    const all = [graphs.vision, graphs.embed, graphs.decoder]; // decoderAttention writes no weights of its own
    const progress: CompileProgress = {
      stage: 'weights',
      tensorsDone: 0,
      tensorsTotal: all.reduce((n, g) => n + g.initializers.length, 0),
      bytesDone: 0,
      bytesTotal: all.reduce((n, g) => n + g.weightBytes, 0),
    };
    opts.onProgress?.({ ...progress });
    const onTensor = ({ bytes }: { bytes: number }) => {
      progress.tensorsDone++;
      progress.bytesDone += bytes;
      opts.onProgress?.({ ...progress });
    };
    const saved: Partial<Record<keyof typeof GRAPH_FILES, SavedModel>> = {};
    for (const [key, file] of Object.entries(GRAPH_FILES) as [keyof typeof GRAPH_FILES, string][]) {
      saved[key] = await saveModel(graphs[key], partial, file, {
        producerVersion: COMPILER_VERSION,
        docString: `LASER bundle ${key} graph (${family.architecture}, ${dtype}${quant ? ` block ${quant.scheme.blockSize}` : ''})`,
        onTensor,
        signal,
      });
    }
    await saveModel(graphs.decoderAttention, partial, DECODER_ATTENTION_FILE, {
      producerVersion: COMPILER_VERSION,
      docString: `LASER bundle decoder with full attention of one layer (${family.architecture}, ${dtype})`,
      sharedWeights: saved.decoder!.weights,
    });
    const weightBytes = progress.bytesDone;

    if (tokenizer.length) {
      await mkdir(join(partial, 'tokenizer'));
      for (const f of tokenizer) await copyFile(join(hfDir, f), join(partial, 'tokenizer', f));
    }

    const names = await sourceFiles(hfDir, ckpt, tokenizer);
    const sizes = await Promise.all(names.map(async (n) => (await fileSize(join(hfDir, n))) ?? 0));
    const hashing: CompileProgress = {
      stage: 'hashing',
      tensorsDone: progress.tensorsDone,
      tensorsTotal: progress.tensorsTotal,
      bytesDone: 0,
      bytesTotal: sizes.reduce((a, b) => a + b, 0),
    };
    opts.onProgress?.({ ...hashing });
    const files: BundleManifest['source']['files'] = [];
    for (const [i, name] of names.entries()) {
      const sha256 = await sha256File(
        join(hfDir, name),
        (n) => {
          hashing.bytesDone += n;
          opts.onProgress?.({ ...hashing });
        },
        signal,
      );
      files.push({ name, bytes: sizes[i] ?? 0, sha256 });
    }

    const manifest = manifestFor(model, {
      dtype,
      quant,
      taps,
      chatTemplate,
      tokenizer,
      ids,
      sourceName: basename(resolve(hfDir)),
      modelType: checkpoint.modelType,
      files,
    });
    await writeFile(join(partial, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    if (signal?.aborted) throw cancelledError();
    await moveIntoPlace(partial, bundleDir);
    partial = null;
    return { dir: bundleDir, manifest, weightBytes, tensors: progress.tensorsDone };
  } finally {
    await ckpt.close();
    if (partial !== null) await rm(partial, { recursive: true, force: true });
  }
}
