/** The analysis side of the image view: run controls, what went wrong, the comparison of all six, the result, and the stored runs. */
import { lazy, Suspense } from 'react';
import type { ImageEntry } from '../../../common/contract/methods.ts';
import { ErrorPanel } from '../common/ErrorPanel.tsx';
import { useApi } from '../host-context.tsx';
import { ComparisonTable } from './ComparisonTable.tsx';
import { finishedRuns, methodsPictureSide, methodsTableFigure } from './comparison.ts';
import { imageAsDataUrl } from './export-files.ts';
import { FigureExport } from './FigureExport.tsx';
import { fileStem } from './figure-files.ts';
import { CompareView } from './CompareView.tsx';
import { usePins, useRestoredPins } from './pins.ts';
import { RecordsList } from './RecordsList.tsx';
import { Section } from './Section.tsx';
import { RunForm } from './RunForm.tsx';
import type { Analysis } from './use-analysis.ts';
import { WorldQuestions } from './WorldQuestions.tsx';

// The result views carry ECharts (most of the renderer's code): loaded when the first result shows,
// so opening the workbench and browsing a library does not wait for it.
const ResultView = lazy(() => import('./ResultView.tsx').then((m) => ({ default: m.ResultView })));

export function AnalysisPanel({ a, entry }: { a: Analysis; entry: ImageEntry }) {
  const api = useApi();
  const e = a.error;
  const comparison = a.comparison;
  const questions = a.worldQuestions;
  const known = questions.status === 'ok' ? questions.value : [];
  const pins = usePins();
  useRestoredPins(api);
  return (
    <div className="analysis-panel" data-testid="analysis-panel">
      <RunForm a={a} />
      {known.length > 0 || questions.status === 'error' ? (
        <Section title={`Questions this world asks (${known.length})`} testId="section-world-questions" extra="with their true answers">
          <WorldQuestions questions={questions} current={a.question} onPick={a.setQuestion} />
        </Section>
      ) : null}
      {e &&
        (e.error.code === 'cancelled' ? (
          <div className="note small muted" data-testid="run-cancelled">
            {e.method} was cancelled.
          </div>
        ) : (
          <ErrorPanel title={`${e.method} did not run`} error={e.error} testId="analysis-error" />
        ))}
      {comparison && (
        <Section title="All six methods" testId="section-comparison">
          <ComparisonTable comparison={comparison} current={a.result} onShow={a.show} />
          <div className="export-row">
            <span className="form-label">Table</span>
            <FigureExport
              id="methods"
              what="the methods compared"
              fileName={(f) => `${fileStem(entry.name)}-methods.${f}`}
              make={async (forPdf, dpi) => {
                const url = api.mediaUrl({ kind: 'original', path: entry.path });
                return methodsTableFigure(finishedRuns(comparison), await imageAsDataUrl(url, methodsPictureSide(dpi), forPdf));
              }}
              disabled={finishedRuns(comparison).length === 0 ? 'no method has finished' : a.running ? 'the methods are still running' : null}
            />
          </div>
        </Section>
      )}
      {!a.result && !a.running && !e && !a.comparison && (
        <p className="muted small empty-hint" data-testid="analysis-empty">
          Ask a question and run a method. A run shows the answer beside the baseline (vanilla) answer, the layer LASER chose by VAQ, its map over the picture
          with the crop box and the masked cells, every layer&apos;s map, and the decoding step by step. Runs are stored, so asking again answers from the
          record.
        </p>
      )}
      {a.result && (
        <Suspense fallback={<div className="muted small">Loading the views…</div>}>
          <ResultView
            a={a}
            result={a.result}
            imageName={entry.name}
            imageUrl={api.mediaUrl({ kind: 'original', path: entry.path })}
            thumbnailUrl={api.mediaUrl({ kind: 'thumbnail', path: entry.path, size: 128 })}
          />
        </Suspense>
      )}
      {pins.length > 0 && (
        <Section title={`Compare (${pins.length} pinned)`} testId="section-compare" extra="linked layer and scale">
          <CompareView />
        </Section>
      )}
      <Section title="Previous runs on this image" testId="section-records">
        <RecordsList records={a.records} current={a.result} onOpen={a.openRecord} />
      </Section>
    </div>
  );
}
