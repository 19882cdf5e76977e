/**
 * A map drawn smooth: the grid's values upsampled (bilinear or bicubic, common/figures) to the
 * canvas's device pixels and coloured pixel by pixel, over a picture the grid tiles evenly (the
 * encoder's input). The "cells" view is HeatCanvas.
 */
import { useEffect, useRef } from 'react';
import { upsampleGrid, valueColor, viridis, type Colormap, type Upsampling } from '../../../common/figures/index.ts';

export function SmoothCanvas({
  values,
  grid,
  domain,
  width,
  height,
  opacity,
  mode,
  cmap = viridis,
}: {
  values: readonly number[];
  grid: readonly [number, number];
  domain: readonly [number, number];
  width: number;
  height: number;
  opacity: number;
  mode: Exclude<Upsampling, 'nearest'>;
  cmap?: Colormap;
}) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const canvas = ref.current;
    if (!canvas || width <= 0 || height <= 0) return;
    const dpr = window.devicePixelRatio || 1;
    const w = Math.max(1, Math.round(width * dpr));
    const h = Math.max(1, Math.round(height * dpr));
    canvas.width = w;
    canvas.height = h;
    const up = upsampleGrid(values, grid[0], grid[1], w, h, mode);
    const img = new ImageData(w, h);
    const a = Math.round(255 * opacity);
    for (let i = 0; i < up.length; i++) {
      const c = valueColor(cmap, up[i], domain);
      img.data[4 * i] = Math.round(255 * c[0]);
      img.data[4 * i + 1] = Math.round(255 * c[1]);
      img.data[4 * i + 2] = Math.round(255 * c[2]);
      img.data[4 * i + 3] = a;
    }
    canvas.getContext('2d')!.putImageData(img, 0, 0);
  }, [values, grid, domain, width, height, opacity, mode, cmap]);
  return <canvas ref={ref} className="heat-canvas" style={{ width, height }} aria-hidden />;
}
