/**
 * The maps a result can lay over the image (the overlay's map choice, shared by the app's view and
 * `laser figure --map`), and what each one is: the localisation map M, the
 * contrastive attention A at the selected layer, and the query / no-query attention at the chosen
 * layer, and their signed difference a_q − a_0 there (before the ReLU of A: where the question drew
 * attention away, too), all head means on the model's grid (LaserViews). A method that does not make
 * a map says so.
 */
import type { LaserResult } from '../contract/methods.ts';

export type MapId = 'M' | 'A' | 'aq' | 'a0' | 'd';
export const MAP_IDS: readonly MapId[] = ['M', 'A', 'aq', 'a0', 'd'];

/** Maps whose values can be negative: drawn on a diverging colormap centred at zero. */
export const SIGNED_MAPS: readonly MapId[] = ['d'];

export interface MapChoice {
  id: MapId;
  /** Short, for a toggle. */
  label: string;
  /** What it is, for a tooltip and the legend. */
  description: string;
  values: number[] | null;
}

/** `layer`: the layer selected in the views (A is shown there); the record's chosen layer otherwise. */
export function mapChoices(result: Pick<LaserResult, 'views' | 'record'>, layer: number | null): MapChoice[] {
  const { views, record } = result;
  const chosen = record.layer;
  const at = (l: number | null) => (l === null ? '' : ` · L${l}`);
  const relative = record.method === 'vicrop-rel';
  return [
    {
      id: 'M',
      label: relative ? 'rel' : 'M',
      description: relative
        ? `ViCrop relative attention (query / generic prompt) at layer ${chosen}`
        : `localisation map M: top-${record.mapHeads?.length ?? 'k'} heads of A at layer ${chosen}, sums to 1`,
      values: views.map,
    },
    {
      id: 'A',
      label: `A${at(layer)}`,
      description: `contrastive attention ReLU(a_q − a_0), mean over heads, layer ${layer}`,
      values: layer !== null && views.contrastive && layer < views.contrastive.length ? (views.contrastive[layer] ?? null) : null,
    },
    { id: 'aq', label: `a_q${at(chosen)}`, description: `query-pass attention, mean over heads, layer ${chosen}`, values: views.queryAttention },
    {
      id: 'a0',
      label: `a_0${at(chosen)}`,
      description: relative ? `generic-prompt attention, mean over heads, layer ${chosen}` : `no-query attention, mean over heads, layer ${chosen}`,
      values: views.baseAttention,
    },
    {
      id: 'd',
      label: `a_q−a_0${at(chosen)}`,
      description: `signed difference a_q − a_0 (before the ReLU of A), mean over heads, layer ${chosen}: above 0 where the question drew attention, below where it drew it away`,
      values:
        views.queryAttention && views.baseAttention && views.queryAttention.length === views.baseAttention.length
          ? views.queryAttention.map((v, j) => v - (views.baseAttention?.[j] ?? 0))
          : null,
    },
  ];
}

/** The first map the result has, in the order M, A, a_q, a_0; null when it has none (vanilla, vcd). */
export function defaultMap(choices: readonly MapChoice[]): MapId | null {
  return choices.find((c) => c.values !== null)?.id ?? null;
}
