/**
 * The result drawn over the picture: an SVG whose user space is the original image's pixels,
 * stretched over the <img> it sits on, so cells, box and mask stay on their pixels at every zoom.
 * Lines keep their width on screen (non-scaling strokes). Reports the cell under the pointer.
 */
import { memo } from 'react';
import type { MouseEvent } from 'react';
import type { OverlayModel } from './overlay.ts';

const CROP = '#ff9f1a';
/** The true target box of a generated world's question: dashed, in the 'right answer' green. */
const TRUTH = '#5cc98a';

function toImagePixels(e: MouseEvent<SVGSVGElement>, w: number, h: number): [number, number] {
  const r = e.currentTarget.getBoundingClientRect();
  return [((e.clientX - r.left) / r.width) * w, ((e.clientY - r.top) / r.height) * h];
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
  const { imageWidth: w, imageHeight: h } = model;
  return (
    <svg
      className="image-overlay"
      data-testid={testId}
      data-map={model.map?.id ?? 'off'}
      data-cells={model.fills.length}
      viewBox={`0 0 ${w} ${h}`}
      preserveAspectRatio="none"
      onMouseMove={onHover ? (e) => onHover(toImagePixels(e, w, h)) : undefined}
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
      {model.fills.length > 0 && (
        <g opacity={model.opacity} shapeRendering="crispEdges">
          {model.fills.map((f) => (
            <rect key={f.index} x={f.x} y={f.y} width={f.width} height={f.height} fill={f.color} />
          ))}
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
          <rect x={model.truth[0]} y={model.truth[1]} width={model.truth[2] - model.truth[0]} height={model.truth[3] - model.truth[1]} fill="none" stroke="#000000" strokeOpacity={0.6} strokeWidth={4} vectorEffect="non-scaling-stroke" />
          <rect x={model.truth[0]} y={model.truth[1]} width={model.truth[2] - model.truth[0]} height={model.truth[3] - model.truth[1]} fill="none" stroke={TRUTH} strokeWidth={2} strokeDasharray="6 3" vectorEffect="non-scaling-stroke" />
        </g>
      )}
      {model.box && (
        <g data-testid="overlay-box" data-box={model.box.join(',')}>
          <rect x={model.box[0]} y={model.box[1]} width={model.box[2] - model.box[0]} height={model.box[3] - model.box[1]} fill="none" stroke="#000000" strokeOpacity={0.6} strokeWidth={4} vectorEffect="non-scaling-stroke" />
          <rect x={model.box[0]} y={model.box[1]} width={model.box[2] - model.box[0]} height={model.box[3] - model.box[1]} fill="none" stroke={CROP} strokeWidth={2} vectorEffect="non-scaling-stroke" />
        </g>
      )}
    </svg>
  );
});
