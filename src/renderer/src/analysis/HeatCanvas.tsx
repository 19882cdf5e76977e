/**
 * A small map on a canvas (the layer strip has one per layer: a canvas each keeps the page light
 * where SVG would need hundreds of rectangles per thumbnail). Cells are in original-image pixels,
 * scaled to the canvas, drawn at the screen's pixel density.
 */
import { useEffect, useRef } from 'react';
import type { CellFill } from './heatmap.ts';

export function HeatCanvas({ fills, imageWidth, imageHeight, width, height, opacity }: { fills: CellFill[]; imageWidth: number; imageHeight: number; width: number; height: number; opacity: number }) {
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
    ctx.setTransform((width * dpr) / imageWidth, 0, 0, (height * dpr) / imageHeight, 0, 0);
    ctx.globalAlpha = opacity;
    for (const f of fills) {
      ctx.fillStyle = f.color;
      ctx.fillRect(f.x, f.y, f.width, f.height);
    }
  }, [fills, imageWidth, imageHeight, width, height, opacity]);
  return <canvas ref={ref} className="heat-canvas" style={{ width, height }} aria-hidden />;
}
