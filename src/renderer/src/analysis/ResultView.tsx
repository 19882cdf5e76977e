/**
 * One result: the answer beside the baseline (vanilla) answer, then the views that explain it, each
 * in a section that can be folded: the overlay's controls and export, VAQ per layer, the layers side
 * by side, VAQ per head, the decoding steps, the timings, and how the run was made.
 */
import type { LaserResult } from '../../../common/contract/methods.ts';
import { formatDuration } from '../common/format.ts';
import { formatBox } from './comparison.ts';
import { DecodingTable } from './DecodingTable.tsx';
import { ExportButtons } from './ExportButtons.tsx';
import { HeadsChart } from './HeadsChart.tsx';
import { LayerStrip } from './LayerStrip.tsx';
import { InputsView } from './InputsView.tsx';
import { pinStore, usePins } from './pins.ts';
import { OverlayControls } from './OverlayControls.tsx';
import { Section } from './Section.tsx';
import { Timings } from './Timings.tsx';
import type { Analysis } from './use-analysis.ts';
import { VaqChart } from './VaqChart.tsx';
import { answersTruth } from '../../../common/laser/truth.ts';
import { answerText, baselineAnswerText } from '../../../common/laser/answer-text.ts';

function verdict(what: string, right: boolean) {
  return <span className={right ? 'good' : 'bad'}>{`${what} ${right ? 'right ✓' : 'wrong ✗'}`}</span>;
}

function RunFacts({ result }: { result: LaserResult }) {
  const r = result.record;
  const knobs = Object.entries(r.knobs);
  return (
    <dl className="facts small">
      <dt>model</dt>
      <dd>
        {r.bundle.name}{' '}
        <span className="muted">
          · {r.bundle.layers} × {r.bundle.heads} · grid {r.geometry.gridHeight} × {r.geometry.gridWidth}
          {r.bundle.viewEncoding === 'native-resolution' ? ' (this image; each view its own)' : ''} · {r.bundle.preprocessing} · {r.bundle.provider}
        </span>
      </dd>
      <dt>knobs</dt>
      <dd className="mono">{knobs.length === 0 ? 'none' : knobs.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join('  ')}</dd>
      {r.knobNotes.length > 0 && (
        <>
          <dt>notes</dt>
          <dd>
            {r.knobNotes.map((n, i) => (
              <div key={i}>{n}</div>
            ))}
          </dd>
        </>
      )}
      <dt>box</dt>
      <dd className="mono">
        {formatBox(r.box)}
        {r.crop ? ` · ${r.crop.rule}${r.crop.degenerate ? ' (whole image)' : ''}` : ''}
      </dd>
      <dt>masked</dt>
      <dd>{r.maskedCells.length} cells</dd>
      <dt>prompt</dt>
      <dd className="mono prompt-text">{r.prompt.queryText}</dd>
      <dt>record</dt>
      <dd className="mono" title={result.id}>
        {result.id.slice(0, 16)}… · {new Date(r.createdAt).toLocaleString()}
      </dd>
    </dl>
  );
}

