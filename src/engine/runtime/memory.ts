/**
 * What an fp16 bundle costs on the CPU, and the refusal when that does not fit.
 *
 * ONNX Runtime's CPU provider has no float16 MatMul on x86 (MLAS has half-precision GEMM only on
 * ARM64). Loading a graph whose MatMul takes float16 weights, ORT's InsertCastTransformer wraps that
 * MatMul in Casts to float32, and constant folding then turns each `Cast(weight)` into a float32
 * initializer: every fp16 matrix is held as float32, 4 bytes per parameter, twice the bundle's size.
 * Measured (src/engine/runtime/README.md): one graph of 268 MB of fp16 weights takes +564 MB at
 * session creation, the same as its fp32 twin (without folding, the Casts run every call and take
 * more: +866 MB); a 0.54B LLaVA's fp16 bundle (1.08 GB) peaks at 2.52 GB RSS in `laser forward`,
 * above its fp32 bundle's 2.24 GB, with logits bit-identical to fp32. So a 7B fp16 bundle needs
 * ~28 GB on a CPU, which is why it is killed on a 24 GB machine, while int4 holds it in ~5 GB.
 *
 * The embedding table is the exception (Gather has a float16 kernel; embed.onnx casts the rows it
 * gathers), so it stays at 2 bytes per parameter.
 */
import { readFileSync } from 'node:fs';
import { totalmem } from 'node:os';

export interface Fp16WeightBytes {
  /** decoder.onnx.data (decoder-attention.onnx reads the same file) */
  decoder: number;
  vision: number;
  embed: number;
}

/** Bytes an fp16 bundle holds on the CPU provider: its matrices widened to float32, the embedding table as is. */
export function fp16CpuBytes(w: Fp16WeightBytes): number {
  return 2 * (w.decoder + w.vision) + w.embed;
}

/**
 * Weight bytes of the same model compiled `--dtype int4` / `int8` with the defaults (decoder and
 * embedding matrices quantised with block 32: codes + a float32 scale per 32; the vision tower
 * float32), estimated from the fp16 bundle's sizes (2 bytes per parameter).
 */
export function quantizedEstimate(w: Fp16WeightBytes, bits: 4 | 8): number {
  const perParam = bits / 8 + 4 / 32;
  return ((w.decoder + w.embed) / 2) * perParam + (w.vision / 2) * 4;
}

/** Memory the OS can give this process now: Linux's MemAvailable, else the machine's total. */
export function availableMemory(): number {
  try {
    const m = /^MemAvailable:\s+(\d+) kB/m.exec(readFileSync('/proc/meminfo', 'utf8'));
    if (m) return Number(m[1]) * 1024;
  } catch {
    // not Linux
  }
  return totalmem();
}

const gb = (n: number) => `${(n / 1e9).toFixed(1)} GB`;

/**
 * Null when an fp16 bundle of these sizes fits in `available` bytes on the CPU; else the one-line
 * reason and what to do instead.
 */
export function fp16CpuRefusal(w: Fp16WeightBytes, available: number): { message: string; hint: string } | null {
  const need = fp16CpuBytes(w);
  if (need <= available) return null;
  return {
    message:
      `This fp16 bundle needs about ${gb(need)} of memory on the CPU, and ${gb(available)} is available: ` +
      `ONNX Runtime's CPU provider has no float16 MatMul, so it widens every fp16 weight to float32 when it loads the graphs.`,
    hint:
      `Recompile it with \`laser compile <checkpoint> <bundle> --dtype int4\` (about ${gb(quantizedEstimate(w, 4))} of weights) ` +
      `or --dtype int8 (about ${gb(quantizedEstimate(w, 8))}), or run it on a GPU with --device cuda.`,
  };
}
