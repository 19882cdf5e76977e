/**
 * Scene → SVG → PNG. SVG is rasterised by sharp (librsvg) with antialiasing; nothing depends on
 * installed fonts (glyphs are our own strokes), so a scene's PNG bytes depend only on the scene
 * and the sharp build.
 */
import sharp from 'sharp';
import { fmt, glyphSvg } from './glyph-font.ts';
import { outline, type Outline } from './shapes.ts';
import type { Clutter, Scene, WorldObject } from './types.ts';
import { COLOUR_HEX, GLYPH_INK, type Shape } from './vocabulary.ts';

/** Glyph height as a share of the object's side: what fits inside each shape with a margin. */
const GLYPH_SCALE: Partial<Record<Shape, number>> = { circle: 0.55, square: 0.6, hexagon: 0.55, diamond: 0.45 };

function outlineSvg(o: Outline, fill: string): string {
  if (o.kind === 'circle') return `<circle cx="${fmt(o.cx)}" cy="${fmt(o.cy)}" r="${fmt(o.r)}" fill="${fill}"/>`;
  return `<polygon points="${o.points.map(([x, y]) => `${fmt(x)},${fmt(y)}`).join(' ')}" fill="${fill}"/>`;
}

function clutterSvg(c: Clutter): string {
  if (c.kind === 'dot') return `<circle cx="${fmt(c.x)}" cy="${fmt(c.y)}" r="${fmt(c.r)}" fill="${c.grey}"/>`;
  const pts = c.points.map(([x, y]) => `${fmt(x)},${fmt(y)}`).join(' ');
  return `<polyline points="${pts}" fill="none" stroke="${c.grey}" stroke-width="${fmt(c.width)}" stroke-linecap="round"/>`;
}

function objectSvg(o: WorldObject): string {
  const body = outlineSvg(outline(o.shape, o.cx, o.cy, o.side), COLOUR_HEX[o.colour]);
  if (o.glyph === null) return body;
  const scale = GLYPH_SCALE[o.shape];
  if (scale === undefined) throw new Error(`a ${o.shape} cannot carry a glyph`);
  return body + glyphSvg(o.glyph, o.cx, o.cy, o.side * scale, GLYPH_INK[o.colour]);
}

export function sceneSvg(scene: Scene): string {
  const { width: w, height: h } = scene;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">`,
    `<rect x="0" y="0" width="${w}" height="${h}" fill="${scene.background}"/>`,
    ...scene.clutter.map(clutterSvg),
    ...scene.objects.map(objectSvg),
    '</svg>',
  ].join('\n');
}

/** The scene as an RGB PNG (no alpha), exactly width x height. */
export async function renderScenePng(scene: Scene): Promise<Buffer> {
  return sharp(Buffer.from(sceneSvg(scene)), { density: 72 })
    .removeAlpha()
    .png({ compressionLevel: 6 })
    .toBuffer();
}
