/**
 * LASER's shared work changes how its computation is split, not what it computes. The optimised
 * path (the image prefix prefilled once and continued by the query pass, the no-query pass and the
 * positive [I, I+]; the pair [I, I+] / [mask(I), I-] prefilled one stream after the other into the
 * rows of the lockstep decode's workspace; VAT decoding continuing in it) is compared with the
 * straightforward one (every pass from scratch, each prompt in one decoder call) on the shipped
 * demo model, opened with prefill chunks of 16 so that every prefill of the optimised run spans
 * several calls (I is 64 tokens). The records must agree on everything decided (layer, box, masked
 * cells, the baseline's and the answer's tokens) and on every map and score within the tolerances
 * prefix.test.ts argues: 1e-5 on attention probabilities (onnxruntime's CPU provider agrees bit for
 * bit, measured; the margin is for providers that order float32 sums differently), 1e-4 on logits.
 * That the rows are each stream's own prefill bit for bit is pinned in chunked-prefill.test.ts.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileBundle } from '../../src/engine/compiler/compile.ts';
import { LaserModel } from '../../src/engine/laser/model.ts';
import { runMethod, type RunMethodResult } from '../../src/engine/laser/run-method.ts';
import { maxAbsDiff } from '../support/tiny-bundle.ts';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const samples = join(repo, 'resources/samples');

let root: string;
let optimised: LaserModel;
let straight: LaserModel;
let questions: { sceneId: string; text: string }[];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'laser-shared-work-'));
  await compileBundle(join(repo, 'resources/models/laser-demo'), join(root, 'bundle'));
  optimised = await LaserModel.open(join(root, 'bundle'), { device: 'cpu', threads: 1, prefillChunk: 16 });
  straight = await LaserModel.open(join(root, 'bundle'), { device: 'cpu', threads: 1, prefillChunk: 0 });
  questions = (JSON.parse(await readFile(join(samples, 'questions.json'), 'utf8')) as { questions: { sceneId: string; text: string }[] }).questions;
});
afterAll(async () => {
  await optimised?.dispose();
  await straight?.dispose();
  if (root) await rm(root, { recursive: true, force: true });
});

function expectSameRecord(a: RunMethodResult, b: RunMethodResult): void {
  const [x, y] = [a.record, b.record];
  expect(x.prompt.sharedPrefix).toBeGreaterThan(0);
  expect(y.prompt.sharedPrefix).toBe(0);
  for (const k of ['layer', 'layerChoice', 'box', 'maskedCells', 'fallback', 'baselineTokens', 'answerTokens', 'answer', 'stopReason'] as const)
    expect(x[k], k).toEqual(y[k]);
  expect(x.vaq!.length).toBe(y.vaq!.length);
  expect(maxAbsDiff(Float64Array.from(x.vaq!), Float64Array.from(y.vaq!))).toBeLessThan(1e-5);
  const names = Object.keys(b.tensors).sort();
  expect(Object.keys(a.tensors).sort()).toEqual(names);
  expect(names).toEqual(expect.arrayContaining(['a_q', 'a_0', 'A', 'M', 'input.crop', 'input.vat-contrast']));
  for (const name of names as (keyof typeof a.tensors)[]) {
    expect(a.tensors[name]!.shape, name).toEqual(b.tensors[name]!.shape);
    expect(maxAbsDiff(a.tensors[name]!.data, b.tensors[name]!.data), name).toBeLessThan(1e-5);
  }
  for (const [steps, other] of [
    [x.steps, y.steps],
    [x.baselineSteps, y.baselineSteps],
  ] as const) {
    expect(steps.length).toBe(other.length);
    for (const [t, s] of steps.entries()) {
      const o = other[t]!;
      expect(s.candidates.map((c) => c.token)).toEqual(o.candidates.map((c) => c.token));
      for (const [i, c] of s.candidates.entries()) {
        const d = o.candidates[i]!;
        expect(Math.abs(c.positive - d.positive)).toBeLessThan(1e-4);
        expect(Math.abs((c.negative ?? 0) - (d.negative ?? 0))).toBeLessThan(1e-4);
        expect(Math.abs(c.fused - d.fused)).toBeLessThan(1e-4);
      }
    }
  }
}

describe('LASER on the demo model, optimised vs straightforward', () => {
  for (const feed of ['pair', 'crop-only'] as const) {
    it(`gives the same record with feed ${feed} on three sample questions`, async () => {
      for (const q of questions.slice(0, 12).filter((_, i) => i % 4 === 0)) {
        const run = (model: LaserModel, reusePrefix: boolean) =>
          runMethod({
            bundle: model,
            imagePath: join(samples, 'images', `${q.sceneId}.png`),
            question: q.text,
            method: 'laser',
            knobs: { feed },
            cacheDir: null,
            options: { maxNewTokens: 4, reusePrefix },
          });
        expectSameRecord(await run(optimised, true), await run(straight, false));
      }
    });
  }
});
