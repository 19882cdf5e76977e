/**
 * The summary as tables, for the terminal (aligned text) or a markdown file. Percentages with one
 * decimal; the JSON report keeps the exact fractions.
 */
import type { LayerCounts, Mean, MethodSummary } from './summary.ts';

export type TableStyle = 'text' | 'markdown';

export interface Table {
  title: string;
  head: string[];
  rows: string[][];
}

/** Group keys with more values than this get no table of their own (the JSON report has them all). */
const MAX_GROUP_COLUMNS = 12;

export function pct(x: number | null): string {
  return x === null ? '-' : (100 * x).toFixed(1);
}

export function layersText(counts: LayerCounts): string {
  const entries = Object.entries(counts).sort(([a], [b]) => Number(a) - Number(b));
  return entries.length === 0 ? '-' : entries.map(([l, n]) => `${l}:${n}`).join(' ');
}

export function renderTable(t: Table, style: TableStyle): string[] {
  if (style === 'markdown') {
    const esc = (c: string) => c.replaceAll('|', '\\|');
    return [`| ${t.head.map(esc).join(' | ')} |`, `|${t.head.map(() => '---').join('|')}|`, ...t.rows.map((r) => `| ${r.map(esc).join(' | ')} |`)];
  }
  const widths = t.head.map((h, i) => Math.max(h.length, ...t.rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(t.head), line(widths.map((w) => '-'.repeat(w))), ...t.rows.map(line)];
}

function groupValues(
  summaries: [string, MethodSummary][],
  pick: (s: MethodSummary) => Record<string, Record<string, unknown>> | undefined,
): Map<string, string[]> {
  const out = new Map<string, Set<string>>();
  for (const [, s] of summaries) {
    for (const [key, values] of Object.entries(pick(s) ?? {})) {
      if (!out.has(key)) out.set(key, new Set());
      for (const v of Object.keys(values)) out.get(key)!.add(v);
    }
  }
  return new Map([...out].map(([k, v]) => [k, [...v].sort()]));
}

/** Every table the summary gives, in reading order; tables with nothing to show are left out. */
export function summaryTables(summary: Record<string, MethodSummary>): Table[] {
  const entries = Object.entries(summary);
  const tables: Table[] = [];
  const meanCell = (m: Mean | undefined) => (m === undefined ? '-' : `${pct(m.mean)} (${m.samples})`);
  const withErrors = entries.some(([, s]) => (s.errors ?? 0) > 0);

  if (entries.some(([, s]) => s.accuracy.samples > 0)) {
    tables.push({
      title: 'Accuracy (%, samples)',
      // an errors column only when some run could not be made (missing images)
      head: ['method', 'accuracy', 'runs', 'cached', 'ms/run', ...(withErrors ? ['errors'] : [])],
      rows: entries.map(([m, s]) => [
        m,
        meanCell(s.accuracy),
        String(s.runs),
        String(s.cached),
        s.meanMs === null ? '-' : s.meanMs.toFixed(0),
        ...(withErrors ? [String(s.errors)] : []),
      ]),
    });
    for (const [key, values] of groupValues(entries, (s) => s.accuracy.byGroup)) {
      if (values.length > MAX_GROUP_COLUMNS) continue;
      tables.push({
        title: `Accuracy by ${key} (%, samples)`,
        head: ['method', ...values],
        rows: entries.map(([m, s]) => [m, ...values.map((v) => meanCell(s.accuracy.byGroup[key]?.[v]))]),
      });
    }
  }

  const pope = entries.filter(([, s]) => s.pope !== null);
  if (pope.length > 0) {
    tables.push({
      title: 'POPE (%)',
      head: ['method', 'split', 'samples', 'accuracy', 'precision', 'recall', 'F1', 'yes'],
      rows: pope.flatMap(([m, s]) =>
        [...Object.entries(s.pope!.bySplit), ...(Object.keys(s.pope!.bySplit).length > 1 ? [['all', s.pope!.overall] as const] : [])].map(([split, p]) => [
          m,
          split,
          String(p.samples),
          pct(p.accuracy),
          pct(p.precision),
          pct(p.recall),
          pct(p.f1),
          pct(p.yesRatio),
        ]),
      ),
    });
  }

  const grounded = entries.filter(([, s]) => s.grounding !== null);
  if (grounded.length > 0) {
    tables.push({
      title: 'Attention aggregation: share of map mass inside the box (%)',
      head: ['method', 'samples', 'raw a_q', 'method map', 'uniform (chance)', 'box in crop', 'fallbacks'],
      rows: grounded.map(([m, s]) => [
        m,
        String(s.grounding!.samples),
        pct(s.grounding!.raw),
        pct(s.grounding!.map),
        pct(s.grounding!.uniform),
        pct(s.grounding!.crop),
        String(s.grounding!.fallbacks),
      ]),
    });
  }

  const layered = entries.filter(([, s]) => s.layers !== null);
  if (layered.length > 0) {
    tables.push({
      title: 'Layer of the map (layer:runs)',
      head: ['method', 'mode', 'layers'],
      rows: layered.map(([m, s]) => [m, s.layers!.mode, layersText(s.layers!.overall)]),
    });
    const chosen = layered.filter(([, s]) => s.layers!.mode !== 'fixed');
    for (const key of ['family', 'split']) {
      const rows = chosen.flatMap(([m, s]) => Object.entries(s.layers!.byGroup[key] ?? {}).map(([v, counts]) => [m, v, layersText(counts)]));
      if (rows.length > 0) tables.push({ title: `Chosen layer by ${key} (layer:runs)`, head: ['method', key, 'layers'], rows });
    }
  }
  return tables;
}

export function renderTables(tables: readonly Table[], style: TableStyle): string[] {
  const out: string[] = [];
  for (const t of tables) {
    if (out.length > 0) out.push('');
    out.push(style === 'markdown' ? `### ${t.title}` : t.title, ...(style === 'markdown' ? [''] : []), ...renderTable(t, style));
  }
  return out;
}
