/**
 * The model's input images (record.inputs) in words, for the app's Inputs view and for
 * `laser figure --kind inputs` alike: what each role is, the rule that made it, its size and grid.
 */
import type { InputRole } from './record.ts';

/** What each role is, as the method's notation writes it. */
export const INPUT_LABELS: Record<InputRole, { short: string; long: string }> = {
  image: { short: 'I', long: 'the image' },
  crop: { short: 'I+', long: 'the crop' },
  masked: { short: 'mask(I)', long: 'the evidence masked' },
  'vat-contrast': { short: 'I\u2212', long: "VAT's contrast image (the crop of mask(I))" },
  'vcd-noise': { short: 'noise(I)', long: "VCD's noised image" },
};

function box(b: unknown): string {
  return Array.isArray(b) ? `[${b.join(', ')}]` : '?';
}

/** The rule that made an input, in words. */
export function inputRuleText(input: { rule: { kind: string; [key: string]: unknown } }): string {
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

/** Size and grid in one line: "336 × 336 px (from 250 × 224) · grid 24 × 24". */
export function inputSizeText(input: { width: number; height: number; grid: readonly [number, number]; sourceWidth: number; sourceHeight: number }): string {
  const from = input.sourceWidth === input.width && input.sourceHeight === input.height ? '' : ` (from ${input.sourceWidth} \u00D7 ${input.sourceHeight})`;
  return `${input.width} \u00D7 ${input.height} px${from} \u00B7 grid ${input.grid[0]} \u00D7 ${input.grid[1]}`;
}

/** Where an input went, in words. */
export function inputFedText(input: { fedIn: readonly string[] }): string {
  return input.fedIn.length > 0 ? `fed in: ${input.fedIn.join('; ')}` : 'not fed (made to cut I\u2212 from it)';
}
