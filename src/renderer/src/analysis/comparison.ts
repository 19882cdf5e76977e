/**
 * "Run all six": each method in turn on the same image and question, and the table that compares
 * them (answer, the layer its map came from, its crop box, its time). One method failing (a knob
 * this model cannot take) does not stop the others; cancelling stops the rest.
 */
import { toErrorData, type WorkbenchErrorData } from '../../../common/contract/errors.ts';
import type { LaserResult } from '../../../common/contract/methods.ts';
import type { MethodId } from '../../../common/laser/knobs.ts';
import { answerText } from '../../../common/laser/answer-text.ts';
import { METHODS_FIGURE_WIDTH, methodComparisonSvg } from '../../../common/figures/index.ts';
import { figureProvenance } from '../../../common/laser/provenance.ts';
import { methodsFigure } from '../../../common/laser/record-figures.ts';

export type Outcome = { status: 'pending' } | { status: 'running' } | { status: 'ok'; result: LaserResult } | { status: 'error'; error: WorkbenchErrorData };

/**
 * Runs `methods` one after another. `report` hears each method start and end. Stops before the next
 * method once `signal` is aborted; the methods not run stay 'pending'.
 */
export async function runInTurn(
  methods: readonly MethodId[],
  runOne: (method: MethodId) => Promise<LaserResult>,
  signal: AbortSignal,
  report: (method: MethodId, outcome: Outcome) => void,
): Promise<void> {
  for (const m of methods) {
    if (signal.aborted) return;
    report(m, { status: 'running' });
    try {
      report(m, { status: 'ok', result: await runOne(m) });
    } catch (e) {
      report(m, { status: 'error', error: toErrorData(e) });
    }
  }
}

/** [x0, y0, x1, y1] as "x0,y0 → x1,y1 (w × h)". */
export function formatBox(box: readonly [number, number, number, number] | null): string {
  if (!box) return '—';
  const [x0, y0, x1, y1] = box;
  return `${x0},${y0} → ${x1},${y1} (${x1 - x0} × ${y1 - y0})`;
}

/** The same, short, for a table cell: "w × h @ x0,y0". */
export function formatBoxShort(box: readonly [number, number, number, number] | null): string {
  if (!box) return '—';
  const [x0, y0, x1, y1] = box;
  return `${x1 - x0}×${y1 - y0} @ ${x0},${y0}`;
}

export interface ComparisonRow {
  method: MethodId;
  /** The answer, or for an empty one why it is empty (answerText). */
  answer: string;
  empty: boolean;
  /** The baseline (vanilla) answer differs from this one. */
  changed: boolean;
  layer: string;
  box: string;
  boxShort: string;
  ms: number | null;
  cached: boolean;
}

export function comparisonRow(method: MethodId, r: LaserResult): ComparisonRow {
  const rec = r.record;
  return {
    method,
    answer: rec.answer.trim() || answerText(rec.answer, rec.stopReason),
    empty: rec.answer.trim() === '',
    changed: rec.answer.trim() !== rec.baselineAnswer.trim(),
    layer: rec.layer === null ? '—' : String(rec.layer),
    box: formatBox(rec.box),
    boxShort: formatBoxShort(rec.box),
    ms: rec.timings.total ?? null,
    cached: r.cached,
  };
}

/** The runs that finished, in the table's order. */
export function finishedRuns(outcomes: Partial<Record<MethodId, Outcome>>): LaserResult[] {
  return Object.values(outcomes).flatMap((o) => (o?.status === 'ok' ? [o.result] : []));
}

/**
 * The table as a figure, as `laser figure <first run> --kind compare --with <the others, in order>`
 * draws it: the baseline, each method's answer and layer, its box on the picture `href`; the first
 * run's provenance.
 */
export function methodsTableFigure(runs: readonly LaserResult[], href: string): { svg: string; about: string } {
  const first = runs[0]?.record;
  if (!first) throw new Error('no method has finished');
  const image = { href, width: first.image.width, height: first.image.height };
  return {
    svg: methodComparisonSvg(
      methodsFigure(
        runs.map((r) => r.record),
        image,
        true,
      ),
    ),
    about: figureProvenance(first),
  };
}

/** The longest side of the picture the table's figure embeds for a PNG at `dpi`: what laser figure embeds at that scale. */
export function methodsPictureSide(dpi: number): number {
  return Math.ceil(METHODS_FIGURE_WIDTH * 0.42 * Math.max(2, dpi / 96));
}
