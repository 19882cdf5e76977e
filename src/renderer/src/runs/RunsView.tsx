/**
 * The Runs view: the run folders of `laser eval --run` (the data folder's runs/, and any folder
 * opened here), each with its progress (rows done of expected, rate, ETA, running metric), polled
 * every POLL_MS while one is running. A run opens into its rows and its report (`laser report`'s
 * HTML, shown in a sandboxed frame); a row with a record opens that sample's analysis.
 */
import { useCallback, useEffect, useState } from 'react';
import { toErrorData, type WorkbenchErrorData } from '../../../common/contract/errors.ts';
import type { ImageEntry, RunInfo, RunRowInfo } from '../../../common/contract/methods.ts';
import { ErrorPanel } from '../common/ErrorPanel.tsx';
import { formatCount } from '../common/format.ts';
import { useApi, usePickFolder } from '../host-context.tsx';
import { anyRunning, etaText, metricText, progressShare, progressText, rateText } from './runs-format.ts';

export const POLL_MS = 2000;
const PAGE = 100;

type Listing = { roots: string[]; runs: RunInfo[] };

export function RunsView({ onOpenSample }: { onOpenSample: (entry: ImageEntry, record: string) => void }) {
  const api = useApi();
  const pickFolder = usePickFolder();
  const [listing, setListing] = useState<Listing | null>(null);
  const [error, setError] = useState<WorkbenchErrorData | null>(null);
  const [folder, setFolder] = useState('');
  const [selected, setSelected] = useState<string | null>(null);

  const refresh = useCallback(
    (open?: string) =>
      api.call('runs.list', open ? { folder: open } : {}).then(
        (l) => {
          setListing(l);
          setError(null);
        },
        (e: unknown) => setError(toErrorData(e)),
      ),
    [api],
  );

  useEffect(() => {
    void refresh();
  }, [refresh]);

  // follow running runs
  const running = listing !== null && anyRunning(listing.runs);
  useEffect(() => {
    if (!running) return;
    const t = setInterval(() => void refresh(), POLL_MS);
    return () => clearInterval(t);
  }, [running, refresh]);

  const run = listing?.runs.find((r) => r.dir === selected) ?? null;

  return (
    <div className="runs-view" data-testid="runs-view">
      <div className="runs-head">
        <h2>Evaluation runs</h2>
        <form
          className="runs-open"
          onSubmit={(e) => {
            e.preventDefault();
            if (folder.trim()) void refresh(folder.trim());
          }}
        >
          <input
            data-testid="runs-folder"
            value={folder}
            onChange={(e) => setFolder(e.target.value)}
            placeholder="Folder holding run folders (laser eval --run <dir>)"
          />
          <button type="submit" data-testid="runs-open-folder" disabled={!folder.trim()}>
            Open
          </button>
          {pickFolder && (
            <button
              type="button"
              onClick={() =>
                void pickFolder().then((picked) => {
                  if (picked) {
                    setFolder(picked);
                    void refresh(picked);
                  }
                })
              }
            >
              Choose…
            </button>
          )}
          <button type="button" onClick={() => void refresh()} data-testid="runs-refresh">
            Refresh
          </button>
        </form>
      </div>
      {error && <ErrorPanel error={error} testId="runs-error" />}
      {listing === null && !error && <div className="muted small">Looking for run folders…</div>}
      {listing && (
        <>
          <div className="muted small" data-testid="runs-roots">
            Searched: {listing.roots.join(', ')}
          </div>
          {listing.runs.length === 0 ? (
            <p className="muted small" data-testid="runs-empty">
              No run folders here. <code>laser eval --data … --run &lt;folder&gt;</code> makes one; put it under the first folder above, or open the folder that
              holds it.
            </p>
          ) : (
            <RunsTable runs={listing.runs} selected={selected} onSelect={setSelected} />
          )}
        </>
      )}
      {run && <RunDetail key={run.dir} run={run} onOpenSample={onOpenSample} />}
    </div>
  );
}

