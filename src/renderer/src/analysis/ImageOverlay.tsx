/**
 * The result drawn over the picture: an SVG whose user space is the original image's pixels,
 * stretched over the <img> it sits on, so cells, box and mask stay on their pixels at every zoom.
 * Where a pad-to-square grid reaches past the picture the SVG reaches past it too (the padding is
 * drawn hatched, as padding), so edge cells are whole. A smooth map is the grid upsampled
 * (common/figures upsampleGrid) into a bitmap laid over the grid's extent. Lines keep their width on
 * screen (non-scaling strokes). Reports the cell under the pointer.
 */
import { memo, useMemo } from 'react';
import type { CSSProperties, MouseEvent } from 'react';
import { upsampleGrid, valueColor, type Colormap, type Upsampling } from '../../../common/figures/index.ts';
import type { Rect4 } from './heatmap.ts';
import type { OverlayModel } from './overlay.ts';

/** An [x0, y0, x1, y1] box as an SVG element's x, y, width and height. */
function boxPlace(b: Rect4) {
  return { x: b[0], y: b[1], width: b[2] - b[0], height: b[3] - b[1] };
}

const CROP = '#ff9f1a';
/** The true target box of a generated world's question: dashed, in the 'right answer' green. */
const TRUTH = '#5cc98a';

/** Longest side of a smooth map's bitmap: the browser scales it further (it is smooth already). */
const SMOOTH_PX = 512;

function toImagePixels(e: MouseEvent<SVGSVGElement>, [x0, y0, x1, y1]: OverlayModel['extent']): [number, number] {
  const r = e.currentTarget.getBoundingClientRect();
  return [x0 + ((e.clientX - r.left) / r.width) * (x1 - x0), y0 + ((e.clientY - r.top) / r.height) * (y1 - y0)];
}

