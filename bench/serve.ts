/**
 * Serve mode under load, on loopback: a real `laser serve` (bin/laser.js, its own process, a fresh
 * data folder, the bundled demo world resources/samples opened) gets hundreds of concurrent
 * contract calls over a few WebSockets and hundreds of concurrent media requests (thumbnails of two
 * sizes, originals) over HTTP, in two rounds. Prints latency percentiles per kind, throughput,
 * failures, and the server's resident memory (VmRSS, and its peak VmHWM) before, between and after
 * the rounds, read from /proc.
 *
 * Prints figures only. LASER_BENCH_SERVE_CALLS / _MEDIA (per round, default 2000 each),
 * LASER_BENCH_SERVE_INFLIGHT (concurrent calls and requests, default 400) change the load.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdir, readFile, mkdtemp, rm } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { createApi } from '../src/common/contract/client.ts';
import type { MethodName } from '../src/common/contract/methods.ts';
import { servingLinePrefix } from '../src/cli/commands/serve.ts';
import { quantile } from '../src/engine/eval/stats.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const samples = path.join(root, 'resources', 'samples');

function line(label: string, value: string): void {
  console.log(`  ${label.padEnd(34)} ${value}`);
}

function latencies(label: string, ms: number[], failures: number, wallS: number): void {
  const s = [...ms].sort((a, b) => a - b);
  const f = (q: number) => (s.length ? quantile(s, q).toFixed(1) : '-');
  line(label, `n ${ms.length}, ${Math.round(ms.length / wallS)}/s, p50 ${f(0.5)} ms, p90 ${f(0.9)}, p99 ${f(0.99)}, max ${f(1)}; failed ${failures}`);
}

/** VmRSS and VmHWM of a process, in MiB (Linux /proc); null elsewhere. */
async function memoryOf(pid: number): Promise<{ rss: number; peak: number } | null> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => null);
  if (status === null) return null;
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

async function memoryLine(label: string, pid: number): Promise<void> {
  const m = await memoryOf(pid);
  line(label, m ? `RSS ${m.rss.toFixed(0)} MiB (peak ${m.peak.toFixed(0)} MiB)` : 'RSS unavailable (no /proc)');
}

async function startServe(dataDir: string): Promise<{ child: ChildProcess; url: URL }> {
  const child = spawn(process.execPath, [path.join(root, 'bin', 'laser.js'), 'serve', '--port', '0', '--data-dir', dataDir, '--open', samples], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<URL>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`laser serve did not start within 120 s: ${output}`)), 120_000);
    child.stdout!.on('data', (d) => {
      output += String(d);
      const l = output.split('\n').find((x) => x.startsWith(servingLinePrefix));
      if (l) {
        clearTimeout(timer);
        resolve(new URL(l.slice(servingLinePrefix.length).trim()));
      }
    });
    child.stderr!.on('data', (d) => (output += String(d)));
    child.once('exit', (code) => reject(new Error(`laser serve exited (${code}): ${output}`)));
  });
  return { child, url };
}

type Api = ReturnType<typeof createApi>;

async function connect(url: URL, token: string): Promise<{ api: Api; ws: WebSocket }> {
  const ws = new WebSocket(`ws://${url.host}/api?token=${token}`);
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const api = createApi({ send: (m) => ws.send(JSON.stringify(m)), onMessage: (r) => void ws.on('message', (d) => r(JSON.parse(String(d)))) }, () => '');
  return { api, ws };
}

/** Runs `n` tasks with at most `inflight` at once; returns each one's latency and the failures. */
async function load(
  n: number,
  inflight: number,
  task: (i: number) => Promise<unknown>,
): Promise<{ ms: number[]; failed: number; wallS: number; firstError: string | null }> {
  const ms: number[] = [];
  let failed = 0;
  let firstError: string | null = null;
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < n) {
      const i = next++;
      const t = performance.now();
      try {
        await task(i);
        ms.push(performance.now() - t);
      } catch (e) {
        failed += 1;
        firstError ??= e instanceof Error ? e.message : String(e);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(inflight, n) }, worker));
  return { ms, failed, wallS: (performance.now() - started) / 1000, firstError };
}