function RunsTable({ runs, selected, onSelect }: { runs: RunInfo[]; selected: string | null; onSelect: (dir: string) => void }) {
  return (
    <table className="data-table compact runs-table" data-testid="runs-table">
      <thead>
        <tr>
          <th>run</th>
          <th>dataset</th>
          <th>model</th>
          <th>methods</th>
          <th>progress</th>
          <th>state</th>
          <th className="num">score</th>
          <th className="num">errors</th>
        </tr>
      </thead>
      <tbody>
        {runs.map((r) => (
          <tr
            key={r.dir}
            className={`clickable${r.dir === selected ? ' current' : ''}`}
            data-testid="run-row"
            data-state={r.state}
            onClick={() => onSelect(r.dir)}
            title={r.dir}
          >
            <td>
              {r.name}
              {r.shard && <span className="muted small"> shard {r.shard}</span>}
            </td>
            <td>{r.problem ? <span className="warn">{r.problem}</span> : `${r.dataset} (${r.format})`}</td>
            <td>{r.model}</td>
            <td>{r.methods.join(', ')}</td>
            <td data-testid="run-progress">
              <div className="run-bar" aria-hidden>
                <div style={{ width: `${(100 * progressShare(r)).toFixed(1)}%` }} />
              </div>
              <span className="small">{progressText(r)}</span>
              {r.state === 'running' && <span className="muted small"> {[rateText(r.rate), etaText(r.etaMs)].filter(Boolean).join(', ')}</span>}
            </td>
            <td>{r.state}</td>
            <td className="num" data-testid="run-metric">
              {metricText(r.metric)}
            </td>
            <td className="num">{r.errors > 0 ? formatCount(r.errors) : ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function RunDetail({ run, onOpenSample }: { run: RunInfo; onOpenSample: (entry: ImageEntry, record: string) => void }) {
  const api = useApi();
  const [offset, setOffset] = useState(0);
  const [rows, setRows] = useState<{ total: number; rows: RunRowInfo[] } | null>(null);
  const [report, setReport] = useState<string | null>(null);
  const [error, setError] = useState<WorkbenchErrorData | null>(null);

  useEffect(() => {
    let live = true;
    api.call('runs.rows', { dir: run.dir, offset, limit: PAGE }).then(
      (r) => live && setRows(r),
      (e: unknown) => live && setError(toErrorData(e)),
    );
    return () => {
      live = false;
    };
    // new rows of a running run show on the next poll
  }, [api, run.dir, offset, run.rows]);

  const openReport = () =>
    api.call('runs.report', { dir: run.dir }).then(
      (r) => setReport(r.html),
      (e: unknown) => setError(toErrorData(e)),
    );
  const openSample = (record: string) =>
    api.call('runs.sample', { dir: run.dir, record }).then(
      (entry) => onOpenSample(entry, record),
      (e: unknown) => setError(toErrorData(e)),
    );

  return (
    <div className="run-detail" data-testid="run-detail">
      <div className="run-detail-head">
        <h3>{run.name}</h3>
        <span className="muted small">{run.dir}</span>
        <span className="spacer" />
        <button data-testid="run-open-report" onClick={() => void (report === null ? openReport() : setReport(null))}>
          {report === null ? 'Report' : 'Hide report'}
        </button>
      </div>
      {error && <ErrorPanel error={error} testId="run-error" />}
      {report !== null && <iframe className="run-report" data-testid="run-report" title={`Report of ${run.name}`} sandbox="" srcDoc={report} />}
      {rows && (
        <>
          <table className="data-table compact" data-testid="run-rows">
            <thead>
              <tr>
                <th>sample</th>
                <th>method</th>
                <th>prediction</th>
                <th className="num">score</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {rows.rows.map((r) => (
                <tr key={`${r.id}/${r.method}`} data-testid="run-result">
                  <td>{r.id}</td>
                  <td>{r.method}</td>
                  <td>{r.status === 'error' ? <span className="warn">{r.reason}</span> : r.prediction}</td>
                  <td className="num">{r.score === null ? '' : r.score.toFixed(2)}</td>
                  <td>
                    {r.record && (
                      <button
                        className="small"
                        data-testid="run-open-sample"
                        onClick={() => void openSample(r.record!)}
                        title="This sample's analysis: the record of this run"
                      >
                        Analysis
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {rows.total > PAGE && (
            <div className="run-pages small">
              <button disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
                Previous
              </button>
              <span>
                rows {formatCount(offset + 1)}–{formatCount(Math.min(rows.total, offset + PAGE))} of {formatCount(rows.total)}
              </span>
              <button disabled={offset + PAGE >= rows.total} onClick={() => setOffset(offset + PAGE)}>
                Next
              </button>
            </div>
          )}
        </>
      )}
    </div>
  );
}
