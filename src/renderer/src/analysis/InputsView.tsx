/**
 * "What the model got": every image of the run as the encoder got it (I, the crop I+, mask(I), VAT's
 * contrast image I-, VCD's noised image), at its own resolution and with its own grid, each with the
 * rule that made it and the streams it went into. The map laid over each is that input's own
 * attention (the last prompt position onto its grid tokens) at the layer in view. Clicking an input
 * shows it large, with its attention at every layer; clicking a layer there moves the whole panel
 * to that layer.
 */
import { useMemo, useState } from 'react';
import { modelInputsSvg } from '../../../common/figures/index.ts';
import type { InputImage, LaserResult } from '../../../common/contract/methods.ts';
import { inputsFigure, inputsFigureAbout } from '../../../common/laser/inputs-figure.ts';
import { SMOOTHINGS, type Smoothing } from '../../../common/laser/overlay-figure.ts';
import { imageAsDataUrl } from './export-files.ts';
import { figureFileName } from './figure-files.ts';
import { FigureExport } from './FigureExport.tsx';
import { useApi } from '../host-context.tsx';
import { HeatCanvas } from './HeatCanvas.tsx';
import { cellFills, mapDomain } from './heatmap.ts';
import { INPUT_LABELS, inputCells, inputFedText, inputFills, inputLayer, inputRuleText, inputSinks, inputSizeText } from './inputs.ts';
import { SmoothCanvas } from './SmoothCanvas.tsx';

const TILE = 150;
const LARGE = 336;
const LAYER_TILE = 72;

function fit(input: InputImage, side: number): { width: number; height: number } {
  const s = Math.min(side / input.width, side / input.height);
  return { width: Math.max(1, Math.round(input.width * s)), height: Math.max(1, Math.round(input.height * s)) };
}

interface Look {
  showMap: boolean;
  smooth: Smoothing;
  excludeSinks: boolean;
}

function Picture({
  input,
  url,
  layer,
  side,
  opacity,
  look,
}: {
  input: InputImage;
  url: string;
  layer: number | null;
  side: number;
  opacity: number;
  look: Look;
}) {
  const { width, height } = fit(input, side);
  const drawn = useMemo(() => (look.showMap ? inputFills(input, layer, look.excludeSinks) : null), [input, layer, look.showMap, look.excludeSinks]);
  return (
    <span className="input-picture" style={{ width, height }}>
      <img src={url} alt={INPUT_LABELS[input.role].long} draggable={false} width={width} height={height} />
      {drawn?.values && drawn.domain && look.smooth !== 'cells' ? (
        <SmoothCanvas values={drawn.values} grid={input.grid} domain={drawn.domain} width={width} height={height} opacity={opacity} mode={look.smooth} />
      ) : (
        drawn &&
        drawn.fills.length > 0 && (
          <HeatCanvas fills={drawn.fills} imageWidth={input.width} imageHeight={input.height} width={width} height={height} opacity={opacity} />
        )
      )}
    </span>
  );
}

function LayersOf({ input, url, selected, onSelect }: { input: InputImage; url: string; selected: number | null; onSelect: (layer: number) => void }) {
  const cells = useMemo(() => inputCells(input), [input]);
  const tiles = useMemo(() => (input.attention ?? []).map((m, l) => ({ layer: l, fills: cellFills(cells, m, mapDomain(m)) })), [input, cells]);
  const { width, height } = fit(input, LAYER_TILE);
  if (tiles.length === 0)
    return <p className="muted small">This image was not fed to the model (it was made only to cut another input from it), so it has no attention.</p>;
  return (
    <div className="layer-strip" data-testid="input-layers" data-layers={tiles.length}>
      {tiles.map((t) => (
        <button
          key={t.layer}
          className={`layer-tile${t.layer === selected ? ' selected' : ''}`}
          data-testid="input-layer-tile"
          data-layer={t.layer}
          onClick={() => onSelect(t.layer)}
          title={`Layer ${t.layer}: attention onto ${INPUT_LABELS[input.role].short}, own scale`}
        >
          <span className="layer-thumb" style={{ width, height }}>
            <img src={url} alt="" draggable={false} />
            <HeatCanvas fills={t.fills} imageWidth={input.width} imageHeight={input.height} width={width} height={height} opacity={0.75} />
          </span>
          <span className="layer-label">
            <strong>L{t.layer}</strong>
          </span>
        </button>
      ))}
    </div>
  );
}