/** The map upsampled over the grid's extent, as a PNG data: URL (opaque colours; the group sets the opacity). */
function smoothBitmap(
  values: readonly number[],
  grid: readonly [number, number],
  domain: readonly [number, number],
  cmap: Colormap,
  mode: Exclude<Upsampling, 'nearest'>,
  rect: OverlayModel['gridRect'],
): string | null {
  const rw = rect[2] - rect[0];
  const rh = rect[3] - rect[1];
  if (!(rw > 0 && rh > 0) || values.length !== grid[0] * grid[1]) return null;
  const s = Math.min(1, SMOOTH_PX / Math.max(rw, rh));
  const w = Math.max(grid[1], Math.round(rw * s));
  const h = Math.max(grid[0], Math.round(rh * s));
  const up = upsampleGrid(values, grid[0], grid[1], w, h, mode);
  const canvas = document.createElement('canvas');
  canvas.width = w;
  canvas.height = h;
  const ctx = canvas.getContext('2d');
  if (!ctx) return null;
  const img = ctx.createImageData(w, h);
  for (let i = 0; i < up.length; i++) {
    const c = valueColor(cmap, up[i], domain);
    img.data[4 * i] = Math.round(255 * c[0]);
    img.data[4 * i + 1] = Math.round(255 * c[1]);
    img.data[4 * i + 2] = Math.round(255 * c[2]);
    img.data[4 * i + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
  return canvas.toDataURL('image/png');
}

/** Where the SVG sits on the picture's frame, in % of the picture, when it reaches past it. */
function placement([x0, y0, x1, y1]: OverlayModel['extent'], w: number, h: number): CSSProperties | undefined {
  if (x0 >= 0 && y0 >= 0 && x1 <= w && y1 <= h) return undefined;
  return { left: `${(x0 / w) * 100}%`, top: `${(y0 / h) * 100}%`, width: `${((x1 - x0) / w) * 100}%`, height: `${((y1 - y0) / h) * 100}%` };
}

export const ImageOverlay = memo(function ImageOverlay({
  model,
  onHover,
  testId = 'image-overlay',
}: {
  model: OverlayModel;
  onHover?: (point: [number, number] | null) => void;
  testId?: string;
}) {
  const { imageWidth: w, imageHeight: h, extent } = model;
  const [ex0, ey0, ex1, ey1] = extent;
  const values = model.map?.values ?? null;
  const smooth = useMemo(
    () => (values && model.smooth !== 'cells' ? smoothBitmap(values, model.grid, model.domain, model.cmap, model.smooth, model.gridRect) : null),
    [values, model.smooth, model.grid, model.domain, model.cmap, model.gridRect],
  );
  const g = model.gridRect;
  return (
    <svg
      className="image-overlay"
      data-testid={testId}
      data-map={model.map?.id ?? 'off'}
      data-cells={model.fills.length}
      data-colormap={model.map ? model.cmap.name : ''}
      data-smooth={smooth ? model.smooth : 'cells'}
      data-heads={model.headsText}
      data-sinks={model.sinks.join(',')}
      data-sinks-excluded={model.sinksExcluded ? 'yes' : 'no'}
      data-padded={model.padding ? 'yes' : 'no'}
      data-extent={extent.join(',')}
      viewBox={`${ex0} ${ey0} ${ex1 - ex0} ${ey1 - ey0}`}
      preserveAspectRatio="none"
      style={placement(extent, w, h)}
      onMouseMove={onHover ? (e) => onHover(toImagePixels(e, extent)) : undefined}
      onMouseLeave={onHover ? () => onHover(null) : undefined}
    >
      {model.seen && (
        <path
          data-testid="overlay-unseen"
          d={`M0 0H${w}V${h}H0Z M${model.seen[0]} ${model.seen[1]}V${model.seen[3]}H${model.seen[2]}V${model.seen[1]}Z`}
          fill="rgba(0,0,0,0.6)"
          fillRule="evenodd"
        >
          <title>the model never saw this part of the picture (centre crop)</title>
        </path>
      )}
      {model.padding && (
        <>
          <defs>
            <pattern id={`${testId}-pad`} width={8} height={8} patternUnits="userSpaceOnUse" patternTransform={`scale(${(ex1 - ex0) / 400})`}>
              <rect width={8} height={8} fill="#3a3a3a" />
              <path d="M0 8L8 0" stroke="#8a8a8a" strokeWidth={1.5} />
            </pattern>
          </defs>
          <path data-testid="overlay-padding" d={`M${ex0} ${ey0}H${ex1}V${ey1}H${ex0}Z M0 0V${h}H${w}V0Z`} fill={`url(#${testId}-pad)`} fillRule="evenodd">
            <title>padding: the model got the picture padded to a square; these cells lie (partly) on the padding</title>
          </path>
        </>
      )}
      {smooth ? (
        <image data-testid="overlay-smooth-map" href={smooth} {...boxPlace(g)} preserveAspectRatio="none" opacity={model.opacity} />
      ) : (
        model.fills.length > 0 && (
          <g opacity={model.opacity} shapeRendering="crispEdges">
            {model.fills.map((f) => (
              <rect key={f.index} x={f.x} y={f.y} width={f.width} height={f.height} fill={f.color} />
            ))}
          </g>
        )
      )}
      {model.padding && (
        <path
          d={`M${ex0} ${ey0}H${ex1}V${ey1}H${ex0}Z M0 0V${h}H${w}V0Z`}
          fill={`url(#${testId}-pad)`}
          fillOpacity={0.45}
          fillRule="evenodd"
          pointerEvents="none"
        />
      )}
      {model.padding && (
        <rect
          x={0}
          y={0}
          width={w}
          height={h}
          fill="none"
          stroke="#ffffff"
          strokeOpacity={0.7}
          strokeWidth={1}
          strokeDasharray="4 3"
          vectorEffect="non-scaling-stroke"
        />
      )}
      {model.map && model.sinks.length > 0 && (
        <g data-testid="overlay-sinks" data-count={model.sinks.length}>
          {model.sinks.map((j) => {
            const c = model.cells[j];
            return c ? (
              <rect key={j} {...boxPlace(c)} fill="none" stroke="#ff4fd8" strokeWidth={1.5} strokeDasharray="2 2" vectorEffect="non-scaling-stroke">
                <title>{`attention sink: cell ${j} takes a large share of attention at nearly every layer${model.sinksExcluded ? ' (left out of the colour scale)' : ''}`}</title>
              </rect>
            ) : null;
          })}
        </g>
      )}
      {model.masked.length > 0 && (
        <g data-testid="overlay-masked" data-count={model.masked.length}>
          {model.masked.map(([x0, y0, x1, y1], i) => (
            <rect
              key={i}
              x={x0}
              y={y0}
              width={x1 - x0}
              height={y1 - y0}
              fill="rgba(255,255,255,0.22)"
              stroke="#ffffff"
              strokeWidth={1}
              strokeDasharray="3 2"
              vectorEffect="non-scaling-stroke"
            />
          ))}
        </g>
      )}
      {model.truth && (
        <g data-testid="overlay-truth" data-box={model.truth.join(',')}>
          <HaloBox box={model.truth} stroke={TRUTH} dash="6 3" />
        </g>
      )}
      {model.box && (
        <g data-testid="overlay-box" data-box={model.box.join(',')}>
          <HaloBox box={model.box} stroke={CROP} />
        </g>
      )}
    </svg>
  );
});

/** A box outline on a dark halo, so it reads on light and dark pictures alike (x0, y0, x1, y1 in image pixels). */
function HaloBox({ box, stroke, dash }: { box: readonly number[]; stroke: string; dash?: string }) {
  const [x0, y0, x1, y1] = box;
  const rect = { x: x0, y: y0, width: x1 - x0, height: y1 - y0, fill: 'none', vectorEffect: 'non-scaling-stroke' } as const;
  return (
    <>
      <rect {...rect} stroke="#000000" strokeOpacity={0.6} strokeWidth={4} />
      <rect {...rect} stroke={stroke} strokeWidth={2} strokeDasharray={dash} />
    </>
  );
}
