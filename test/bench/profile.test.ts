/**
 * The benchmarks' where-the-time-goes tables (bench/profile.ts) read onnxruntime's profiler traces
 * of a runtime opened with `profilePrefix`, and tell the decoder's parts apart by the scopes the
 * compiler names nodes with. Checked on the tiny LLaVA bundle: every layer's parts are found, runs
 * are split by their own events, and nothing in the decoder falls into 'other'.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decoderPart, kernelsOfRun, readProfile, shareTable, sumBy } from '../../bench/profile.ts';
import { openModelRuntime } from '../../src/engine/runtime/open.ts';
import { compileTinyBundle, readTinyGolden, type CompiledTiny } from '../support/tiny-bundle.ts';

let compiled: CompiledTiny;
let dir: string;
let layers: number;
let graph: string;

beforeAll(async () => {
  compiled = await compileTinyBundle();
  dir = await mkdtemp(join(tmpdir(), 'laser-profile-'));
  const rt = await openModelRuntime(compiled.bundle, { device: 'cpu', threads: 1, profilePrefix: join(dir, 'trace') });
  layers = rt.dims.layers;
  graph = rt.decoderGraph.replace(/^.*[\\/]/, '').replace(/\.onnx$/, '');
  const g = await readTinyGolden();
  const image = await rt.encodeImages(g.pixelValues, 1);
  const out = await rt.prefill([{ ids: g.inputIds, images: image }]);
  await rt.step([5], out.cache);
  rt.endProfiling();
  await rt.dispose();
});
afterAll(async () => {
  await compiled?.dispose();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('bench/profile', () => {
  it('reads one trace per graph, with each session.run as a run event', async () => {
    const p = await readProfile(dir, 'trace');
    expect(new Set(p.kernels.map((k) => k.graph))).toEqual(new Set(['vision', 'embed', graph]));
    expect(p.runs.filter((r) => r.graph === graph)).toHaveLength(2);
    expect(p.runs.filter((r) => r.graph === 'vision')).toHaveLength(1);
  });

  it("splits the decoder's kernels into every layer's parts, the taps and the head, with nothing left over", async () => {
    const p = await readProfile(dir, 'trace');
    for (const run of [0, 1]) {
      const kernels = kernelsOfRun(p, graph, run);
      expect(kernels.length).toBeGreaterThan(layers * 10);
      const parts = kernels.map((k) => decoderPart(k.node, k.op));
      for (let l = 0; l < layers; l++) {
        const mine = new Set(parts.filter((d) => d.layer === l).map((d) => d.part));
        for (const part of ['attention core', 'projections', 'RoPE', 'KV concat', 'MLP']) expect(mine, `layer ${l}`).toContain(part);
      }
      const top = new Set(parts.filter((d) => d.layer === null).map((d) => d.part));
      expect(top).toContain('taps');
      expect(top).toContain('lm_head + final norm');
      expect(kernels.filter((k) => decoderPart(k.node, k.op).part === 'other').map((k) => k.node)).toEqual([]);
    }
    // The two runs do not overlap: the step's kernels are not the prefill's.
    const [a, b] = [kernelsOfRun(p, graph, 0), kernelsOfRun(p, graph, 1)];
    expect(Math.max(...a.map((k) => k.ts))).toBeLessThan(Math.min(...b.map((k) => k.ts)));
  });

  it('sums by key and prints shares of the total', () => {
    const events = [
      { graph: 'g', node: 'a', op: 'X', ts: 0, us: 1000 },
      { graph: 'g', node: 'b', op: 'X', ts: 1, us: 3000 },
      { graph: 'g', node: 'a', op: 'Y', ts: 2, us: 1000 },
    ];
    expect(sumBy(events, (e) => e.node)).toEqual(
      new Map([
        ['a', 2000],
        ['b', 3000],
      ]),
    );
    const table = shareTable(
      [
        { label: 'a', ms: 2 },
        { label: 'b', ms: 3 },
      ],
      5,
    );
    expect(table.split('\n')).toEqual(['  part         ms   share', '  a           2.0   40.0 %', '  b           3.0   60.0 %', '  total       5.0  100.0 %']);
  });
});
