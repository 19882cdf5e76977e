/**
 * Runtime figures on a small compiled LLaVA (random weights, LLaVA-1.5 shape scaled down: 576 image
 * tokens per image, LLaMA hidden 256 x 8 layers, GQA 8/4 heads, vocab 4096): session creation,
 * prefill time against prompt length, decode time per token against context length, a batch of two
 * streams in lockstep against two single streams, and how long a run holds the event loop.
 *
 * Prints figures only. Threads: LASER_BENCH_THREADS (default 0 = onnxruntime's choice).
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileBundle } from '../src/engine/compiler/compile.ts';
import { generateGreedy, generateLockstep, argmax, workspaceFor, type StepModel } from '../src/engine/runtime/generate.ts';
import type { ModelRuntime, Stream } from '../src/engine/runtime/model-runtime.ts';
import { openModelRuntime } from '../src/engine/runtime/open.ts';
import { writeRandomLlavaCheckpoint } from '../test/support/checkpoints.ts';
import { benchConfig, GRID, IMAGE_TOKEN, VOCAB } from './bench-model.ts';
import { decoderPart, kernelsOfRun, readProfile, shareTable, sumBy, type KernelEvent } from './profile.ts';

async function writeBenchCheckpoint(dir: string): Promise<void> {
  await writeRandomLlavaCheckpoint(dir, benchConfig(), 7);
}

async function median(repeats: number, fn: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

/**
 * The machine's streaming read bandwidth in bytes/s: `threads` worker threads (default every core)
 * each scanning its share of a 1 GiB buffer (filled, so no page is the shared zero page) with memchr
 * (Buffer.indexOf of a byte that is not there), all at once; best of 3.
 */
