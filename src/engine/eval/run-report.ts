/**
 * `laser report`: run folders (run-folder.ts) as a report a paper can cite. Per run (benchmark)
 * and method: the accuracy (mean score of the rows that have one) with a 95 % percentile bootstrap
 * interval, the same per group value (split, question family, object size, answer type ...); for
 * every two methods of a run, on the samples both scored, the paired difference (second minus
 * first) with its bootstrap interval and, when the scores are right/wrong (0/1), McNemar's exact
 * test; an SVG chart of the accuracies with their intervals; the manifest of each run. Rendered as
 * Markdown or as one self-contained HTML file (inline SVG, no script, no network).
 */
import { join, resolve } from 'node:path';
import { WorkbenchError } from '../../common/contract/errors.ts';
import { readManifest, readRows, RESULTS_FILE, type RunManifest, type RunRow } from './run-folder.ts';
import { bootstrapMeanCI, mcnemarOfScores, pairedDifferenceCI, type BootstrapOptions, type Interval, type McNemar } from './stats.ts';
import { REPORT_CSS } from './report-style.ts';

/** Group values beyond this many get no table (question_type of VQA v2 has 65). */
const MAX_GROUP_VALUES = 24;

export interface MethodRow {
  method: string;
  accuracy: Interval | null;
  errors: number;
}

export interface GroupTable {
  key: string;
  values: string[];
  /** method → value → interval (null: no scored row). */
  cells: Record<string, Record<string, Interval | null>>;
}

export interface PairRow {
  a: string;
  b: string;
  /** Samples both methods scored. */
  n: number;
  difference: Interval | null;
  /** Only when every paired score is 0 or 1. */
  mcnemar: McNemar | null;
}

export interface RunReport {
  dir: string;
  name: string;
  manifest: RunManifest;
  complete: boolean;
  rows: number;
  methods: MethodRow[];
  groups: GroupTable[];
  pairs: PairRow[];
}

export type ReportOptions = BootstrapOptions;

function scoresOf(rows: readonly RunRow[], method: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of rows) if (r.method === method && r.status === 'ok' && r.score !== null) out.set(r.id, r.score);
  return out;
}

export function reportOfRows(dir: string, manifest: RunManifest, rows: readonly RunRow[], o: ReportOptions = {}): RunReport {
  const methods = manifest.identity.methods;
  const methodRows: MethodRow[] = methods.map((m) => ({
    method: m,
    accuracy: bootstrapMeanCI([...scoresOf(rows, m).values()], o),
    errors: rows.filter((r) => r.method === m && r.status === 'error').length,
  }));
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r.groups)))].sort();
  const groups: GroupTable[] = [];
  for (const key of keys) {
    const values = [...new Set(rows.flatMap((r) => (r.groups[key] === undefined ? [] : [r.groups[key]])))].sort();
    if (values.length < 2 || values.length > MAX_GROUP_VALUES) continue;
    const cells: GroupTable['cells'] = {};
    let anyInterval = false;
    for (const m of methods) {
      const row: GroupTable['cells'][string] = {};
      for (const v of values) {
        const xs = rows.filter((r) => r.method === m && r.status === 'ok' && r.score !== null && r.groups[key] === v).map((r) => r.score!);
        row[v] = bootstrapMeanCI(xs, o);
        if (row[v] !== null) anyInterval = true;
      }
      cells[m] = row;
    }
    if (anyInterval) groups.push({ key, values, cells });
  }
  const pairs: PairRow[] = [];
  for (const [i, ma] of methods.entries()) {
    for (const mb of methods.slice(i + 1)) {
      const sa = scoresOf(rows, ma);
      const sb = scoresOf(rows, mb);
      const ids = [...sa.keys()].filter((id) => sb.has(id));
      const a = ids.map((id) => sa.get(id)!);
      const b = ids.map((id) => sb.get(id)!);
      const binary = [...a, ...b].every((x) => x === 0 || x === 1);
      pairs.push({
        a: ma,
        b: mb,
        n: ids.length,
        difference: pairedDifferenceCI(a, b, o),
        mcnemar: binary && ids.length > 0 ? mcnemarOfScores(a, b) : null,
      });
    }
  }
  const name = `${manifest.identity.dataset.name} (${manifest.identity.bundle.name})`;
  return { dir, name, manifest, complete: rows.length === manifest.expected, rows: rows.length, methods: methodRows, groups, pairs };
}