function get(agent: Agent, url: URL, token: string, pathAndQuery: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ agent, host: url.hostname, port: url.port, path: pathAndQuery, headers: { Authorization: `Bearer ${token}` } }, (res) => {
      let bytes = 0;
      res.on('data', (d: Buffer) => (bytes += d.length));
      res.on('end', () => (res.statusCode === 200 ? resolve(bytes) : reject(new Error(`HTTP ${res.statusCode} for ${pathAndQuery}`))));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

export async function benchServe(): Promise<void> {
  const calls = Number(process.env.LASER_BENCH_SERVE_CALLS ?? 2000);
  const mediaCount = Number(process.env.LASER_BENCH_SERVE_MEDIA ?? 2000);
  const inflight = Number(process.env.LASER_BENCH_SERVE_INFLIGHT ?? 400);
  const sockets = 4;
  const tmp = await mkdtemp(path.join(tmpdir(), 'laser-bench-serve-'));
  const images = (await readdir(path.join(samples, 'images'))).filter((f) => f.endsWith('.png')).map((f) => path.join(samples, 'images', f));
  const { child, url } = await startServe(path.join(tmp, 'data'));
  const token = url.searchParams.get('token') ?? '';
  const agent = new Agent({ keepAlive: true, maxSockets: inflight });
  const clients: { api: Api; ws: WebSocket }[] = [];
  try {
    console.log(
      `serve: laser serve pid ${child.pid} at ${url.host}, the demo world (${images.length} scenes); ${calls} calls over ${sockets} WebSockets and ${mediaCount} media requests per round, ${inflight} in flight`,
    );
    for (let i = 0; i < sockets; i++) clients.push(await connect(url, token));
    await clients[0].api.call('library.scan' satisfies MethodName, { root: samples });
    await memoryLine('started, folder scanned', child.pid!);

    // The calls a gallery page makes, spread over the scenes and the sockets.
    const call = (i: number): Promise<unknown> => {
      const { api } = clients[i % sockets];
      const image = images[i % images.length];
      switch (i % 6) {
        case 0:
          return api.call('library.imageDetails', { path: image });
        case 1:
          return api.call('library.imageQuestions', { path: image });
        case 2:
          return api.call('laser.records', { imagePath: image });
        case 3:
          return api.call('models.list', {});
        case 4:
          return api.call('library.listDirectory', { path: samples });
        default:
          return api.call('host.info', {});
      }
    };
    const media = (i: number): Promise<number> => {
      const image = encodeURIComponent(images[i % images.length]);
      const kind = i % 3;
      return get(agent, url, token, kind === 2 ? `/media?kind=original&path=${image}` : `/media?kind=thumbnail&size=${kind === 0 ? 128 : 256}&path=${image}`);
    };

    for (const round of [1, 2]) {
      const c = await load(calls, inflight, call);
      latencies(`round ${round}: contract calls`, c.ms, c.failed, c.wallS);
      const m = await load(mediaCount, inflight, media);
      latencies(`round ${round}: media requests`, m.ms, m.failed, m.wallS);
      // Both at once, as a page that scrolls while it asks.
      const [bc, bm] = await Promise.all([load(calls, inflight / 2, call), load(mediaCount, inflight / 2, media)]);
      latencies(`round ${round}: calls beside media`, bc.ms, bc.failed, bc.wallS);
      latencies(`round ${round}: media beside calls`, bm.ms, bm.failed, bm.wallS);
      for (const first of [c.firstError, m.firstError, bc.firstError, bm.firstError]) if (first) line('  first failure', first);
      await memoryLine(`after round ${round}`, child.pid!);
    }
  } finally {
    for (const { ws } of clients) ws.close();
    agent.destroy();
    child.kill('SIGTERM');
    await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)));
    await rm(tmp, { recursive: true, force: true });
  }
}
