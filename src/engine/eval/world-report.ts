/**
 * The report of `laser world evaluate`, a contract other tools read:
 *
 *   {"methods": {"<method>": {"accuracy": x, "bySize": {"small": x, "medium": x, "large": x}, "byFamily": {"<family>": x}}}}
 *
 * Accuracies are in 0..1: the mean over questions of VQA soft accuracy against the world's one
 * answer (1 for a match after VQA normalisation, else 0). `bySize` is by the size class of the
 * question's target object; questions without one ("no" existence questions) count in `accuracy`
 * and `byFamily` only. A size class with no question in the set is `null`; `byFamily` lists the
 * families the set has. Beside "methods" the report adds `bySizeInFamily`, `attentionAggregation`,
 * `layers`, `pope`, `knobs`, `dataset` and `bundle`, which readers of the contract may ignore.
 */
import { z } from 'zod';
import { SIZE_CLASSES } from '../world/vocabulary.ts';
import type { EvaluateResult } from './evaluate.ts';
import { summarize, type GroundingMean, type MethodSummary } from './summary.ts';
import { pct, layersText, type Table } from './tables.ts';

const fraction = z.number().min(0).max(1);

export const worldMethodSchema = z.strictObject({
  accuracy: fraction,
  bySize: z.strictObject({ small: fraction.nullable(), medium: fraction.nullable(), large: fraction.nullable() }),
  byFamily: z.record(z.string(), fraction),
});

/** The contract; extra top-level keys are allowed beside "methods". */
export const worldReportSchema = z.looseObject({ methods: z.record(z.string(), worldMethodSchema) });

export type WorldMethodScores = z.infer<typeof worldMethodSchema>;

export interface WorldReport {
  methods: Record<string, WorldMethodScores>;
  attentionAggregation: Record<string, GroundingMean & { fallbacks: number; byFamily: Record<string, GroundingMean>; bySize: Record<string, GroundingMean> }>;
  /** Accuracy by object size within each family: method → family → size → accuracy (null: none). */
  bySizeInFamily: Record<string, Record<string, Record<(typeof SIZE_CLASSES)[number], number | null>>>;
  layers: Record<
    string,
    { mode: string; overall: Record<string, number>; byFamily: Record<string, Record<string, number>>; bySize: Record<string, Record<string, number>> }
  >;
  pope: Record<string, NonNullable<MethodSummary['pope']>>;
  /** Every method's knobs as its runs used them (defaults and model-adapted values included), so a report says how it was made. */
  knobs: EvaluateResult['knobs'];
  dataset: { name: string; sources: string[]; questions: number; evaluated: number };
  bundle: EvaluateResult['bundle'];
}

export function worldMethodScores(s: MethodSummary): WorldMethodScores {
  const size = s.accuracy.byGroup.size ?? {};
  const fam = s.accuracy.byGroup.family ?? {};
  return {
    accuracy: s.accuracy.mean ?? 0,
    bySize: Object.fromEntries(SIZE_CLASSES.map((c) => [c, size[c]?.mean ?? null])) as WorldMethodScores['bySize'],
    byFamily: Object.fromEntries(Object.entries(fam).flatMap(([f, m]) => (m.mean === null ? [] : [[f, m.mean]]))),
  };
}

function bySizeInFamily(s: MethodSummary): WorldReport['bySizeInFamily'][string] {
  const out: WorldReport['bySizeInFamily'][string] = {};
  for (const [key, m] of Object.entries(s.accuracy.byGroup.familySize ?? {})) {
    const cut = key.lastIndexOf('/');
    const family = key.slice(0, cut);
    out[family] ??= { small: null, medium: null, large: null };
    out[family][key.slice(cut + 1) as (typeof SIZE_CLASSES)[number]] = m.mean;
  }
  return out;
}

