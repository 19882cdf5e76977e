/**
 * A real record folder for tests, made without a model: a drawn scene (sky, grass, a brown post on
 * the left, a red ball on the right), contrastive attention that looks at the ball most strongly in
 * one layer, and everything downstream computed by common/laser exactly as a run computes it (VAQ,
 * layer choice, map, centroid crop, masked cells). The record is checked against the record schema
 * before it is written, and written in the on-disk format (record.json + tensors.safetensors).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import sharp from 'sharp';
import { composeTransform, withGrid, type GridTransform } from '../../../common/geometry/index.ts';
import { attentionStack, centroidBox, chooseLayer, computeVaq, localisationMap, maskPlan, type MethodId } from '../../../common/laser/index.ts';
import { at } from '../../../../test/support/index-access.ts';
import { writeSafetensors, type TensorToWrite } from '../../checkpoint/safetensors-writer.ts';
import {
  RECORD_FORMAT,
  RECORD_INPUTS_DIR,
  RECORD_JSON,
  RECORD_TENSOR_FILE,
  RECORD_VERSION,
  inputFileName,
  recordSchema,
  recordToJson,
  type AnalysisRecord,
} from '../../laser/record.ts';
import { cellMapping } from '../../laser/views.ts';

export const SCENE = { width: 320, height: 240, ball: { cx: 236, cy: 168, r: 26 }, post: { x: 40, y: 90, w: 46, h: 110 } } as const;
export const GRID = 12;
export const LAYERS = 8;
export const HEADS = 4;
/** The layer whose heads look at the ball hardest. */
export const PEAK_LAYER = 5;

export async function writeSceneImage(path: string): Promise<Buffer> {
  const { width, height, ball, post } = SCENE;
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
    `<rect width="${width}" height="${height * 0.6}" fill="#9cc3e6"/><rect y="${height * 0.6}" width="${width}" height="${height * 0.4}" fill="#5f8f3f"/>` +
    `<rect x="${post.x}" y="${post.y}" width="${post.w}" height="${post.h}" fill="#6b4f2a"/>` +
    `<circle cx="${ball.cx}" cy="${ball.cy}" r="${ball.r}" fill="#d7261e"/></svg>`;
  const png = await sharp(Buffer.from(svg)).png().toBuffer();
  await writeFile(path, png);
  return png;
}

/** LLaVA-1.5's pad-to-square then resize to 336, on a GRID x GRID patch grid. */
export function sceneGeometry(): GridTransform {
  const { width, height } = SCENE;
  const side = Math.max(width, height);
  return withGrid(
    composeTransform('pad', width, height, [
      { kind: 'pad', left: (side - width) / 2, top: (side - height) / 2, width: side, height: side, fill: [122, 116, 104] },
      { kind: 'resize', width: 336, height: 336 },
    ]),
    GRID,
    GRID,
  );
}

/** The scene as the encoder gets it: padded to a square with the fill colour, resized to 336 (sharp's resize: close to, not exactly, the PIL-exact one a run uses). */
async function modelInputPng(png: Buffer): Promise<Buffer> {
  const { width, height } = SCENE;
  const side = Math.max(width, height);
  const padded = await sharp(png)
    .removeAlpha()
    .extend({
      top: (side - height) / 2,
      bottom: (side - height) / 2,
      left: (side - width) / 2,
      right: (side - width) / 2,
      background: { r: 122, g: 116, b: 104 },
    })
    .toBuffer();
  return sharp(padded).resize(336, 336).png().toBuffer();
}

