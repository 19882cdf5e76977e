/**
 * Test support: a small, schema-valid LaserResult (a 2 x 2 grid on a 200 x 100 image, 3 layers of
 * 2 heads, two decoding steps, one with a -Infinity logit), for the pure view logic's tests. Its crop
 * I+ lies on its own 2 x 3 grid (as an any-resolution model gives it), so views that assume one
 * square grid for every image fail on it.
 */
import type { LaserResult } from '../../../../common/contract/methods.ts';
import type { MethodId } from '../../../../common/laser/knobs.ts';

const hex = (c: string) => c.repeat(64);

export function sampleResult(o: { method?: MethodId; noMaps?: boolean; layer?: number | null } = {}): LaserResult {
  const method = o.method ?? 'laser';
  const noMaps = o.noMaps ?? false;
  const layer = o.layer === undefined ? (noMaps ? null : 2) : o.layer;
  const step = (token: number, text: string) => ({
    token,
    text,
    candidates: [
      { token, text, positive: 5.5, negative: 1.25, fused: 9.75 },
      { token: 9, text: ' no', positive: 6, negative: 6, fused: 6 },
      { token: 4, text: 'x', positive: -1, negative: 2, fused: '-Infinity' as const },
    ],
  });
  const geometry = {
    mode: 'pad' as const,
    imageWidth: 200,
    imageHeight: 100,
    inputWidth: 56,
    inputHeight: 56,
    scaleX: 0.28,
    scaleY: 0.28,
    offsetX: 0,
    offsetY: 14,
    steps: [],
    gridWidth: 2,
    gridHeight: 2,
  };
  const cropGeometry = {
    mode: 'resize' as const,
    imageWidth: 112,
    imageHeight: 100,
    inputWidth: 84,
    inputHeight: 56,
    scaleX: 0.75,
    scaleY: 0.56,
    offsetX: 0,
    offsetY: 0,
    steps: [],
    gridWidth: 3,
    gridHeight: 2,
  };
  const withCrop = !noMaps;
  return {
    id: hex('a'),
    cached: false,
    record: {
      format: 'laser-record',
      version: 2,
      createdAt: '2026-01-02T03:04:05.000Z',
      cacheKey: hex('a'),
      method,
      knobs: method === 'laser' ? { kHead: 8, cropRule: 'centroid', layerRange: null, apcBeta: null } : {},
      knobNotes: [],
      question: 'What colour is the circle?',
      prompt: {
        instruction: 'Answer the question using a single word or phrase.',
        systemPrompt: null,
        templateSource: 'bundle',
        queryText: 'USER: <image>\nWhat colour is the circle? ASSISTANT:',
        otherText: null,
        sharedPrefix: 0,
        maxNewTokens: 16,
        topCandidates: 5,
      },
      bundle: {
        id: hex('b'),
        dir: '/models/tiny',
        name: 'tiny',
        layers: 3,
        heads: 2,
        vocab: 300,
        architecture: 'llava',
        viewEncoding: 'fixed-grid',
        pixelBounds: null,
        imageSize: 56,
        tokensPerImage: 4,
        grid: [2, 2],
        preprocessing: 'pad',
        provider: 'cpu',
      },
      image: { path: '/images/a.png', hash: hex('c'), width: 200, height: 100 },
      geometry,
      inputs: [
        {
          role: 'image',
          file: 'inputs/image.png',
          width: 56,
          height: 56,
          sourceWidth: 200,
          sourceHeight: 100,
          grid: [2, 2],
          geometry,
          rule: { kind: 'original' },
          fedIn: ['query pass'],
          attention: 'a_q',
        },
        ...(withCrop
          ? [
              {
                role: 'crop' as const,
                file: 'inputs/crop.png',
                width: 84,
                height: 56,
                sourceWidth: 112,
                sourceHeight: 100,
                grid: [2, 3] as [number, number],
                geometry: cropGeometry,
                rule: { kind: 'crop' as const, box: [0, 0, 112, 100] as [number, number, number, number] },
                fedIn: ['positive [I, I+]'],
                attention: 'input.crop',
              },
            ]
          : []),
      ],
      answer: 'red',
      answerTokens: [7, 2],
      stopReason: 'eos',
      baselineAnswer: 'blue',
      baselineTokens: [8, 2],
      baselineSteps: [],
      vaq: noMaps ? null : [0.1, 0.4, 0.9],
      vaqHeads: noMaps
        ? null
        : [
            [0.1, 0.05],
            [0.4, 0.2],
            [0.9, 0.3],
          ],
      vaqPositions: noMaps ? null : 1,
      layer,
      layerChoice: noMaps ? null : { mode: 'argmax', searched: [0, 2] },
      mapHeads: noMaps ? null : [0, 1],
      mapMass: noMaps ? null : 0.5,
      fallback: null,
      box: noMaps ? null : [0, 0, 112, 100],
      crop: noMaps ? null : { rule: 'centroid', degenerate: false },
      maskedCells: noMaps ? [] : [0],
      undefinedCells: null,
      decoding: { kind: 'vat', positive: '[I, I+]', negative: '[mask(I), I-]', alpha: 1, apcBeta: null },
      steps: [step(7, 'red'), step(2, '</s>')],
      timings: { 'query-pass': 30, decode: 50, 'load-model': 10, total: 100 },
      tensors: { file: 'tensors.safetensors', names: [], maps: {} },
    },
    views: {
      grid: [2, 2],
      cells: [
        [0, -50, 100, 50],
        [100, -50, 200, 50],
        [0, 50, 100, 150],
        [100, 50, 200, 150],
      ],
      map: noMaps ? null : [0.7, 0.1, 0.2, 0],
      contrastive: noMaps
        ? null
        : [
            [0, 0, 0, 0],
            [0.1, 0, 0, 0.3],
            [0.5, 0.1, 0.2, 0],
          ],
      queryAttention: noMaps ? null : [0.6, 0.1, 0.2, 0.1],
      baseAttention: noMaps ? null : [0.1, 0, 0, 0.1],
    },
    inputImages: [
      {
        role: 'image',
        width: 56,
        height: 56,
        sourceWidth: 200,
        sourceHeight: 100,
        grid: [2, 2],
        rule: { kind: 'original' },
        fedIn: ['query pass'],
        media: { kind: 'record-input', id: hex('a'), role: 'image' },
        attention: [
          [0.1, 0.1, 0.1, 0.1],
          [0.2, 0.1, 0.1, 0.2],
          [0.6, 0.1, 0.2, 0.1],
        ],
      },
      ...(withCrop
        ? [
            {
              role: 'crop' as const,
              width: 84,
              height: 56,
              sourceWidth: 112,
              sourceHeight: 100,
              grid: [2, 3] as [number, number],
              rule: { kind: 'crop', box: [0, 0, 112, 100] },
              fedIn: ['positive [I, I+]'],
              media: { kind: 'record-input' as const, id: hex('a'), role: 'crop' as const },
              attention: [
                [0.1, 0.1, 0.1, 0.1, 0.1, 0.1],
                [0.3, 0.1, 0, 0, 0.1, 0.2],
                [0.5, 0.2, 0.1, 0, 0, 0.1],
              ],
            },
          ]
        : []),
    ],
  };
}
