/**
 * Our forward against a PyTorch eager forward of the same equations (bench/torch_eager.py runs
 * training/llava_model.py, the transformers v4.45 LLaVA math in plain PyTorch): a stated proxy for
 * Hugging Face transformers eager, which cannot run here. Both run the bench model's shape (random
 * weights: the values do not change the time) on one image and 33 text tokens (609 tokens), float32,
 * every layer's attention returned (output_attentions=True there; attn_last taps here), with the
 * same number of threads. Rounds alternate between the two (python child, then ours) so that load
 * from other processes falls on both; best of each. Needs /usr/bin/python3 with torch (else says so).
 * Threads: LASER_BENCH_THREADS (default: the machine's cores).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { compileBundle } from '../src/engine/compiler/compile.ts';
import { openModelRuntime } from '../src/engine/runtime/open.ts';
import { writeRandomLlavaCheckpoint } from '../test/support/checkpoints.ts';
import { benchConfig, GRID, IMAGE_TOKEN } from './bench-model.ts';

const run = promisify(execFile);
const python = '/usr/bin/python3';
const script = fileURLToPath(new URL('./torch_eager.py', import.meta.url));

export async function benchEager(): Promise<void> {
  const threads = Number(process.env.LASER_BENCH_THREADS ?? 0) || availableParallelism();
  try {
    await run(python, ['-c', 'import torch'], { timeout: 60_000 });
  } catch {
    console.log(`eager: skipped, ${python} cannot import torch (apt-get install python3-torch to compare)`);
    return;
  }
  const root = await mkdtemp(join(tmpdir(), 'laser-bench-eager-'));
  try {
    const configPath = join(root, 'config.json');
    await writeFile(configPath, JSON.stringify(benchConfig()));
    await writeRandomLlavaCheckpoint(join(root, 'checkpoint'), benchConfig(), 7);
    const compiled = await compileBundle(join(root, 'checkpoint'), join(root, 'bundle'));
    const rt = await openModelRuntime(compiled.dir, { device: 'cpu', threads });
    try {
      const pixels = new Float32Array(3 * rt.imageSize * rt.imageSize).map((_, i) => Math.sin(i));
      const ids = [
        1,
        ...Array.from({ length: 8 }, (_, i) => 3 + ((i * 7) % 4000)),
        ...Array<number>(GRID * GRID).fill(IMAGE_TOKEN),
        ...Array.from({ length: 24 }, (_, i) => 3 + ((i * 7 + 5) % 4000)),
      ];
      const ours = async () => {
        const t = performance.now();
        const image = await rt.encodeImages(pixels, 1);
        await rt.prefill([{ ids, images: image }], { logits: 'all' });
        return performance.now() - t;
      };
      await ours(); // warm-up
      const repeats = 3;
      let bestOurs = Infinity;
      let bestTorch = Infinity;
      let version = '';
      let build = '';
      for (let round = 0; round < 2; round++) {
        const { stdout } = await run(python, [script, configPath, String(threads), String(repeats)], { timeout: 600_000 });
        const r = JSON.parse(stdout.trim().split('\n').pop()!) as { ms: number[]; torch: string; tokens: number; sgemm_gflops: number; blas: string };
        build = `BLAS ${r.blas}, 1024^3 SGEMM ${r.sgemm_gflops.toFixed(1)} GFLOP/s`;
        if (r.tokens !== ids.length) throw new Error(`torch_eager.py ran ${r.tokens} tokens, ours ${ids.length}`);
        version = r.torch;
        bestTorch = Math.min(bestTorch, ...r.ms);
        for (let i = 0; i < repeats; i++) bestOurs = Math.min(bestOurs, await ours());
      }
      console.log(
        `eager: forward of 1 image + 33 text (${ids.length} tokens), every layer's attention, float32, ${threads} threads, best of ${2 * 3} each, alternating rounds`,
      );
      console.log(`  ours (vision + prefill with taps, all logits)   ${bestOurs.toFixed(1).padStart(8)} ms`);
      console.log(
        `  PyTorch ${version} eager of the same equations     ${bestTorch.toFixed(1).padStart(8)} ms (training/llava_model.py, output_attentions=True; not HF transformers)`,
      );
      console.log(`  PyTorch build: ${build} (a torch whose BLAS is slow makes this ratio flatter than HF's would be)`);
      console.log(`  ours / PyTorch eager                            ${(bestOurs / bestTorch).toFixed(2).padStart(8)}x`);
    } finally {
      await rt.dispose();
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
