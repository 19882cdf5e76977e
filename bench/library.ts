/**
 * Library figures on a generated folder of 10,000 small images (five formats, nested folders, see
 * test/support/images.ts): scan rate and time to the first batch, thumbnails made per second from
 * cold, cache hits per second with the content hash remembered and after a restart (hash re-read
 * from disk), and the process's peak resident memory.
 *
 * Prints figures only. LASER_BENCH_IMAGES and LASER_BENCH_THUMBNAILS change the counts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import sharp from 'sharp';
import type { ImageEntry, MethodName } from '../src/common/contract/methods.ts';
import { dispatch } from '../src/common/contract/host.ts';
import { scanFolder } from '../src/engine/library/scan.ts';
import { createWorkbench } from '../src/engine/service/workbench.ts';
import type { Workbench } from '../src/engine/service/types.ts';
import { makeImageFolder } from '../test/support/images.ts';

function seconds(since: number): number {
  return (performance.now() - since) / 1000;
}

function rate(n: number, s: number): string {
  return `${Math.round(n / s).toLocaleString('en-US')}/s`;
}

function line(label: string, value: string): void {
  console.log(`  ${label.padEnd(38)} ${value}`);
}

async function openFolder(w: Workbench, root: string): Promise<void> {
  await dispatch(w.handlers, 'library.scan' satisfies MethodName, { root }, { signal: new AbortController().signal, progress: () => {} });
}

async function thumbnails(w: Workbench, paths: string[]): Promise<number> {
  const t = performance.now();
  // All at once, as a grid scrolled into view asks for them; the workbench queues the sharp work.
  await Promise.all(paths.map((p) => w.media.get({ kind: 'thumbnail', path: p, size: 256 })));
  return seconds(t);
}

export async function benchLibrary(): Promise<void> {
  const imageCount = Number(process.env.LASER_BENCH_IMAGES ?? 10_000);
  const thumbCount = Number(process.env.LASER_BENCH_THUMBNAILS ?? 1_000);
  const tmp = await mkdtemp(path.join(tmpdir(), 'laser-bench-library-'));
  const workbenches: Workbench[] = [];
  try {
    console.log(`library: ${imageCount} images, ${thumbCount} thumbnails of 256 px; ${availableParallelism()} CPUs, sharp threads ${sharp.concurrency()}`);
    let t = performance.now();
    const folder = await makeImageFolder(path.join(tmp, 'images'), { count: imageCount, nested: true });
    line('generate folder', `${seconds(t).toFixed(1)} s`);

    const entries: ImageEntry[] = [];
    let firstBatch = 0;
    t = performance.now();
    const summary = await scanFolder(folder.root, {
      onBatch: (b) => {
        if (entries.length === 0) firstBatch = seconds(t);
        entries.push(...b.entries);
      },
    });
    const scanSeconds = seconds(t);
    line(
      'scan (stat + header, 8 at a time)',
      `${rate(summary.found, scanSeconds)}  (${summary.found} files in ${scanSeconds.toFixed(2)} s, ${summary.broken} broken)`,
    );
    line('scan: first batch after', `${(firstBatch * 1000).toFixed(0)} ms`);

    const dataDir = path.join(tmp, 'data');
    const w = createWorkbench({ dataDir, transport: 'http' });
    workbenches.push(w);
    await openFolder(w, folder.root);
    const paths = entries.slice(0, thumbCount).map((e) => e.path);

    const cold = await thumbnails(w, paths);
    line('thumbnails, cold (decode + encode)', `${rate(paths.length, cold)}  (${cold.toFixed(2)} s)`);
    const warm = await thumbnails(w, paths);
    line('thumbnails, cache hit, hash remembered', `${rate(paths.length, warm)}  (${(warm * 1000).toFixed(0)} ms)`);

    const restarted = createWorkbench({ dataDir, transport: 'http' });
    workbenches.push(restarted);
    await openFolder(restarted, folder.root);
    const rehash = await thumbnails(restarted, paths);
    line('thumbnails, cache hit after a restart', `${rate(paths.length, rehash)}  (${(rehash * 1000).toFixed(0)} ms, files re-hashed)`);

    line('peak RSS', `${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
  } finally {
    for (const w of workbenches) await w.dispose();
    await rm(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await benchLibrary();