export function ResultView({
  a,
  result,
  thumbnailUrl,
  imageUrl,
  imageName,
}: {
  a: Analysis;
  result: LaserResult;
  thumbnailUrl: string;
  imageUrl: string;
  imageName: string;
}) {
  const r = result.record;
  // the world question this run asked, when the image is a generated world's
  const truth = a.truth;
  const pick = (layer: number) => a.setView({ layer, map: 'A' });
  const changed = r.answer.trim() !== r.baselineAnswer.trim();
  const pins = usePins();
  return (
    <div className="result" data-testid="analysis-result" data-method={r.method} data-layer={r.layer ?? ''}>
      <div className="answer-block">
        <div className="answer-row">
          <span className="form-label">Answer</span>
          <span className="answer" data-testid="analysis-answer">
            {r.answer.trim() || <span className="muted">{answerText(r.answer, r.stopReason)}</span>}
          </span>
        </div>
        <div className="answer-row">
          <span className="form-label" title="greedy decoding on the image with the same prompt">
            Baseline
          </span>
          <span className={`baseline${changed ? ' differs' : ''}`} data-testid="analysis-baseline">
            {r.baselineAnswer.trim() || <span className="muted">{baselineAnswerText(r)}</span>}
          </span>
          <span className="muted small">{changed ? 'changed by the method' : 'same'}</span>
        </div>
        {truth && (
          <div className="answer-row" data-testid="analysis-truth">
            <span className="form-label" title="the answer the generated world records for this question">
              Truth
            </span>
            <span className="answer">{truth.answer}</span>
            <span className="small" data-testid="analysis-truth-verdict">
              {verdict('answer', answersTruth(r.answer, truth))} · {verdict('baseline', answersTruth(r.baselineAnswer, truth))}
            </span>
          </div>
        )}
        <div className="answer-meta small muted">
          <span className="mono">{r.method}</span>
          {r.layer !== null && (
            <span>
              layer {r.layer}
              {r.layerChoice?.mode === 'fixed' ? ' (fixed)' : ' (chosen)'}
            </span>
          )}
          <span>{formatDuration(r.timings.total ?? 0)}</span>
          {result.cached && <span title="The same model, image, question, method and knobs ran before: this is the stored record">from the cache</span>}
          <span className="spacer" />
          <button className="small" onClick={() => a.reuse(result)} title="Put this run's question, method and knobs into the form">
            Use these settings
          </button>
          <button
            className="small"
            data-testid="pin-result"
            disabled={pins.some((p) => p.id === result.id)}
            onClick={() => pinStore.pin(result)}
            title="Put this run beside others in Compare (up to four; they stay pinned on other images)"
          >
            {pins.some((p) => p.id === result.id) ? 'Pinned' : 'Pin to compare'}
          </button>
        </div>
        {r.fallback === 'no-activation' && (
          <div className="note warn small" data-testid="fallback-note">
            The question added no attention at layer {r.layer}, so there is no map: the full image was used and nothing was masked.
          </div>
        )}
      </div>

      {a.overlay && (
        <Section title="Overlay on the image" testId="section-overlay">
          <OverlayControls result={result} truthBox={truth?.box ?? null} view={a.view} setView={a.setView} overlay={a.overlay} hover={a.hover} />
          <ExportButtons key={result.id} result={result} overlay={a.overlay} imageName={imageName} imageUrl={imageUrl} />
        </Section>
      )}
      {result.inputImages.length > 0 && (
        <Section title={`What the model got (${result.inputImages.length} image${result.inputImages.length === 1 ? '' : 's'})`} testId="section-inputs">
          <InputsView result={result} layer={a.view.layer} opacity={a.view.opacity} onLayer={(layer) => a.setView({ layer })} imageName={imageName} />
        </Section>
      )}
      {r.vaq && (
        <Section title="VAQ per layer" testId="section-vaq" extra={<span className="muted small">click a layer</span>}>
          <VaqChart result={result} selected={a.view.layer} onSelect={pick} />
        </Section>
      )}
      {result.views.contrastive && (
        <Section title="Layers side by side" testId="section-layers">
          <LayerStrip
            result={result}
            selected={a.view.map === 'A' ? a.view.layer : null}
            onSelect={pick}
            thumbnailUrl={thumbnailUrl}
            opacity={a.view.opacity}
          />
        </Section>
      )}
      {r.vaqHeads && (
        <Section title="VAQ per head" testId="section-heads">
          <HeadsChart result={result} selected={a.view.layer} onSelect={pick} />
        </Section>
      )}
      <Section title={`Decoding steps (${r.steps.length})`} testId="section-decoding">
        <DecodingTable result={result} />
      </Section>
      <Section title="Timings" testId="section-timings" open={false}>
        <Timings result={result} />
      </Section>
      <Section title="How this run was made" testId="section-facts" open={false}>
        <RunFacts result={result} />
      </Section>
    </div>
  );
}