/** Contrastive attention [L, H, Nv]: a bump on the ball, strongest at PEAK_LAYER; earlier layers look at the post. */
function contrastive(t: GridTransform): Float64Array {
  const map = cellMapping(t);
  const Nv = GRID * GRID;
  const A = new Float64Array(LAYERS * HEADS * Nv);
  for (let l = 0; l < LAYERS; l++) {
    for (let h = 0; h < HEADS; h++) {
      const onBall = Math.exp(-((l - PEAK_LAYER) ** 2) / 2) * (1 - 0.2 * h);
      const onPost = l < 3 ? 0.3 * (1 - 0.1 * h) : 0;
      for (let j = 0; j < Nv; j++) {
        const [x0, y0, x1, y1] = map.cellRect(j);
        const cx = (x0 + x1) / 2;
        const cy = (y0 + y1) / 2;
        const ball = Math.exp(-((cx - SCENE.ball.cx) ** 2 + (cy - SCENE.ball.cy) ** 2) / (2 * 30 ** 2));
        const post = Math.exp(-((cx - 63) ** 2 + (cy - 145) ** 2) / (2 * 40 ** 2));
        A[(l * HEADS + h) * Nv + j] = 0.02 * (onBall * ball + onPost * post) + 1e-4 * ((j * 7 + l * 3 + h) % 5);
      }
    }
  }
  return A;
}

function f64(data: ArrayLike<number>, shape: number[]): TensorToWrite {
  return { dtype: 'F64', shape, data: Float64Array.from(data) };
}

export interface FixtureRecord {
  dir: string;
  imagePath: string;
  record: AnalysisRecord;
}

