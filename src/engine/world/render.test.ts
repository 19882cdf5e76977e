import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { renderScenePng } from './render.ts';
import { generateScene } from './scene.ts';
import { COLOUR_HEX, type Colour } from './vocabulary.ts';
import { at } from '../../../test/support/index-access.ts';

function rgb(hex: string): [number, number, number] {
  return [parseInt(hex.slice(1, 3), 16), parseInt(hex.slice(3, 5), 16), parseInt(hex.slice(5, 7), 16)];
}

async function pixels(png: Buffer) {
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}

describe('renderScenePng', () => {
  it('renders the scene at its size, RGB, with identical bytes every time', async () => {
    const scene = generateScene(3, 1);
    const a = await renderScenePng(scene);
    const b = await renderScenePng(generateScene(3, 1));
    expect(Buffer.compare(a, b)).toBe(0);
    const meta = await sharp(a).metadata();
    expect([meta.width, meta.height, meta.channels]).toEqual([scene.width, scene.height, 3]);
  });

  it('paints each object in its colour inside its box, and no object colour outside every box', async () => {
    for (let i = 0; i < 6; i++) {
      const scene = generateScene(21, i);
      const { data, width, channels } = await pixels(await renderScenePng(scene));
      const pixelAt = (x: number, y: number) => [
        at(data, (y * width + x) * channels),
        at(data, (y * width + x) * channels + 1),
        at(data, (y * width + x) * channels + 2),
      ];
      const isColour = (p: number[], c: Colour) => rgb(COLOUR_HEX[c]).every((v, k) => Math.abs(v - at(p, k)) <= 2);
      for (const o of scene.objects) {
        // the middle of every shape is filled (a glyph may cover its very centre, so look around it)
        const r = Math.max(1, Math.floor(o.side / 4));
        let found = 0;
        for (let y = Math.round(o.cy) - r; y <= Math.round(o.cy) + r; y++)
          for (let x = Math.round(o.cx) - r; x <= Math.round(o.cx) + r; x++) found += isColour(pixelAt(x, y), o.colour) ? 1 : 0;
        expect(found, `${scene.id} object ${o.id} (${o.colour} ${o.shape})`).toBeGreaterThan(0);
      }
      // a pixel in an object colour lies in (or within a pixel of) the box of an object of that colour
      for (let y = 0; y < scene.height; y += 2) {
        for (let x = 0; x < scene.width; x += 2) {
          const p = pixelAt(x, y);

          for (const c of Object.keys(COLOUR_HEX) as Colour[]) {
            if (!isColour(p, c)) continue;
            const owner = scene.objects.some((o) => o.colour === c && x >= o.box[0] - 1 && x < o.box[2] + 1 && y >= o.box[1] - 1 && y < o.box[3] + 1);
            expect(owner, `${scene.id}: ${c} pixel at ${x},${y} outside every ${c} box`).toBe(true);
          }
        }
      }
    }
  });
});