/** Reads each run folder and reports it. */
export async function buildRunReports(dirs: readonly string[], o: ReportOptions = {}): Promise<RunReport[]> {
  if (dirs.length === 0) throw new WorkbenchError('bad-request', 'No run folders to report.', 'Pass one or more folders made by laser eval --run.');
  const out: RunReport[] = [];
  for (const d of dirs) {
    const dir = resolve(d);
    const manifest = await readManifest(dir);
    if (manifest === null)
      throw new WorkbenchError(
        'not-found',
        `${dir}: no manifest.json; not a laser eval run folder.`,
        'Pass folders made by laser eval --run (or laser eval merge).',
      );
    const { rows } = await readRows(join(dir, RESULTS_FILE));
    out.push(reportOfRows(dir, manifest, rows, o));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// rendering

const pct = (x: number) => (100 * x).toFixed(1);
const ciText = (c: Interval | null) => (c === null ? '-' : `${pct(c.estimate)} [${pct(c.low)}, ${pct(c.high)}]`);
const diffText = (c: Interval | null) => (c === null ? '-' : `${c.estimate >= 0 ? '+' : ''}${pct(c.estimate)} [${pct(c.low)}, ${pct(c.high)}]`);
const pText = (p: number) => (p < 0.001 ? p.toExponential(1) : p.toFixed(3));

interface Table {
  title: string;
  head: string[];
  rows: string[][];
}

function tablesOf(r: RunReport): Table[] {
  const tables: Table[] = [
    {
      title: 'Accuracy (%, 95 % bootstrap interval)',
      head: ['method', 'accuracy', 'n', 'errors'],
      rows: r.methods.map((m) => [m.method, ciText(m.accuracy), String(m.accuracy?.n ?? 0), String(m.errors)]),
    },
  ];
  for (const g of r.groups) {
    tables.push({
      title: `Accuracy by ${g.key} (%, 95 % interval)`,
      head: ['method', ...g.values],
      rows: Object.entries(g.cells).map(([m, cells]) => [m, ...g.values.map((v) => ciText(cells[v] ?? null))]),
    });
  }
  if (r.pairs.length > 0) {
    tables.push({
      title: 'Paired differences (second minus first, percentage points, 95 % bootstrap interval; McNemar exact test on right/wrong)',
      head: ['first', 'second', 'n', 'difference', 'only first right', 'only second right', 'McNemar p'],
      rows: r.pairs.map((p) => [
        p.a,
        p.b,
        String(p.n),
        diffText(p.difference),
        p.mcnemar ? String(p.mcnemar.onlyA) : '-',
        p.mcnemar ? String(p.mcnemar.onlyB) : '-',
        p.mcnemar ? pText(p.mcnemar.p) : '-',
      ]),
    });
  }
  return tables;
}

function manifestSummary(m: RunManifest): string[] {
  const id = m.identity;
  return [
    `bundle ${id.bundle.name} (${id.bundle.modelType}, ${id.bundle.dtype}, sha256 ${id.bundle.hash.slice(0, 12)})`,
    `dataset ${id.dataset.name} (${id.dataset.format}, ${id.dataset.evaluated} of ${id.dataset.samples} samples, sha256 ${id.dataset.hash.slice(0, 12)}): ${m.dataset.sources.join(', ')}`,
    `methods ${id.methods.join(', ')}; options ${JSON.stringify(id.options)}`,
    `program ${m.program.name} ${m.program.version}${m.program.commit ? ` (${m.program.commit.slice(0, 12)})` : ''}, ${m.device}; ${m.startedAt} to ${m.endedAt ?? 'unfinished'}`,
  ];
}

export function renderMarkdown(reports: readonly RunReport[]): string {
  const out: string[] = ['# LASER evaluation report', ''];
  const esc = (c: string) => c.replaceAll('|', '\\|');
  for (const r of reports) {
    out.push(`## ${r.name}`, '', `Run folder \`${r.dir}\`: ${r.rows} of ${r.manifest.expected} rows${r.complete ? '' : ' (unfinished)'}.`, '');
    for (const l of manifestSummary(r.manifest)) out.push(`- ${l}`);
    out.push('');
    for (const t of tablesOf(r)) {
      out.push(
        `### ${t.title}`,
        '',
        `| ${t.head.map(esc).join(' | ')} |`,
        `|${t.head.map(() => '---').join('|')}|`,
        ...t.rows.map((row) => `| ${row.map(esc).join(' | ')} |`),
        '',
      );
    }
    out.push('<details><summary>manifest.json</summary>', '', '```json', JSON.stringify(r.manifest, null, 2), '```', '', '</details>', '');
  }
  return out.join('\n');
}

const escHtml = (s: string) => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

/** Horizontal bars (0..100 %) with interval whiskers, one per label. */
export function intervalChart(title: string, bars: readonly { label: string; ci: Interval | null }[]): string {
  const rowH = 22;
  const left = 150;
  const width = 360;
  const h = 30 + rowH * bars.length + 20;
  const x = (v: number) => left + v * width;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${left + width + 70}" height="${h}" role="img" aria-label="${escHtml(title)}">`,
    `<text x="4" y="16" font-size="13" font-weight="bold">${escHtml(title)}</text>`,
  ];
  for (const t of [0, 0.25, 0.5, 0.75, 1])
    parts.push(
      `<line x1="${x(t)}" y1="24" x2="${x(t)}" y2="${h - 18}" stroke="#ddd"/><text x="${x(t)}" y="${h - 4}" font-size="10" text-anchor="middle">${t * 100}</text>`,
    );
  bars.forEach((b, k) => {
    const y = 28 + k * rowH;
    parts.push(`<text x="${left - 6}" y="${y + 13}" font-size="11" text-anchor="end">${escHtml(b.label)}</text>`);
    if (b.ci === null) return;
    parts.push(`<rect x="${left}" y="${y + 3}" width="${(b.ci.estimate * width).toFixed(1)}" height="${rowH - 8}" fill="#6a8fd0"/>`);
    parts.push(`<line x1="${x(b.ci.low).toFixed(1)}" y1="${y + 9}" x2="${x(b.ci.high).toFixed(1)}" y2="${y + 9}" stroke="#222" stroke-width="1.5"/>`);
    for (const v of [b.ci.low, b.ci.high])
      parts.push(`<line x1="${x(v).toFixed(1)}" y1="${y + 4}" x2="${x(v).toFixed(1)}" y2="${y + 14}" stroke="#222" stroke-width="1.5"/>`);
    parts.push(`<text x="${x(1) + 6}" y="${y + 13}" font-size="10">${pct(b.ci.estimate)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}

export function renderHtml(reports: readonly RunReport[]): string {
  const out: string[] = [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8"><title>LASER evaluation report</title>',
    `<style>${REPORT_CSS}</style>`,
    '</head><body><h1>LASER evaluation report</h1>',
  ];
  for (const r of reports) {
    out.push(
      `<h2>${escHtml(r.name)}</h2>`,
      `<p>Run folder <code>${escHtml(r.dir)}</code>: ${r.rows} of ${r.manifest.expected} rows${r.complete ? '' : ' (unfinished)'}.</p>`,
    );
    out.push('<ul>', ...manifestSummary(r.manifest).map((l) => `<li>${escHtml(l)}</li>`), '</ul>');
    out.push(
      intervalChart(
        'Accuracy (%) with 95 % interval',
        r.methods.map((m) => ({ label: m.method, ci: m.accuracy })),
      ),
    );
    for (const g of r.groups) {
      out.push(
        intervalChart(
          `Accuracy by ${g.key} (%)`,
          Object.entries(g.cells).flatMap(([m, cells]) => g.values.map((v) => ({ label: `${m} ${v}`, ci: cells[v] ?? null }))),
        ),
      );
    }
    for (const t of tablesOf(r)) {
      out.push(`<h3>${escHtml(t.title)}</h3><table><tr>${t.head.map((h) => `<th>${escHtml(h)}</th>`).join('')}</tr>`);
      for (const row of t.rows) out.push(`<tr>${row.map((c) => `<td>${escHtml(c)}</td>`).join('')}</tr>`);
      out.push('</table>');
    }
    out.push(`<details><summary>manifest.json</summary><pre>${escHtml(JSON.stringify(r.manifest, null, 2))}</pre></details>`);
  }
  out.push('</body></html>', '');
  return out.join('\n');
}