export function InputsView({
  result,
  layer,
  opacity,
  onLayer,
  imageName,
}: {
  result: LaserResult;
  layer: number | null;
  opacity: number;
  onLayer: (layer: number) => void;
  imageName: string;
}) {
  const api = useApi();
  const inputs = result.inputImages;
  const [picked, setPicked] = useState<InputImage['role'] | null>(null);
  const [showMap, setShowMap] = useState(true);
  const [smooth, setSmooth] = useState<Smoothing>('cells');
  const [excludeSinks, setExcludeSinks] = useState(false);
  const look: Look = { showMap, smooth, excludeSinks };
  // the view as a figure: the same builder and panels (inputsFigure) as laser figure --kind inputs, the sinks left out of the scales and the maps smooth if they are here
  const makeFigure = async (forPdf: boolean) => {
    const hrefs = await Promise.all(result.inputImages.map((i) => imageAsDataUrl(api.mediaUrl(i.media), 1600, forPdf)));
    return {
      svg: modelInputsSvg(inputsFigure(result.record, result.inputImages, hrefs, layer, true, excludeSinks, smooth)),
      about: inputsFigureAbout(result.record, smooth),
    };
  };
  const current = inputs.find((i) => i.role === picked) ?? null;
  const url = (i: InputImage) => api.mediaUrl(i.media);
  return (
    <div className="inputs-view" data-testid="inputs-view" data-inputs={inputs.length}>
      <div className="section-tools">
        <span className="muted small">each as the encoder got it, with its own attention at layer {inputLayer(inputs[0], layer) ?? '—'} (own scale)</span>
        <span className="spacer" />
        <label className="small">
          <input type="checkbox" checked={showMap} onChange={(e) => setShowMap(e.target.checked)} data-testid="inputs-show-map" /> attention
        </label>
        <select
          className="small"
          value={smooth}
          onChange={(e) => setSmooth(SMOOTHINGS.find((m) => m === e.target.value) ?? 'cells')}
          data-testid="inputs-smooth"
          title="cells as the model saw them, or upsampled smooth"
        >
          {SMOOTHINGS.map((m) => (
            <option key={m} value={m}>
              {m}
            </option>
          ))}
        </select>
        <label
          className="small"
          title="Attention sinks: cells that take a large share of the attention at nearly every layer; left out of the colour scale they no longer wash the rest out"
        >
          <input type="checkbox" checked={excludeSinks} onChange={(e) => setExcludeSinks(e.target.checked)} data-testid="inputs-exclude-sinks" /> sinks out of
          the scale
        </label>
        <FigureExport id="inputs" what="the inputs" fileName={(f) => figureFileName(imageName, result.record.method, 'inputs', f)} make={makeFigure} />
      </div>
      <div className="inputs-row">
        {inputs.map((i) => (
          <button
            key={i.role}
            className={`input-tile${i.role === picked ? ' selected' : ''}`}
            data-testid="input-tile"
            data-role={i.role}
            data-grid={`${i.grid[0]}x${i.grid[1]}`}
            onClick={() => setPicked(i.role === picked ? null : i.role)}
            title={`${INPUT_LABELS[i.role].long}: ${inputRuleText(i)}. Click to see its attention at every layer.`}
          >
            <Picture input={i} url={url(i)} layer={layer} side={TILE} opacity={opacity} look={look} />
            <span className="input-caption">
              <strong>{INPUT_LABELS[i.role].short}</strong> <span className="muted">{INPUT_LABELS[i.role].long}</span>
            </span>
            <span className="input-meta mono">{inputSizeText(i)}</span>
            <span className="input-meta">{inputRuleText(i)}</span>
            <span className="input-meta muted">{inputFedText(i)}</span>
            {inputSinks(i).length > 0 && (
              <span className="input-meta warn" data-testid="input-sinks">
                attention sinks: cell{inputSinks(i).length === 1 ? '' : 's'} {inputSinks(i).join(', ')}
              </span>
            )}
          </button>
        ))}
      </div>
      {current && (
        <div className="input-detail" data-testid="input-detail" data-role={current.role}>
          <Picture input={current} url={url(current)} layer={layer} side={LARGE} opacity={opacity} look={look} />
          <div className="input-detail-side">
            <div className="small">
              <strong>{INPUT_LABELS[current.role].short}</strong> · {INPUT_LABELS[current.role].long} · {inputSizeText(current)}
            </div>
            <LayersOf input={current} url={url(current)} selected={inputLayer(current, layer)} onSelect={onLayer} />
          </div>
        </div>
      )}
    </div>
  );
}