/** Writes `<root>/<name>/` (record) and `<root>/scene.png` (its image, shared by records in the same root). */
export async function writeFixtureRecord(
  root: string,
  name: string,
  method: Extract<MethodId, 'laser' | 'static-layer' | 'vanilla'> = 'laser',
): Promise<FixtureRecord> {
  await mkdir(root, { recursive: true });
  const imagePath = join(root, 'scene.png');
  const png = await writeSceneImage(imagePath);
  const geometry = sceneGeometry();
  const mapping = cellMapping(geometry);
  const size = { width: SCENE.width, height: SCENE.height };
  const Nv = GRID * GRID;
  const kHead = 2;
  const tensors: Record<string, TensorToWrite> = {};
  let analysis: Pick<
    AnalysisRecord,
    'vaq' | 'vaqHeads' | 'vaqPositions' | 'layer' | 'layerChoice' | 'mapHeads' | 'mapMass' | 'fallback' | 'box' | 'crop' | 'maskedCells'
  > = {
    vaq: null,
    vaqHeads: null,
    vaqPositions: null,
    layer: null,
    layerChoice: null,
    mapHeads: null,
    mapMass: null,
    fallback: null,
    box: null,
    crop: null,
    maskedCells: [],
  };
  if (method !== 'vanilla') {
    const A = attentionStack(LAYERS, HEADS, Nv, contrastive(geometry));
    const vaq = computeVaq(A, kHead);
    const choice = chooseLayer(vaq.perLayer, method === 'static-layer' ? { fixedLayer: 3 } : {});
    const m = localisationMap(A, choice.layer, at(vaq.topHeads, choice.layer), { gh: GRID, gw: GRID });
    if (!m.ok) throw new Error('fixture map has no mass');
    const crop = centroidBox(m.map, mapping, size, 224);
    const masked = maskPlan(m.map, mapping, 0.055);
    analysis = {
      vaq: Array.from(vaq.perLayer),
      vaqHeads: Array.from({ length: LAYERS }, (_, l) => Array.from(vaq.perHead.subarray(l * HEADS, (l + 1) * HEADS))),
      vaqPositions: 1,
      layer: choice.layer,
      layerChoice: { mode: choice.mode, searched: [choice.searched[0], choice.searched[1]] },
      mapHeads: [...m.heads],
      mapMass: m.mass,
      fallback: null,
      box: [...crop.box] as [number, number, number, number],
      crop: { rule: 'centroid', degenerate: crop.degenerate, centroid: crop.centroid },
      maskedCells: [...masked.cells],
    };
    tensors.A = f64(A.data, [LAYERS, HEADS, Nv]);
    tensors.M = f64(m.map, [GRID, GRID]);
    tensors.vaq = f64(vaq.perLayer, [LAYERS]);
    tensors.vaq_heads = f64(vaq.perHead, [LAYERS, HEADS]);
  }
  // Every method records the query pass's attention on I, [positions, L, H, Nv] (here even, 1/Nv per cell); the app's views need its grid.
  tensors.a_q = { dtype: 'F32', shape: [1, LAYERS, HEADS, Nv], data: new Float32Array(LAYERS * HEADS * Nv).fill(1 / Nv) };
  const vat = method === 'laser';
  const record = recordSchema.parse(
    JSON.parse(
      recordToJson({
        format: RECORD_FORMAT,
        version: RECORD_VERSION,
        createdAt: '2026-01-01T00:00:00.000Z',
        cacheKey: 'c'.repeat(64),
        method,
        knobs: { kHead, alpha: 1, apcBeta: 0.1 },
        knobNotes: [],
        question: 'What colour is the ball on the grass?',
        prompt: {
          instruction: 'Answer the question using a single word or phrase.',
          systemPrompt: null,
          templateSource: 'fixture',
          queryText: 'USER: <image>\nq',
          otherText: vat ? 'USER: <image>\n' : null,
          sharedPrefix: 0,
          maxNewTokens: 4,
          topCandidates: 3,
        },
        bundle: {
          id: 'd'.repeat(64),
          dir: '/fixture',
          name: 'fixture',
          layers: LAYERS,
          heads: HEADS,
          vocab: 100,
          architecture: 'llava',
          viewEncoding: 'fixed-grid',
          pixelBounds: null,
          imageSize: 336,
          tokensPerImage: Nv,
          grid: [GRID, GRID],
          preprocessing: 'pad',
          provider: 'cpu',
        },
        image: { path: imagePath, hash: createHash('sha256').update(png).digest('hex'), width: SCENE.width, height: SCENE.height },
        geometry,
        inputs: [
          {
            role: 'image',
            file: inputFileName('image'),
            width: 336,
            height: 336,
            sourceWidth: SCENE.width,
            sourceHeight: SCENE.height,
            grid: [GRID, GRID],
            geometry,
            rule: { kind: 'original' },
            fedIn: ['query pass'],
            attention: null,
          },
        ],
        answer: vat ? 'Red' : 'Brown',
        answerTokens: [11, 2],
        stopReason: 'eos',
        baselineAnswer: 'Brown',
        baselineTokens: [12, 2],
        baselineSteps: [],
        ...analysis,
        undefinedCells: null,
        decoding: vat
          ? { kind: 'vat', positive: '[I, I+]', negative: '[mask(I), I-]', alpha: 1, apcBeta: 0.1 }
          : { kind: 'greedy', positive: 'I', negative: null, alpha: null, apcBeta: null },
        steps: vat
          ? [
              {
                token: 11,
                text: ' Red',
                candidates: [
                  { token: 11, text: ' Red', positive: 14.25, negative: 9.5, fused: 19 },
                  { token: 12, text: ' Brown', positive: 15.5, negative: 15.25, fused: 15.75 },
                  { token: 13, text: ' Orange', positive: 11, negative: 10.5, fused: 11.5 },
                ],
              },
              {
                token: 2,
                text: '</s>',
                candidates: [
                  { token: 2, text: '</s>', positive: 21, negative: 18, fused: 24 },
                  { token: 14, text: '\n', positive: 3, negative: 4, fused: -Infinity },
                ],
              },
            ]
          : [
              { token: 12, text: ' Brown', candidates: [{ token: 12, text: ' Brown', positive: 15.5, negative: null, fused: 15.5 }] },
              { token: 2, text: '</s>', candidates: [{ token: 2, text: '</s>', positive: 20, negative: null, fused: 20 }] },
            ],
        timings: { total: 1 },
        tensors: {
          file: RECORD_TENSOR_FILE,
          names: Object.keys(tensors).sort(),
          maps: Object.fromEntries(
            ['a_q', 'A', 'M'].filter((n) => n in tensors).map((n) => [n, { input: 'image' as const, grid: [GRID, GRID] as [number, number] }]),
          ),
        },
      } satisfies AnalysisRecord),
    ),
  );
  const dir = join(root, name);
  await mkdir(dir, { recursive: true });
  await writeSafetensors(join(dir, RECORD_TENSOR_FILE), tensors);
  await writeFile(join(dir, RECORD_JSON), recordToJson(record));
  await mkdir(join(dir, RECORD_INPUTS_DIR), { recursive: true });
  await writeFile(join(dir, inputFileName('image')), await modelInputPng(png));
  return { dir, imagePath, record };
}
