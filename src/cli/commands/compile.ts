/**
 * `laser compile <hf-dir> <bundle-dir> [--dtype fp32|fp16|int8|int4] [--block-size 32|64|128]
 * [--asymmetric] [--accuracy-level 0|4] [--[no-]quantize-lm-head] [--[no-]quantize-embeddings]
 * [--[no-]quantize-vision] [--image-mode pad|crop] [--min-pixels n] [--max-pixels n]`: compiles a
 * Hugging Face checkpoint of any registered family (LLaVA-1.5, Qwen2-VL, Qwen2.5-VL) into a bundle
 * (src/engine/compiler/compile.ts), with the CLI's progress display on stderr (../progress.ts: a bar
 * per stage with bytes written of the total, MB/s, ETA and the tensors written; lines on a pipe;
 * --json, --quiet). Ctrl-C cancels and leaves nothing.
 * The bundle is then registered through the workbench's `models.add` (src/cli/workbench.ts), so the
 * app and serve mode on the same data folder list it. The flags are the contract's
 * CompileOptionsRequest (`compileOptionsOf`), which `models.add` takes for a checkpoint, so the app
 * compiles with the same options and checks.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { WorkbenchError } from '../../common/contract/errors.ts';
import { fixedImageGrid } from '../../engine/bundle/manifest.ts';
import { CompileOptionsRequest } from '../../common/contract/methods.ts';
import { QUANT_ACCURACY_LEVELS, QUANT_BLOCK_SIZES, QUANT_DEFAULTS } from '../../common/compile-options.ts';
import { familyForArchitecture, SUPPORTED_MODEL_TYPES } from '../../engine/families/registry.ts';
import { addDataDirOption, addPixelOptions, pixelBounds } from '../model-options.ts';
import { addProgressOptions, compileProgressDisplay, formatBytes, type ProgressFlags } from '../progress.ts';
import { withCliWorkbench } from '../workbench.ts';

const BLOCK_SIZES = QUANT_BLOCK_SIZES.map(String) as ['32', '64', '128'];
const ACCURACY_LEVELS = QUANT_ACCURACY_LEVELS.map(String) as ['0', '4'];

export interface CompileFlags extends ProgressFlags {
  dtype: 'fp32' | 'fp16' | 'int8' | 'int4';
  imageMode: 'pad' | 'crop';
  blockSize?: (typeof BLOCK_SIZES)[number];
  accuracyLevel?: (typeof ACCURACY_LEVELS)[number];
  asymmetric?: boolean;
  quantizeLmHead?: boolean;
  quantizeEmbeddings?: boolean;
  quantizeVision?: boolean;
  minPixels?: number;
  maxPixels?: number;
  dataDir?: string;
}

/**
 * The flags as the contract's CompileOptionsRequest: the options `models.add` takes, so the app
 * compiles with the same choices. Quantisation flags with a float --dtype are refused naming the flags.
 */
export function compileOptionsOf(flags: CompileFlags): CompileOptionsRequest {
  const given = [
    ['--block-size', flags.blockSize],
    ['--asymmetric', flags.asymmetric],
    ['--accuracy-level', flags.accuracyLevel],
    ['--[no-]quantize-lm-head', flags.quantizeLmHead],
    ['--[no-]quantize-embeddings', flags.quantizeEmbeddings],
    ['--[no-]quantize-vision', flags.quantizeVision],
  ].filter(([, v]) => v !== undefined);
  const quantized = flags.dtype === 'int8' || flags.dtype === 'int4';
  if (!quantized && given.length) {
    throw new WorkbenchError(
      'bad-request',
      `${given.map(([f]) => f).join(', ')} only apply to --dtype int8 or int4, not ${flags.dtype}`,
      'Add --dtype int8 or --dtype int4, or drop the quantisation flags.',
    );
  }
  const request: CompileOptionsRequest = {
    dtype: flags.dtype,
    imageMode: flags.imageMode,
    ...pixelBounds(flags),
    ...(quantized
      ? {
          quantize: {
            ...(flags.blockSize === undefined ? {} : { blockSize: Number(flags.blockSize) as 32 | 64 | 128 }),
            ...(flags.asymmetric === undefined ? {} : { symmetric: !flags.asymmetric }),
            ...(flags.accuracyLevel === undefined ? {} : { accuracyLevel: Number(flags.accuracyLevel) as 0 | 4 }),
            ...(flags.quantizeLmHead === undefined ? {} : { lmHead: flags.quantizeLmHead }),
            ...(flags.quantizeEmbeddings === undefined ? {} : { embeddings: flags.quantizeEmbeddings }),
            ...(flags.quantizeVision === undefined ? {} : { vision: flags.quantizeVision }),
          },
        }
      : {}),
  };
  // The contract's own checks (e.g. --min-pixels above --max-pixels), as models.add applies them.
  const parsed = CompileOptionsRequest.safeParse(request);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new WorkbenchError('bad-request', `${issue.path.join('.') || 'options'}: ${issue.message}.`, 'Check the compile flags (laser compile --help).');
  }
  return parsed.data;
}

function oneOf<T extends string>(values: readonly T[]) {
  return (value: string): T => {
    if (!(values as readonly string[]).includes(value)) throw new InvalidArgumentError(`Use ${values.join(' or ')}.`);
    return value as T;
  };
}