async function readBandwidth(threads = availableParallelism(), bytes = 1 << 30): Promise<{ bytesPerSecond: number; threads: number }> {
  const shared = new SharedArrayBuffer(bytes);
  Buffer.from(shared).fill(7);
  const share = Math.floor(bytes / threads);
  const code = `const { parentPort, workerData } = require('node:worker_threads');
    const view = Buffer.from(workerData.shared, workerData.offset, workerData.length);
    parentPort.on('message', () => { view.indexOf(1); parentPort.postMessage('done'); });`;
  const workers = Array.from({ length: threads }, (_, i) => new Worker(code, { eval: true, workerData: { shared, offset: i * share, length: share } }));
  const scan = () =>
    Promise.all(
      workers.map(
        (w) =>
          new Promise((done) => {
            w.once('message', done);
            w.postMessage('go');
          }),
      ),
    );
  try {
    await scan(); // warm up
    let best = Infinity;
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      await scan();
      best = Math.min(best, performance.now() - t);
    }
    return { bytesPerSecond: (share * threads) / (best / 1000), threads };
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** Tokens of the prompt whereTheTimeGoes profiles: BOS, 8 text, the image, 24 text. */
const PROFILED_PROMPT = 1 + 8 + GRID * GRID + 24;

const text = (n: number, offset = 0): number[] => Array.from({ length: n }, (_, i) => 3 + ((i * 7 + offset) % 4000));
const fmt = (ms: number): string => ms.toFixed(1).padStart(8);

interface DecodeTimes {
  /** Wall ms per token, median of 3 rounds. */
  wall: number;
  /** This process's CPU ms per token (every thread; onnxruntime's spinning pool included), median of 3. */
  cpu: number;
}

/**
 * Decode ms per token after a context of `context` tokens (steps - 1 decoder calls): as
 * generateGreedy decodes (presents written into a KvWorkspace) and, in alternate rounds, with every
 * step's presents allocated by onnxruntime and handed over as new tensors (the loop before
 * KvWorkspace: a StepModel that drops the workspace). CPU time beside wall time: on a shared machine
 * wall time mostly measures the other processes.
 */
async function decodeMsPerToken(rt: ModelRuntime, context: number, steps: number): Promise<{ workspace: DecodeTimes; fresh: DecodeTimes }> {
  const prefill = await rt.prefill([{ ids: text(context) }]);
  const fresh: StepModel = { step: (t, c) => rt.step(t, c) };
  const times = { workspace: { wall: [] as number[], cpu: [] as number[] }, fresh: { wall: [] as number[], cpu: [] as number[] } };
  for (let round = 0; round < 3; round++) {
    for (const [k, model] of [
      ['workspace', rt],
      ['fresh', fresh],
    ] as const) {
      const t = performance.now();
      const cpu = process.cpuUsage();
      await generateGreedy(model, prefill, { maxNewTokens: steps });
      const used = process.cpuUsage(cpu);
      times[k].wall.push((performance.now() - t) / (steps - 1));
      times[k].cpu.push((used.user + used.system) / 1000 / (steps - 1));
    }
  }
  const mid = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const of = (k: 'workspace' | 'fresh'): DecodeTimes => ({ wall: mid(times[k].wall), cpu: mid(times[k].cpu) });
  return { workspace: of('workspace'), fresh: of('fresh') };
}

async function eventLoopTicksDuring(fn: () => Promise<unknown>): Promise<{ ms: number; ticks: number }> {
  let ticks = 0;
  const timer = setInterval(() => ticks++, 1);
  const t = performance.now();
  await fn();
  const ms = performance.now() - t;
  clearInterval(timer);
  return { ms, ticks };
}

/**
 * Where one answer's time goes: a runtime opened with onnxruntime's profiler runs what vanilla does
 * (encode one image, prefill it with 33 text tokens, decode `steps` tokens), each call timed in JS,
 * and prints the parts with their shares of the wall time, then the prefill layer by layer.
 */
export async function whereTheTimeGoes(bundleDir: string, root: string, device: 'auto' | 'cuda' | 'cpu', threads: number, steps = 16): Promise<void> {
  const prefix = 'profile';
  const rt = await openModelRuntime(bundleDir, { device, threads, profilePrefix: join(root, prefix) });
  let wall: { vision: number; prefill: number; decode: number };
  const decoderGraph = rt.decoderGraph.replace(/^.*[\\/]/, '').replace(/\.onnx$/, '');
  try {
    const pixels = new Float32Array(3 * rt.imageSize * rt.imageSize).map((_, i) => Math.sin(i));
    // Warm-up run (first-run allocations), then the measured one; the profile's runs are counted below.
    for (let round = 0; round < 2; round++) {
      let t = performance.now();
      const image = await rt.encodeImages(pixels, 1);
      const vision = performance.now() - t;
      t = performance.now();
      const out = await rt.prefill([{ ids: [1, ...text(8), ...Array<number>(GRID * GRID).fill(IMAGE_TOKEN), ...text(24, 5)], images: image }]);
      const prefill = performance.now() - t;
      t = performance.now();
      let cache = out.cache;
      const workspace = workspaceFor(cache, steps);
      for (let i = 0; i < steps; i++) cache = (await rt.step([5], cache, workspace)).cache;
      wall = { vision, prefill, decode: performance.now() - t };
    }
  } finally {
    rt.endProfiling();
    await rt.dispose();
  }
  const profile = await readProfile(root, prefix);
  // Runs per round: vision 1; embed 1 + steps; decoder `chunks` (the prefill, in chunks of
  // rt.prefillChunk) + steps. Round 2 is the measured one.
  const chunks = rt.prefillChunk > 0 ? Math.ceil(PROFILED_PROMPT / rt.prefillChunk) : 1;
  const decoderRuns = (from: number, n: number): KernelEvent[] => Array.from({ length: n }, (_, i) => kernelsOfRun(profile, decoderGraph, from + i)).flat();
  const embedRuns = (from: number, n: number): KernelEvent[] => Array.from({ length: n }, (_, i) => kernelsOfRun(profile, 'embed', from + i)).flat();
  const runUs = (graph: string, from: number, n: number) =>
    profile.runs
      .filter((r) => r.graph === graph)
      .slice(from, from + n)
      .reduce((a, r) => a + r.us, 0);
  const prefillK = decoderRuns(chunks + steps, chunks);
  const decodeK = decoderRuns(2 * chunks + steps, steps);
  const ms = (us: number) => us / 1000;
  const parts = (ev: KernelEvent[]) =>
    sumBy(ev, (e) => {
      const d = decoderPart(e.node, e.op);
      return d.layer === null ? d.part : 'layers';
    });
  const pre = parts(prefillK);
  const dec = parts(decodeK);
  const w = wall!;
  const total = w.vision + w.prefill + w.decode;
  const outside = (wallMs: number, graphsUs: number) => Math.max(0, wallMs - ms(graphsUs));
  const rows: { label: string; ms: number }[] = [
    { label: 'vision tower (1 image)', ms: w.vision },
    { label: 'embeddings (prefill + steps)', ms: ms(embedRuns(1 + steps, 1 + steps).reduce((a, e) => a + e.us, 0)) },
  ];
  const perLayer = sumBy(prefillK, (e) => {
    const d = decoderPart(e.node, e.op);
    return d.layer === null ? '' : String(d.layer);
  });
  for (let l = 0; l < rt.dims.layers; l++) rows.push({ label: `prefill layer ${l}`, ms: ms(perLayer.get(String(l)) ?? 0) });
  for (const [k, v] of pre) if (k !== 'layers') rows.push({ label: `prefill ${k}`, ms: ms(v) });
  rows.push({
    label: 'prefill outside onnxruntime (feeds, copies)',
    ms: outside(w.prefill, runUs(decoderGraph, chunks + steps, chunks) + runUs('embed', 1 + steps, 1)),
  });
  rows.push({ label: `decode ${steps} steps: layers`, ms: ms(dec.get('layers') ?? 0) });
  for (const [k, v] of dec) if (k !== 'layers') rows.push({ label: `decode ${steps} steps: ${k}`, ms: ms(v) });
  rows.push({
    label: `decode ${steps} steps: outside onnxruntime`,
    ms: outside(w.decode, runUs(decoderGraph, 2 * chunks + steps, steps) + runUs('embed', 2 + steps, steps)),
  });
  const counted = rows.reduce((a, r) => a + r.ms, 0);
  rows.push({ label: 'onnxruntime between kernels (scheduling, allocation)', ms: Math.max(0, total - counted) });
  console.log(`where the time goes: encode 1 image, prefill 609 tokens, decode ${steps} tokens (onnxruntime profiler on; wall ${total.toFixed(0)} ms):`);
  console.log(shareTable(rows, total));
  const byPart = (l: number) =>
    sumBy(
      prefillK.filter((e) => decoderPart(e.node, e.op).layer === l),
      (e) => decoderPart(e.node, e.op).part,
    );
  const cols = ['attention core', 'projections', 'RoPE', 'KV concat', 'MLP', 'residual'];
  const layerTotal = [...perLayer].filter(([k]) => k !== '').reduce((a, [, v]) => a + v, 0);
  console.log(`prefill per layer (ms): ${cols.join(' / ')}`);
  for (let l = 0; l < rt.dims.layers; l++) {
    const b = byPart(l);
    console.log(
      `  layer ${String(l).padStart(2)}  ${cols
        .map((c) =>
          ms(b.get(c) ?? 0)
            .toFixed(1)
            .padStart(7),
        )
        .join(' ')}`,
    );
  }
  const share = (c: string) =>
    (
      (prefillK.filter((e) => decoderPart(e.node, e.op).part === c && decoderPart(e.node, e.op).layer !== null).reduce((a, e) => a + e.us, 0) / layerTotal) *
      100
    ).toFixed(0);
  console.log(`  share of the layers: ${cols.map((c) => `${c} ${share(c)} %`).join(', ')}`);
  const decodeParts = sumBy(
    decodeK.filter((e) => decoderPart(e.node, e.op).layer !== null),
    (e) => decoderPart(e.node, e.op).part,
  );
  console.log(`decode, all layers, ms per step: ${cols.map((c) => `${c} ${ms((decodeParts.get(c) ?? 0) / steps).toFixed(2)}`).join(', ')}`);
  // By operator: a decode step is many small kernels besides the weight-reading MatMuls.
  const decodeRunUs = runUs(decoderGraph, 2 * chunks + steps, steps);
  const byOp = [...sumBy(decodeK, (e) => e.op)].sort((a, b) => b[1] - a[1]);
  const nodes = new Map<string, number>();
  for (const e of decodeK) nodes.set(e.op, (nodes.get(e.op) ?? 0) + 1);
  console.log(
    `decode step by operator (${decodeK.length / steps} kernels per step, ${ms(decodeRunUs / steps).toFixed(2)} ms per session.run, ${(((decodeRunUs - decodeK.reduce((a, e) => a + e.us, 0)) / decodeRunUs) * 100).toFixed(0)} % of it between kernels):`,
  );
  console.log(
    shareTable(
      byOp.slice(0, 10).map(([op, us]) => ({ label: `${op} (${(nodes.get(op) ?? 0) / steps} per step)`, ms: ms(us / steps) })),
      ms(decodeRunUs / steps),
      'operator, ms per step',
    ),
  );
}

export async function benchRuntime(): Promise<void> {
  const threads = Number(process.env.LASER_BENCH_THREADS ?? 0);
  const root = await mkdtemp(join(tmpdir(), 'laser-bench-runtime-'));
  try {
    const ckpt = join(root, 'checkpoint');
    await writeBenchCheckpoint(ckpt);
    let t = performance.now();
    const compiled = await compileBundle(ckpt, join(root, 'bundle'));
    console.log(
      `runtime bench: LLaMA 256x8 (GQA 8/4), vocab ${VOCAB}, CLIP 64x3 at ${14 * GRID}px -> ${GRID * GRID} image tokens; ${(compiled.weightBytes / 2 ** 20).toFixed(1)} MiB fp32`,
    );
    console.log(`compile                          ${fmt(performance.now() - t)} ms`);

    t = performance.now();
    const device = process.env.LASER_BENCH_DEVICE === 'cuda' ? 'cuda' : process.env.LASER_BENCH_DEVICE === 'cpu' ? 'cpu' : 'auto';
    const rt = await openModelRuntime(compiled.dir, { device, threads, log: (l) => console.log(l) });
    const open = performance.now() - t;
    const s = rt.sessionMs;
    console.log(`provider ${rt.provider}, intraOpNumThreads ${threads || 'default'}`);
    console.log(
      `session create: decoder ${s.decoder.toFixed(1)} ms, embed ${s.embed.toFixed(1)} ms, vision ${s.vision.toFixed(1)} ms; open total ${open.toFixed(1)} ms`,
    );

    await whereTheTimeGoes(compiled.dir, root, device, threads);

    const pixels = new Float32Array(3 * rt.imageSize * rt.imageSize).map((_, i) => Math.sin(i));
    console.log(`encode 1 image                   ${fmt(await median(3, () => rt.encodeImages(pixels, 1)))} ms`);
    const image = await rt.encodeImages(pixels, 1);

    console.log('prefill (median of 3):');
    for (const n of [16, 64, 256, 1024]) {
      console.log(`  text ${String(n).padStart(5)} tokens          ${fmt(await median(3, () => rt.prefill([{ ids: text(n) }])))} ms`);
    }
    const withImage: Stream = { ids: [1, ...text(8), ...Array<number>(GRID * GRID).fill(IMAGE_TOKEN), ...text(24, 5)], images: image };
    console.log(
      `  image + 33 text (${withImage.ids.length} tokens)  ${fmt(await median(3, () => rt.prefill([withImage])))} ms (embeds + decoder, image features precomputed)`,
    );

    // Decode against the memory bound: each step reads every decoder weight and the whole KV cache once.
    const read = await readBandwidth();
    const bandwidth = read.bytesPerSecond;
    // Decode runs on `threads` intra-op threads: with fewer than every core, the bandwidth those threads
    // can draw is the bound they can reach, printed beside the machine's.
    const ownRead = threads > 0 && threads < read.threads ? await readBandwidth(threads) : null;
    const weightBytes = (await stat(join(compiled.dir, 'decoder.onnx.data'))).size;
    const kvBytesPerToken = rt.dims.layers * 2 * rt.dims.kvHeads * rt.dims.headDim * 4;
    console.log(
      `memory: streaming read ${(bandwidth / 1e9).toFixed(1)} GB/s (${read.threads} threads, 1 GiB memchr)${ownRead ? `, ${(ownRead.bytesPerSecond / 1e9).toFixed(1)} GB/s with ${ownRead.threads} (the decode's threads)` : ''}; decoder weights ${(weightBytes / 2 ** 20).toFixed(1)} MiB, KV ${kvBytesPerToken} B per context token`,
    );
    console.log(
      'decode ms/token (16 tokens, after a prefill of the context), wall and CPU time, against the bound (weights + KV read once per token); presents into a KvWorkspace vs new tensors every step, alternate rounds:',
    );
    for (const c of [16, 128, 512, 1024, 2048]) {
      const { workspace, fresh } = await decodeMsPerToken(rt, c, 16);
      const boundMs = ((weightBytes + kvBytesPerToken * c) / bandwidth) * 1000;
      const pct = (ms: number) => `${((boundMs / ms) * 100).toFixed(0)} %`;
      const both = (d: DecodeTimes) => `${fmt(d.wall)} ms (${pct(d.wall)} of the bound), CPU ${d.cpu.toFixed(1)} ms (${pct(d.cpu)})`;
      let own = '';
      if (ownRead) {
        const ms = ((weightBytes + kvBytesPerToken * c) / ownRead.bytesPerSecond) * 1000;
        own = `   ${ownRead.threads}-thread bound ${ms.toFixed(2)} ms: workspace ${((ms / workspace.wall) * 100).toFixed(0)} % wall, ${((ms / workspace.cpu) * 100).toFixed(0)} % CPU`;
      }
      console.log(`  context ${String(c).padStart(5)}  bound ${boundMs.toFixed(2)} ms   workspace ${both(workspace)}   new tensors ${both(fresh)}${own}`);
    }

    console.log('two streams, 16 tokens after 640-token contexts:');
    const steps = 16;
    const pos: Stream = withImage;
    const neg: Stream = { ...withImage, ids: [1, ...text(8, 1), ...Array<number>(GRID * GRID).fill(IMAGE_TOKEN), ...text(24, 9)] };
    const batch = await rt.prefill([pos, neg]);
    const [a, b] = [await rt.prefill([pos]), await rt.prefill([neg])];
    const vat = (p: Float32Array, n: Float32Array): number => argmax(p.map((x, i) => 2 * x - n[i]));
    const lockstep = (await median(3, () => generateLockstep(rt, batch, vat, { maxNewTokens: steps }))) / (steps - 1);
    const twoSingles =
      (await median(3, async () => {
        await generateGreedy(rt, a, { maxNewTokens: steps });
        await generateGreedy(rt, b, { maxNewTokens: steps });
      })) /
      (steps - 1);
    console.log(`  batch of two (lockstep)        ${fmt(lockstep)} ms/step`);
    console.log(`  two single streams             ${fmt(twoSingles)} ms/step (sum of both)`);
    const tPrefill2 = await median(3, () => rt.prefill([pos, neg]));
    const tPrefill1 = await median(3, () => rt.prefill([pos]));
    console.log(`  prefill batch of two           ${fmt(tPrefill2)} ms vs one stream ${tPrefill1.toFixed(1)} ms`);

    const blocked = await eventLoopTicksDuring(() => rt.prefill([{ ids: text(1024) }]));
    console.log(
      `event loop during a 1024-token prefill: ${blocked.ticks} timer ticks in ${blocked.ms.toFixed(0)} ms (1 ms interval; session.run holds the thread)`,
    );
    await rt.dispose();
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
