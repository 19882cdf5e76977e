/**
 * The Inputs view's logic: every image the model got (LaserResult.inputImages), each drawn as the
 * encoder got it, with its own attention laid on its own grid. The picture is the encoder's input,
 * so the grid tiles it evenly: cell (r, c) of a rows x cols grid covers columns c*W/cols..(c+1)*W/cols
 * and rows r*H/rows..(r+1)*H/rows of it, whatever the grid's shape (a Qwen2-VL crop is not square).
 */
import type { InputImage } from '../../../common/contract/methods.ts';
import { inputDomain, inputLayer } from '../../../common/laser/inputs-figure.ts';
import { attentionSinks } from '../../../common/laser/sinks.ts';
import { cellFills, type CellFill, type Rect4 } from './heatmap.ts';

export { INPUT_LABELS, inputFedText, inputRuleText, inputSizeText } from '../../../common/laser/input-text.ts';
export { inputLayer } from '../../../common/laser/inputs-figure.ts';

/** Every cell of the input's own grid on its picture, row-major. */
export function inputCells(input: Pick<InputImage, 'grid' | 'width' | 'height'>): Rect4[] {
  const [rows, cols] = input.grid;
  const cw = input.width / cols;
  const ch = input.height / rows;
  const out: Rect4[] = [];
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out.push([c * cw, r * ch, (c + 1) * cw, (r + 1) * ch]);
  return out;
}

/** The input's attention sinks: cells heavy at nearly every layer (common/laser/sinks.ts). */
export function inputSinks(input: Pick<InputImage, 'attention'>): number[] {
  return input.attention ? attentionSinks(input.attention) : [];
}

/**
 * The input's attention at `layer` as cells to colour, on its own [0, max] scale; [] without
 * attention. With `excludeSinks`, the scale is set by the other cells (the sinks saturate).
 */
export function inputFills(
  input: InputImage,
  layer: number | null,
  excludeSinks = false,
): { fills: CellFill[]; domain: [number, number] | null; values: number[] | null } {
  const l = inputLayer(input, layer);
  if (l === null) return { fills: [], domain: null, values: null };
  const values = input.attention![l];
  const cells = inputCells(input);
  if (values.length !== cells.length)
    throw new RangeError(`The ${input.role} input has ${values.length} attention values for its ${input.grid[0]}x${input.grid[1]} grid.`);
  const domain = inputDomain(input, values, excludeSinks);
  return { fills: cellFills(cells, values, domain), domain, values };
}
