/**
 * The Inputs view's logic: every image the model got (LaserResult.inputImages), each drawn as the
 * encoder got it, with its own attention laid on its own grid. The picture is the encoder's input,
 * so the grid tiles it evenly: cell (r, c) of a rows x cols grid covers columns c*W/cols..(c+1)*W/cols
 * and rows r*H/rows..(r+1)*H/rows of it, whatever the grid's shape (a Qwen2-VL crop is not square).
 */
import type { InputImage } from '../../../common/contract/methods.ts';
import { cellFills, mapDomain, type CellFill, type Rect4 } from './heatmap.ts';

/** What each role is, as the method's notation writes it. */
export const INPUT_LABELS: Record<InputImage['role'], { short: string; long: string }> = {
  image: { short: 'I', long: 'the image' },
  crop: { short: 'I+', long: 'the crop' },
  masked: { short: 'mask(I)', long: 'the evidence masked' },
  'vat-contrast': { short: 'I−', long: "VAT's contrast image (the crop of mask(I))" },
  'vcd-noise': { short: 'noise(I)', long: "VCD's noised image" },
};

/** Every cell of the input's own grid on its picture, row-major. */
export function inputCells(input: Pick<InputImage, 'grid' | 'width' | 'height'>): Rect4[] {
  const [rows, cols] = input.grid;
  const cw = input.width / cols;
  const ch = input.height / rows;
  const out: Rect4[] = [];
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out.push([c * cw, r * ch, (c + 1) * cw, (r + 1) * ch]);
  return out;
}

/** The layer an input's map is shown at: the one asked for, else the last, clamped to its layers; null without attention. */
export function inputLayer(input: Pick<InputImage, 'attention'>, layer: number | null): number | null {
  const L = input.attention?.length ?? 0;
  if (L === 0) return null;
  if (layer === null) return L - 1;
  return Math.min(L - 1, Math.max(0, layer));
}

/** The input's attention at `layer` as cells to colour, on its own [0, max] scale; [] without attention. */
export function inputFills(input: InputImage, layer: number | null): { fills: CellFill[]; domain: [number, number] | null } {
  const l = inputLayer(input, layer);
  if (l === null) return { fills: [], domain: null };
  const values = input.attention![l];
  const cells = inputCells(input);
  if (values.length !== cells.length) throw new RangeError(`The ${input.role} input has ${values.length} attention values for its ${input.grid[0]}x${input.grid[1]} grid.`);
  const domain = mapDomain(values);
  return { fills: cellFills(cells, values, domain), domain };
}

function box(b: unknown): string {
  return Array.isArray(b) ? `[${b.join(', ')}]` : '?';
}

/** The rule that made the input, in words. */
export function inputRuleText(input: Pick<InputImage, 'rule'>): string {
  const r = input.rule as Record<string, unknown>;
  switch (r.kind) {
    case 'original':
      return 'the image as given';
    case 'crop':
      return `I cropped to ${box(r.box)} (original pixels)`;
    case 'mask': {
      const n = Array.isArray(r.cells) ? r.cells.length : 0;
      return `${n} cell${n === 1 ? '' : 's'} of I's grid filled (${String(r.fill)})`;
    }
    case 'mask-crop': {
      const n = Array.isArray(r.cells) ? r.cells.length : 0;
      return `mask(I) (${n} cell${n === 1 ? '' : 's'}, ${String(r.fill)}) cropped to ${box(r.box)}`;
    }
    case 'noise':
      return `diffusion noise at step ${String(r.step)} of ${String(r.steps)}, seed ${String(r.seed)}`;
    default:
      return String(r.kind);
  }
}

/** Size and grid in one line: "336 × 336 px · grid 24 × 24 (from 250 × 224)". */
export function inputSizeText(input: Pick<InputImage, 'width' | 'height' | 'grid' | 'sourceWidth' | 'sourceHeight'>): string {
  const from = input.sourceWidth === input.width && input.sourceHeight === input.height ? '' : ` (from ${input.sourceWidth} × ${input.sourceHeight})`;
  return `${input.width} × ${input.height} px${from} · grid ${input.grid[0]} × ${input.grid[1]}`;
}