/** Where the command reports: stderr, or a stand-in in tests. */
export interface Out {
  write(s: string): unknown;
  isTTY?: boolean;
}

export async function runCompileCommand(hfDir: string, bundleDir: string, flags: CompileFlags, out: Out = process.stderr): Promise<void> {
  const { compileBundle } = await import('../../engine/compiler/compile.ts');
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  const printer = compileProgressDisplay(out, flags);
  const t0 = Date.now();
  try {
    const options = compileOptionsOf(flags);
    const r = await compileBundle(hfDir, bundleDir, { ...options, onProgress: (p) => printer.update(p), signal: controller.signal });
    printer.end();
    const s = (Date.now() - t0) / 1000;
    const m = r.manifest;
    const q = m.quantization;
    const dtype = q ? `${m.dtype} (block ${q.blockSize}, ${q.symmetric ? 'symmetric' : 'asymmetric'}, ${q.tensors.length} tensors quantised)` : m.dtype;
    out.write(
      `wrote ${r.dir}: ${m.architecture} ${dtype}, ${m.text.layers} layers, vocab ${m.text.vocab}, ${fixedImageGrid(m) ? `${fixedImageGrid(m)!.tokensPerImage} tokens/image` : 'tokens per image by its size'}, ` +
        `${r.tensors} tensors (${formatBytes(r.weightBytes)}) in ${s.toFixed(1)} s` +
        `${m.tokenizer ? '' : ' (no tokenizer in the checkpoint)'}\n`,
    );
    if (m.tokenizer && m.chatTemplate === null) {
      const family = familyForArchitecture(m.architecture);
      out.write(
        `note: the checkpoint has no chat template, so runs will use the default conversation format of the ${family.label} family (${family.fallbackTemplate}); add the model's chat_template.json (or .jinja) and compile again to use its own.\n`,
      );
    }
    const id = await withCliWorkbench({ dataDir: flags.dataDir, note: (l) => out.write(`${l}\n`) }, async (cli) => {
      const model = await cli.call('models.add', { path: r.dir });
      return `${model.id} in ${cli.dataDir}`;
    });
    out.write(`registered as model ${id}\n`);
  } finally {
    printer.end();
    process.removeListener('SIGINT', onSigint);
  }
}

export function registerCompile(program: Command, out: Out = process.stderr): void {
  const cmd = program
    .command('compile')
    .description(`Compile a Hugging Face checkpoint folder (config.json + safetensors; ${SUPPORTED_MODEL_TYPES.join(', ')}) into a bundle of ONNX graphs`)
    .argument('<hf-dir>', 'checkpoint folder: config.json, *.safetensors, optionally tokenizer and preprocessor files')
    .argument('<bundle-dir>', 'output folder (created; an earlier bundle there is replaced only when the compile succeeds)')
    .option(
      '--dtype <dtype>',
      "weight type in the graphs: fp32, fp16, or int8 / int4 (weight-only, MatMulNBits: the decoder's Linear layers and what the --quantize-* flags add; the rest stays fp32); graph inputs/outputs stay float32",
      oneOf(['fp32', 'fp16', 'int8', 'int4'] as const),
      'fp32',
    )
    .option(
      '--block-size <n>',
      `int8/int4: weights per quantisation block along the input features: ${BLOCK_SIZES.join(', ')} (default ${QUANT_DEFAULTS.blockSize})`,
      oneOf(BLOCK_SIZES),
    )
    .option('--asymmetric', 'int8/int4: a zero point per block (min..max range) instead of symmetric blocks (default symmetric)')
    .option(
      '--accuracy-level <n>',
      `int8/int4: MatMulNBits accuracy_level, 0 (float32 activations, exact to the dequantised weights, slow for int8 on CPU) or 4 (int8 activations per block; default ${QUANT_DEFAULTS.accuracyLevel})`,
      oneOf(ACCURACY_LEVELS),
    )
    .option('--quantize-lm-head', `int8/int4: quantise lm_head too (default ${QUANT_DEFAULTS.lmHead ? 'on' : 'off'})`)
    .option('--no-quantize-lm-head', 'int8/int4: keep lm_head float32')
    .option('--quantize-embeddings', `int8/int4: quantise embed_tokens (GatherBlockQuantized; default ${QUANT_DEFAULTS.embeddings ? 'on' : 'off'})`)
    .option('--no-quantize-embeddings', 'int8/int4: keep embed_tokens float32')
    .option('--quantize-vision', `int8/int4: quantise the vision tower's and projector's Linear layers too (default ${QUANT_DEFAULTS.vision ? 'on' : 'off'})`)
    .option('--no-quantize-vision', 'int8/int4: keep the vision tower float32')
    .option(
      '--image-mode <mode>',
      'LLaVA: preprocessing to record: pad (original LLaVA-1.5, as trained) or crop (llava-hf processor)',
      oneOf(['pad', 'crop'] as const),
      'pad',
    );
  addProgressOptions(addDataDirOption(addPixelOptions(cmd, 'bundle'))).action(async (hfDir: string, bundleDir: string, flags: CompileFlags) =>
    runCompileCommand(hfDir, bundleDir, flags, out),
  );
}
