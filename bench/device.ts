/**
 * `npm run bench -- device` (bench/device.sh on a GPU machine): does the CUDA execution provider
 * really run our graphs? It opens a compiled bundle asking for CUDA and reports the provider the
 * sessions got (or why CUDA was not used: the runtime falls back to CPU and says so), then prints
 * the runtime and LASER ratios on that provider. Figures only; nothing asserts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileBundle } from '../src/engine/compiler/compile.ts';
import { openModelRuntime } from '../src/engine/runtime/open.ts';

const TINY = fileURLToPath(new URL('../test/fixtures/hf-golden/llava15_tiny/checkpoint', import.meta.url));

export async function benchDevice(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'laser-bench-device-'));
  let provider: string;
  try {
    const b = await compileBundle(TINY, join(root, 'bundle'));
    const notes: string[] = [];
    // 'cuda' refuses outright when CUDA cannot be used; 'auto' then says why it fell back.
    const rt = await openModelRuntime(b.dir, { device: 'cuda', log: (l) => notes.push(l) }).catch((e: Error) => {
      notes.push(e.message);
      return openModelRuntime(b.dir, { device: 'cpu' });
    });
    try {
      const image = await rt.encodeImages(new Float32Array(3 * rt.imageSize * rt.imageSize), 1);
      await rt.prefill([{ ids: [1, ...Array<number>(image.tokens).fill(296), 5, 6], images: image }]);
      provider = rt.provider;
    } finally {
      await rt.dispose();
    }
    console.log(
      provider === 'cuda'
        ? 'CUDA provider: runs the tiny bundle (vision, embed, decoder).'
        : `CUDA provider: not used, so the figures below are CPU's. ${notes.join(' ')}`,
    );
  } finally {
    await rm(root, { recursive: true, force: true });
  }
  process.env.LASER_BENCH_DEVICE = provider === 'cuda' ? 'cuda' : 'cpu';
  process.env.LASER_BENCH_REPEATS ??= '2';
  await (await import('./runtime.ts')).benchRuntime();
  await (await import('./laser.ts')).benchLaser();
}
