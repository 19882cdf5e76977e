/** Test support: a run manifest and rows as laser eval writes them, for run-folder and report tests. */
import type { RunManifest, RunRow } from '../../../src/engine/eval/run-folder.ts';

/** A POPE run of `samples` samples with vanilla and laser. */
export function testManifest(samples: number, o: Partial<RunManifest> = {}, identity: Partial<RunManifest['identity']> = {}): RunManifest {
  return {
    format: 'laser-eval-run',
    version: 1,
    identity: {
      bundle: { hash: 'b'.repeat(64), name: 'tiny', dtype: 'fp32', modelType: 'llava' },
      dataset: { format: 'pope', name: 'pope', hash: 'd'.repeat(64), samples, evaluated: samples },
      methods: ['vanilla', 'laser'],
      knobs: { vanilla: {}, laser: { kHead: 4 } },
      options: { maxNewTokens: 2 },
      limit: null,
      ...identity,
    },
    shard: null,
    expected: 2 * samples,
    bundle: { dir: '/b', id: 'b' },
    dataset: { sources: ['/d.jsonl'] },
    seed: null,
    device: 'cpu',
    program: { name: 'laser-workbench', version: '0', commit: null, node: process.version },
    command: [],
    cacheDir: null,
    startedAt: '2026-01-01T00:00:00.000Z',
    resumedAt: [],
    endedAt: null,
    ...o,
  };
}

/** A POPE row scored `score` (1: answered yes to a yes). */
export function testRow(id: string, index: number, method: 'vanilla' | 'laser', o: Partial<RunRow> = {}): RunRow {
  return {
    id,
    index,
    method,
    status: 'ok',
    reason: null,
    prediction: 'yes',
    score: 1,
    pope: 'yes',
    layer: null,
    layerMode: null,
    cropBox: null,
    fallback: false,
    aggregation: null,
    iou: null,
    ms: 5,
    record: null,
    groups: { split: 'random' },
    truth: { pope: 'yes' },
    ...o,
  };
}
