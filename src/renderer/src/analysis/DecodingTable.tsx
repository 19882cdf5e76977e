/** The decoding steps: per token, the top candidates with z+, z− and the fused score s (−∞ where APC ruled a token out). */
import { useState } from 'react';
import type { LaserResult } from '../../../common/contract/methods.ts';
import { tokenLabel } from '../../../common/figures/index.ts';
import { decodingRows, formatLogit } from './decoding.ts';

export function DecodingTable({ result }: { result: LaserResult }) {
  const [k, setK] = useState(3);
  const r = result.record;
  const rows = decodingRows(r.steps, k);
  const contrastive = r.decoding.negative !== null;
  const most = Math.max(1, ...r.steps.map((s) => s.candidates.length));
  return (
    <div className="decoding" data-testid="decoding-table">
      <div className="section-tools small muted">
        <span className="grow">
          {r.decoding.kind === 'vat' ? `VAT: s = (1 + α) z⁺ − α z⁻, α = ${r.decoding.alpha ?? '—'}` : 'greedy decoding: s = z⁺'}
          {r.decoding.apcBeta !== null ? `, APC β = ${r.decoding.apcBeta}` : ''} · z⁺ {r.decoding.positive}
          {contrastive ? ` · z⁻ ${r.decoding.negative}` : ''}
        </span>
        <label>
          top{' '}
          <select value={k} onChange={(e) => setK(Number(e.target.value))} aria-label="Candidates per step">
            {[1, 2, 3, 5, 10]
              .filter((n) => n <= most || n === 1)
              .map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
          </select>
        </label>
      </div>
      <table className="data-table compact">
        <thead>
          <tr>
            <th className="num">t</th>
            <th>token</th>
            <th className="num">z⁺</th>
            {contrastive && <th className="num">z⁻</th>}
            <th className="num">s</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((s) =>
            s.candidates.map((c, i) => (
              <tr key={`${s.step}-${c.token}`} className={`${i === 0 ? 'step-first' : ''}${c.chosen ? ' chosen' : ''}`}>
                <td className="num muted">{i === 0 ? s.step : ''}</td>
                <td className="token" title={`token id ${c.token}`}>
                  {tokenLabel(c.text)}
                  {c.chosen && s.flipped && (
                    <span className="flip" title="z⁺ alone ranked another candidate first: contrastive decoding chose this token">
                      †
                    </span>
                  )}
                </td>
                <td className="num">{formatLogit(c.positive)}</td>
                {contrastive && <td className="num">{formatLogit(c.negative)}</td>}
                <td className="num strong">{formatLogit(c.fused)}</td>
              </tr>
            )),
          )}
        </tbody>
      </table>
      <div className="small muted">
        stop: {r.stopReason} · bold rows: the chosen token{rows.some((s) => s.flipped) ? ' · †: chosen against z⁺' : ''}
      </div>
    </div>
  );
}
