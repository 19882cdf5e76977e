/**
 * `laser compile <hf-dir> <bundle-dir> [--dtype fp32|fp16] [--image-mode pad|crop] [--min-pixels n]
 * [--max-pixels n]`: compiles a Hugging Face checkpoint of any registered family (LLaVA-1.5,
 * Qwen2-VL, Qwen2.5-VL) into a bundle (src/engine/compiler/compile.ts), with a progress bar
 * on stderr: tensors written, bytes written of the total, MB/s. Ctrl-C cancels and leaves nothing.
 * The bundle is then registered through the workbench's `models.add` (src/cli/workbench.ts), so the
 * app and serve mode on the same data folder list it.
 */
import { InvalidArgumentError, type Command } from 'commander';
import type { CompileProgress } from '../../engine/compiler/compile.ts';
import { SUPPORTED_MODEL_TYPES } from '../../engine/families/registry.ts';
import { addDataDirOption, addPixelOptions, pixelBounds } from '../model-options.ts';
import { withCliWorkbench } from '../workbench.ts';

export interface CompileFlags {
  dtype: 'fp32' | 'fp16';
  imageMode: 'pad' | 'crop';
  minPixels?: number;
  maxPixels?: number;
  dataDir?: string;
}

function oneOf<T extends string>(values: readonly T[]) {
  return (value: string): T => {
    if (!(values as readonly string[]).includes(value)) throw new InvalidArgumentError(`Use ${values.join(' or ')}.`);
    return value as T;
  };
}

function mb(bytes: number): string {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : `${(bytes / 1e6).toFixed(1)} MB`;
}

/** One progress line: `weights [#####-----] 120/291 tensors  1.20 GB / 2.40 GB  310 MB/s`. */
export function progressLine(p: CompileProgress, seconds: number, width = 24): string {
  const frac = p.bytesTotal > 0 ? Math.min(1, p.bytesDone / p.bytesTotal) : 1;
  const filled = Math.round(frac * width);
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
  const rate = seconds > 0 ? `${(p.bytesDone / 1e6 / seconds).toFixed(0)} MB/s` : '';
  const count = p.phase === 'weights' ? `${p.tensorsDone}/${p.tensorsTotal} tensors  ` : '';
  return `${p.phase.padEnd(7)} ${bar} ${count}${mb(p.bytesDone)} / ${mb(p.bytesTotal)}  ${rate}`.trimEnd();
}

/** Where the command reports: stderr, or a stand-in in tests. */
export interface Out {
  write(s: string): unknown;
  isTTY?: boolean;
}

/** A redrawn line on a terminal; on a pipe, one line per phase when it starts and ends. */
function progressPrinter(stream: Out): { update(p: CompileProgress): void; end(): void } {
  let phase = '';
  let started = Date.now();
  let last = 0;
  let pending: CompileProgress | null = null;
  const draw = (p: CompileProgress) => {
    const line = progressLine(p, (Date.now() - started) / 1000);
    if (stream.isTTY) stream.write(`\r${line}\x1b[K`);
    else stream.write(`${line}\n`);
  };
  return {
    update(p) {
      if (p.phase !== phase) {
        if (pending && stream.isTTY) {
          draw(pending);
          stream.write('\n');
        } else if (pending) draw(pending);
        phase = p.phase;
        started = Date.now();
        pending = p;
        draw(p);
        return;
      }
      pending = p;
      const now = Date.now();
      if (stream.isTTY && now - last > 100) {
        last = now;
        draw(p);
      }
    },
    end() {
      if (pending) draw(pending);
      if (pending && stream.isTTY) stream.write('\n');
      pending = null;
    },
  };
}

export async function runCompileCommand(hfDir: string, bundleDir: string, flags: CompileFlags, out: Out = process.stderr): Promise<void> {
  const { compileBundle } = await import('../../engine/compiler/compile.ts');
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  const printer = progressPrinter(out);
  const t0 = Date.now();
  try {
    const r = await compileBundle(hfDir, bundleDir, { dtype: flags.dtype, imageMode: flags.imageMode, ...pixelBounds(flags), onProgress: (p) => printer.update(p), signal: controller.signal });
    printer.end();
    const s = (Date.now() - t0) / 1000;
    const m = r.manifest;
    out.write(
      `wrote ${r.dir}: ${m.architecture} ${m.dtype}, ${m.text.layers} layers, vocab ${m.text.vocab}, ${m.architecture === 'llava' ? `${m.vision.tokensPerImage} tokens/image` : 'tokens per image by its size'}, ` +
        `${r.tensors} tensors (${mb(r.weightBytes)}) in ${s.toFixed(1)} s` +
        `${m.tokenizer ? '' : ' (no tokenizer in the checkpoint)'}\n`,
    );
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
    .option('--dtype <dtype>', 'weight type in the graphs: fp32 or fp16 (graph inputs/outputs stay float32)', oneOf(['fp32', 'fp16'] as const), 'fp32')
    .option('--image-mode <mode>', 'LLaVA: preprocessing to record: pad (original LLaVA-1.5, as trained) or crop (llava-hf processor)', oneOf(['pad', 'crop'] as const), 'pad');
  addDataDirOption(addPixelOptions(cmd, 'bundle'))
    .action(async (hfDir: string, bundleDir: string, flags: CompileFlags) => runCompileCommand(hfDir, bundleDir, flags, out));
}
