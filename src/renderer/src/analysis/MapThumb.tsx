/**
 * A map over a small picture (the layer strip's and the Layers view's tiles). Where a pad-to-square
 * grid reaches past the picture, the tile spans the whole grid: the picture sits inside it, the
 * band around it is hatched as padding, and the edge cells are whole instead of slivers, as on the
 * main overlay.
 */
import type { CellFill, Rect4 } from './heatmap.ts';
import { HeatCanvas } from './HeatCanvas.tsx';

export function MapThumb({
  url,
  fills,
  extent,
  imageWidth,
  imageHeight,
  width,
  height,
  opacity,
}: {
  url: string;
  fills: CellFill[];
  extent: Rect4;
  imageWidth: number;
  imageHeight: number;
  width: number;
  height: number;
  opacity: number;
}) {
  const [x0, y0, x1, y1] = extent;
  const ew = x1 - x0;
  const eh = y1 - y0;
  const padded = x0 < 0 || y0 < 0 || x1 > imageWidth || y1 > imageHeight;
  const picture = padded
    ? { left: `${(-x0 / ew) * 100}%`, top: `${(-y0 / eh) * 100}%`, width: `${(imageWidth / ew) * 100}%`, height: `${(imageHeight / eh) * 100}%` }
    : undefined;
  return (
    <span className={`layer-thumb${padded ? ' padded' : ''}`} style={{ width, height }} data-padded={padded ? 'yes' : 'no'}>
      <img src={url} alt="" draggable={false} style={picture} />
      <HeatCanvas fills={fills} imageWidth={ew} imageHeight={eh} origin={[x0, y0]} width={width} height={height} opacity={opacity} />
      {padded && (
        <span
          className="thumb-padding"
          style={{
            clipPath: `polygon(evenodd, 0 0, 100% 0, 100% 100%, 0 100%, 0 0, ${picture!.left} ${picture!.top}, ${picture!.left} calc(${picture!.top} + ${picture!.height}), calc(${picture!.left} + ${picture!.width}) calc(${picture!.top} + ${picture!.height}), calc(${picture!.left} + ${picture!.width}) ${picture!.top}, ${picture!.left} ${picture!.top})`,
          }}
          aria-hidden
        />
      )}
    </span>
  );
}
