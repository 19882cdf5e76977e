/**
 * Per-method figures from the scored runs (pure): mean accuracy overall and per group (family,
 * size, split, answer type ...), POPE accuracy / precision / recall / F1 per split, attention
 * aggregation of the raw and the method's map, and the distribution of the layer the map came from,
 * overall and per group.
 */
import { popeScores, type PopeScores, type YesNo } from '../../common/laser/metrics.ts';
import type { MethodId } from '../../common/laser/knobs.ts';
import type { SampleResult } from './score.ts';
import type { EvalSample } from './types.ts';

export interface Mean {
  samples: number;
  /** null when no sample was scored. */
  mean: number | null;
}

export type PopeSummary = PopeScores & { samples: number };

export interface GroundingMean {
  samples: number;
  raw: number | null;
  map: number | null;
  /** Chance level: the mean share of a uniform map inside the boxes. */
  uniform: number | null;
  /** Mean share of the target's box inside the crop (methods that crop). */
  crop: number | null;
}

/** Layer index (as a string key) → runs whose map came from it. */
export type LayerCounts = Record<string, number>;

export interface MethodSummary {
  /** Runs made (errors not included). */
  runs: number;
  /** Runs that could not be made (missing image, unreadable file): left out of every figure below. */
  errors: number;
  /** Runs answered from the record cache. */
  cached: number;
  /** Mean wall time of the runs made now (not cached), ms; null when all were cached. */
  meanMs: number | null;
  accuracy: Mean & { byGroup: Record<string, Record<string, Mean>> };
  /** Samples with a POPE label; `bySplit` by their `split` group ('all' when they have none). */
  pope: { overall: PopeSummary; bySplit: Record<string, PopeSummary> } | null;
  /** Samples with a box, for methods with a layer. */
  grounding: (GroundingMean & { fallbacks: number; byGroup: Record<string, Record<string, GroundingMean>> }) | null;
  /** Methods with a layer: 'argmax' = chosen per sample (VAQ), 'fixed' = one layer. */
  layers: { mode: 'argmax' | 'fixed' | 'mixed'; overall: LayerCounts; byGroup: Record<string, Record<string, LayerCounts>> } | null;
}

const mean = (xs: readonly number[]): number | null => (xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length);

function meanOf(rs: readonly SampleResult[]): Mean {
  const scored = rs.flatMap((r) => (r.score === null ? [] : [r.score]));
  return { samples: scored.length, mean: mean(scored) };
}

function groundingOf(rs: readonly SampleResult[]): GroundingMean {
  const with_ = rs.filter((r) => r.aggregation !== null);
  return {
    samples: with_.length,
    raw: mean(with_.flatMap((r) => (r.aggregation!.raw === null ? [] : [r.aggregation!.raw]))),
    map: mean(with_.flatMap((r) => (r.aggregation!.map === null ? [] : [r.aggregation!.map]))),
    uniform: mean(with_.map((r) => r.aggregation!.uniform)),
    crop: mean(with_.flatMap((r) => (r.aggregation!.crop === null ? [] : [r.aggregation!.crop]))),
  };
}

function layerCounts(rs: readonly SampleResult[]): LayerCounts {
  const out: LayerCounts = {};
  const layers = rs.flatMap((r) => (r.layer === null ? [] : [r.layer])).sort((a, b) => a - b);
  for (const l of layers) out[String(l)] = (out[String(l)] ?? 0) + 1;
  return out;
}

/** Results split by each group key's values: key → value → results. */
function byGroups(rs: readonly SampleResult[], sampleOf: Map<string, EvalSample>): Map<string, Map<string, SampleResult[]>> {
  const out = new Map<string, Map<string, SampleResult[]>>();
  for (const r of rs) {
    for (const [key, value] of Object.entries(sampleOf.get(r.sampleId)!.groups)) {
      if (!out.has(key)) out.set(key, new Map());
      const m = out.get(key)!;
      if (!m.has(value)) m.set(value, []);
      m.get(value)!.push(r);
    }
  }
  return out;
}

function mapGroups<T>(
  groups: Map<string, Map<string, SampleResult[]>>,
  f: (rs: SampleResult[]) => T,
  keep: (rs: SampleResult[]) => boolean = () => true,
): Record<string, Record<string, T>> {
  const out: Record<string, Record<string, T>> = {};
  for (const [key, values] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    const inner: Record<string, T> = {};
    for (const [value, rs] of [...values].sort(([a], [b]) => a.localeCompare(b))) if (keep(rs)) inner[value] = f(rs);
    if (Object.keys(inner).length > 0) out[key] = inner;
  }
  return out;
}

function popeOf(rs: readonly SampleResult[], sampleOf: Map<string, EvalSample>): PopeSummary {
  const preds: YesNo[] = rs.map((r) => r.pope!);
  const labels: YesNo[] = rs.map((r) => sampleOf.get(r.sampleId)!.pope!);
  return { samples: rs.length, ...popeScores(preds, labels) };
}

export function summarizeMethod(method: MethodId, samples: readonly EvalSample[], results: readonly SampleResult[]): MethodSummary {
  const sampleOf = new Map(samples.map((s) => [s.id, s]));
  const all = results.filter((r) => r.method === method);
  const rs = all.filter((r) => r.error === null);
  const groups = byGroups(rs, sampleOf);
  const fresh = rs.filter((r) => !r.cached).map((r) => r.ms);

  const popeRuns = rs.filter((r) => sampleOf.get(r.sampleId)!.pope !== undefined);
  let pope: MethodSummary['pope'] = null;
  if (popeRuns.length > 0) {
    const bySplit = new Map<string, SampleResult[]>();
    for (const r of popeRuns) {
      const split = sampleOf.get(r.sampleId)!.groups.split ?? 'all';
      bySplit.set(split, [...(bySplit.get(split) ?? []), r]);
    }
    pope = {
      overall: popeOf(popeRuns, sampleOf),
      bySplit: Object.fromEntries([...bySplit].sort(([a], [b]) => a.localeCompare(b)).map(([s, xs]) => [s, popeOf(xs, sampleOf)])),
    };
  }

  const grounded = rs.filter((r) => r.aggregation !== null);
  const hasAggregation = (xs: SampleResult[]) => xs.some((r) => r.aggregation !== null);
  const grounding: MethodSummary['grounding'] =
    grounded.length === 0
      ? null
      : { ...groundingOf(grounded), fallbacks: grounded.filter((r) => r.fallback).length, byGroup: mapGroups(groups, groundingOf, hasAggregation) };

  const layered = rs.filter((r) => r.layer !== null);
  const modes = new Set(layered.map((r) => r.layerMode));
  const layers: MethodSummary['layers'] =
    layered.length === 0
      ? null
      : {
          mode: modes.size === 1 ? (layered[0]?.layerMode ?? 'fixed') : 'mixed',
          overall: layerCounts(layered),
          byGroup: mapGroups(groups, layerCounts, (xs) => xs.some((r) => r.layer !== null)),
        };

  return {
    runs: rs.length,
    errors: all.length - rs.length,
    cached: rs.length - fresh.length,
    meanMs: mean(fresh),
    accuracy: { ...meanOf(rs), byGroup: mapGroups(groups, meanOf, (xs) => xs.some((r) => r.score !== null)) },
    pope,
    grounding,
    layers,
  };
}

export function summarize(methods: readonly MethodId[], samples: readonly EvalSample[], results: readonly SampleResult[]): Record<string, MethodSummary> {
  return Object.fromEntries(methods.map((m) => [m, summarizeMethod(m, samples, results)]));
}