export function worldReport(r: EvaluateResult): WorldReport {
  const summary = summarize(r.methods, r.samples, r.results);
  const report: WorldReport = {
    methods: {},
    attentionAggregation: {},
    bySizeInFamily: {},
    layers: {},
    pope: {},
    knobs: r.knobs,
    dataset: { name: r.dataset.name, sources: r.dataset.sources, questions: r.dataset.samples.length, evaluated: r.samples.length },
    bundle: r.bundle,
  };
  for (const [m, s] of Object.entries(summary)) {
    report.methods[m] = worldMethodScores(s);
    report.bySizeInFamily[m] = bySizeInFamily(s);
    if (s.grounding) {
      const { samples, raw, map, uniform, crop, fallbacks } = s.grounding;
      report.attentionAggregation[m] = {
        samples,
        raw,
        map,
        uniform,
        crop,
        fallbacks,
        byFamily: s.grounding.byGroup.family ?? {},
        bySize: s.grounding.byGroup.size ?? {},
      };
    }
    if (s.layers)
      report.layers[m] = { mode: s.layers.mode, overall: s.layers.overall, byFamily: s.layers.byGroup.family ?? {}, bySize: s.layers.byGroup.size ?? {} };
    if (s.pope) report.pope[m] = s.pope;
  }
  return report;
}

/** The "methods" part as one table: accuracy, by size, by family (%). */
export function worldTable(report: Pick<WorldReport, 'methods'>): Table {
  const families = [...new Set(Object.values(report.methods).flatMap((s) => Object.keys(s.byFamily)))].sort();
  return {
    title: 'Accuracy (%)',
    head: ['method', 'accuracy', ...SIZE_CLASSES, ...families],
    rows: Object.entries(report.methods).map(([m, s]) => [
      m,
      pct(s.accuracy),
      ...SIZE_CLASSES.map((c) => pct(s.bySize[c])),
      ...families.map((f) => pct(s.byFamily[f] ?? null)),
    ]),
  };
}

/** Accuracy by family and size with one column per method, the methods' gains side by side. */
export function sizeInFamilyTable(report: Pick<WorldReport, 'bySizeInFamily'>): Table {
  const methods = Object.keys(report.bySizeInFamily);
  const families = [...new Set(Object.values(report.bySizeInFamily).flatMap((byFamily) => Object.keys(byFamily)))].sort();
  return {
    title: 'Accuracy by question family and target size (%)',
    head: ['family', 'size', ...methods],
    rows: families.flatMap((f) => SIZE_CLASSES.map((c) => [f, c, ...methods.map((m) => pct(report.bySizeInFamily[m]?.[f]?.[c] ?? null))])),
  };
}

/** Accuracy by family and size, attention aggregation and chosen layers by family, when there are any. */
export function worldExtraTables(report: WorldReport): Table[] {
  const out: Table[] = [];
  if (Object.values(report.bySizeInFamily).some((f) => Object.keys(f).length > 0)) out.push(sizeInFamilyTable(report));
  const agg = Object.entries(report.attentionAggregation);
  if (agg.length > 0) {
    out.push({
      title: 'Attention aggregation: share of map mass inside the target box; box in crop: share of the target box inside the crop (%)',
      head: [
        'method',
        'samples',
        'raw a_q',
        'method map',
        'uniform (chance)',
        'box in crop',
        'small: map',
        'small: uniform',
        'small: box in crop',
        'fallbacks',
      ],
      rows: agg.map(([m, a]) => [
        m,
        String(a.samples),
        pct(a.raw),
        pct(a.map),
        pct(a.uniform),
        pct(a.crop),
        pct(a.bySize.small?.map ?? null),
        pct(a.bySize.small?.uniform ?? null),
        pct(a.bySize.small?.crop ?? null),
        String(a.fallbacks),
      ]),
    });
  }
  const layers = Object.entries(report.layers).filter(([, l]) => l.mode !== 'fixed');
  if (layers.length > 0) {
    out.push({
      title: 'Chosen layer (layer:questions)',
      head: ['method', 'family', 'layers'],
      rows: layers.flatMap(([m, l]) => [[m, 'all', layersText(l.overall)], ...Object.entries(l.byFamily).map(([f, c]) => [m, f, layersText(c)])]),
    });
  }
  return out;
}
