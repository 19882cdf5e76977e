/**
 * The JSON report of an evaluation: what was evaluated (dataset, bundle, methods, every knob), the
 * per-method summary (summary.ts), and every sample with each method's answer, score, layer,
 * grounding and record folder, so any figure can be traced back to the run that made it.
 * Fractions are in 0..1.
 */
import { resolve } from 'node:path';
import type { EvaluateResult } from './evaluate.ts';
import type { SampleResult } from './score.ts';
import { summarize, type MethodSummary } from './summary.ts';
import { writeJsonAtomically } from '../library/atomic-write.ts';

export const REPORT_FORMAT = 'laser-eval-report';
export const REPORT_VERSION = 1;

export interface EvalReport {
  format: typeof REPORT_FORMAT;
  version: typeof REPORT_VERSION;
  createdAt: string;
  dataset: { format: string; name: string; sources: string[]; samples: number; evaluated: number };
  bundle: EvaluateResult['bundle'];
  methods: string[];
  knobs: EvaluateResult['knobs'];
  cacheDir: string | null;
  summary: Record<string, MethodSummary>;
  samples: {
    id: string;
    image: string;
    question: string;
    groups: Record<string, string>;
    answers?: readonly string[];
    pope?: string;
    box?: readonly number[];
    results: Record<string, Omit<SampleResult, 'sampleId' | 'method'>>;
  }[];
}

export function buildReport(r: EvaluateResult): EvalReport {
  const bySample = new Map<string, SampleResult[]>();
  for (const x of r.results) bySample.set(x.sampleId, [...(bySample.get(x.sampleId) ?? []), x]);
  return {
    format: REPORT_FORMAT,
    version: REPORT_VERSION,
    createdAt: new Date().toISOString(),
    dataset: { format: r.dataset.format, name: r.dataset.name, sources: r.dataset.sources, samples: r.dataset.samples.length, evaluated: r.samples.length },
    bundle: r.bundle,
    methods: r.methods,
    knobs: r.knobs,
    cacheDir: r.cacheDir,
    summary: summarize(r.methods, r.samples, r.results),
    samples: r.samples.map((s) => ({
      id: s.id,
      image: s.imagePath,
      question: s.question,
      groups: { ...s.groups },
      ...(s.vqa ? { answers: s.vqa.answers } : {}),
      ...(s.pope ? { pope: s.pope } : {}),
      ...(s.box ? { box: [...s.box] } : {}),
      results: Object.fromEntries((bySample.get(s.id) ?? []).map(({ sampleId: _s, method, ...rest }) => [method, rest])),
    })),
  };
}

/** Writes JSON whole or not at all (a temporary sibling, fsynced, renamed into place). */
export async function writeJsonFile(path: string, value: unknown): Promise<string> {
  const target = resolve(path);
  await writeJsonAtomically(target, value);
  return target;
}
