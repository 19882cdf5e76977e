/**
 * A small map on a canvas (the layer strip has one per layer: a canvas each keeps the page light
 * where SVG would need hundreds of rectangles per thumbnail). Cells are in original-image pixels,
 * scaled to the canvas, drawn at the screen's pixel density.
 */
import { useEffect, useRef } from 'react';
import type { CellFill } from './heatmap.ts';

/** `origin`: the image pixel at the canvas's top-left corner (a thumbnail that spans a pad-to-square grid's padding starts above or left of the picture). */
export function HeatCanvas({
  fills,
  imageWidth,
  imageHeight,
  width,
  height,
  opacity,
  origin = [0, 0],
}: {
  fills: CellFill[];
  imageWidth: number;
  imageHeight: number;
  width: number;
  height: number;
  opacity: number;
  origin?: readonly [number, number];
}) {
  const [ox, oy] = origin;
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const canvas = ref.current;
    if (!canvas || width <= 0 || height <= 0) return;
    const dpr = window.devicePixelRatio || 1;
    canvas.width = Math.round(width * dpr);
    canvas.height = Math.round(height * dpr);
    const ctx = canvas.getContext('2d')!;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    const sx = (width * dpr) / imageWidth;
    const sy = (height * dpr) / imageHeight;
    ctx.setTransform(sx, 0, 0, sy, -ox * sx, -oy * sy);
    ctx.globalAlpha = opacity;
    for (const f of fills) {
      ctx.fillStyle = f.color;
      ctx.fillRect(f.x, f.y, f.width, f.height);
    }
  }, [fills, imageWidth, imageHeight, width, height, opacity, ox, oy]);
  return <canvas ref={ref} className="heat-canvas" style={{ width, height }} aria-hidden />;
}
