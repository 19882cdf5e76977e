/**
 * The Inputs view as a figure (common/figures' modelInputsSvg), shared by `laser figure --kind
 * inputs` and the view's export: every image the model got, each with its own attention (head
 * mean, as LaserResult.inputImages carries it) at one layer on its own grid, with what it is, its
 * size and grid, the rule that made it and the streams it went into, drawn as the view draws them:
 * as cells or upsampled smooth (`smooth`), which the file's metadata then says (`inputsFigureAbout`).
 */
import type { InputImage } from '../contract/methods.ts';
import { colorDomain, viridis } from '../figures/colormap.ts';
import type { InputPanel, ModelInputsInput } from '../figures/index.ts';
import { INPUT_LABELS, inputFedText, inputRuleText, inputSizeText } from './input-text.ts';
import { figureUpsampling, type Smoothing } from './overlay-figure.ts';
import { figureProvenance } from './provenance.ts';
import type { AnalysisRecord } from './record.ts';
import { attentionSinks } from './sinks.ts';

/** The layer an input's map is shown at: the one asked for, else the last, clamped to its layers; null without attention. */
export function inputLayer(input: Pick<InputImage, 'attention'>, layer: number | null): number | null {
  const L = input.attention?.length ?? 0;
  if (L === 0) return null;
  if (layer === null) return L - 1;
  return Math.min(L - 1, Math.max(0, layer));
}

/**
 * The colour range of an input's map `values`: its own [0, max]; with `excludeSinks`, set by the
 * cells that are not attention sinks (sinks.ts, over the input's every layer), so the sinks saturate.
 */
export function inputDomain(input: Pick<InputImage, 'attention'>, values: readonly number[], excludeSinks: boolean): [number, number] {
  const sinks = excludeSinks && input.attention ? attentionSinks(input.attention) : [];
  return colorDomain(sinks.length > 0 ? values.filter((_, j) => !sinks.includes(j)) : values, viridis);
}

/**
 * `hrefs`: each input's picture (by index) as the figure embeds it; `layer`: the layer in view (null:
 * each input's last); `excludeSinks`: each scale set without the input's attention sinks, as the
 * view's "sinks out of the scale"; `smooth`: the maps as the view draws them, cells or upsampled.
 */
export function inputsFigure(
  r: Pick<AnalysisRecord, 'question' | 'method'>,
  inputs: readonly InputImage[],
  hrefs: readonly string[],
  layer: number | null,
  titles: boolean,
  excludeSinks = false,
  smooth: Smoothing = 'cells',
): ModelInputsInput {
  const panels = inputs.map((i, k): InputPanel => {
    const href = hrefs[k];
    if (href === undefined) throw new RangeError(`Input ${i.role} has no picture to draw.`);
    const l = inputLayer(i, layer);
    const values = l === null ? null : (i.attention?.[l] ?? null);
    return {
      image: { href, width: i.width, height: i.height },
      grid: [i.grid[0], i.grid[1]],
      values,
      ...(excludeSinks && values ? { domain: inputDomain(i, values, true) } : {}),
      label: `${INPUT_LABELS[i.role].short} \u00B7 ${INPUT_LABELS[i.role].long}`,
      lines: [inputSizeText(i), inputRuleText(i), inputFedText(i)],
    };
  });
  const first = inputs[0];
  const l = first ? inputLayer(first, layer) : null;
  return {
    panels,
    ...(smooth === 'cells' ? {} : { smooth: figureUpsampling(smooth) }),
    ...(titles
      ? {
          title: 'What the model got',
          subtitle: `${r.question} \u00B7 ${r.method}, attention at layer ${l ?? '\u2014'}, each on its own grid and scale${excludeSinks ? ' (attention sinks left out of it)' : ''}`,
        }
      : {}),
  };
}

/**
 * What the inputs figure's file says about it (the SVG's <desc>, the PDF's Subject): the run's
 * provenance and, for smooth maps, how they were drawn (cells need no word: that is what the grid is).
 */
export function inputsFigureAbout(r: Parameters<typeof figureProvenance>[0], smooth: Smoothing = 'cells'): string {
  const provenance = figureProvenance(r);
  return smooth === 'cells' ? provenance : `${provenance}; maps drawn with ${smooth} upsampling of each input's grid`;
}
