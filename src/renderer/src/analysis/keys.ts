/**
 * The analysis keys of the image view: next / previous layer, the map shown, the Layers view and the
 * help overlay. Pure: from a key and what is on screen to the change to make, so the bindings are
 * tested without a browser. Arrow keys move the layer (not the image) while a layer tile has focus.
 */
import type { LaserResult } from '../../../common/contract/methods.ts';
import { COLORMAP_NAMES } from '../../../common/figures/index.ts';
import { stepHeads } from '../../../common/laser/heads.ts';
import { mapChoices, type MapId } from './maps.ts';
import { SMOOTHINGS, type ViewSettings } from './overlay.ts';

export interface KeyContext {
  result: LaserResult | null;
  view: ViewSettings;
  /** A layer tile has the focus (arrows then step through layers). */
  onLayerTile: boolean;
}

export type KeyAction = { kind: 'view'; change: Partial<ViewSettings> } | { kind: 'toggle-layers' } | { kind: 'help' };

export const KEY_HELP: readonly [string, string][] = [
  ['] or .', 'next layer (contrastive map A at it)'],
  ['[ or ,', 'previous layer'],
  ['← →', 'previous / next layer while a layer tile has the focus; otherwise previous / next image'],
  ['m', 'next map: M, A, a_q, a_0, a_q − a_0 (those the run has)'],
  ['h / H', 'next / previous head of A: mean of heads, head 0, 1, …'],
  ['c', 'next colormap: viridis, magma, cool-warm'],
  ['s', 'cells / bilinear / bicubic'],
  ['o', 'map off / on'],
  ['l', 'the Layers view / the image'],
  ['?', 'this help'],
];

function stepLayer(ctx: KeyContext, d: number): KeyAction | null {
  const r = ctx.result;
  if (!r || !r.views.contrastive) return null;
  const L = r.views.contrastive.length;
  const from = ctx.view.layer ?? r.record.layer ?? 0;
  return { kind: 'view', change: { layer: Math.min(L - 1, Math.max(0, from + d)), map: 'A' } };
}

export function keyAction(key: string, ctx: KeyContext): KeyAction | null {
  switch (key) {
    case '?':
      return { kind: 'help' };
    case ']':
    case '.':
      return stepLayer(ctx, 1);
    case '[':
    case ',':
      return stepLayer(ctx, -1);
    case 'ArrowRight':
      return ctx.onLayerTile ? stepLayer(ctx, 1) : null;
    case 'ArrowLeft':
      return ctx.onLayerTile ? stepLayer(ctx, -1) : null;
    case 'm': {
      if (!ctx.result) return null;
      const have = mapChoices(ctx.result, ctx.view.layer ?? ctx.result.record.layer)
        .filter((c) => c.values !== null)
        .map((c) => c.id);
      if (have.length === 0) return null;
      const at = have.indexOf(ctx.view.map as MapId);
      return { kind: 'view', change: { map: have[(at + 1) % have.length] } };
    }
    case 'o': {
      if (!ctx.result) return null;
      if (ctx.view.map !== 'off') return { kind: 'view', change: { map: 'off' } };
      const first = mapChoices(ctx.result, ctx.view.layer).find((c) => c.values !== null);
      return first ? { kind: 'view', change: { map: first.id } } : null;
    }
    case 'l':
      return ctx.result?.views.contrastive ? { kind: 'toggle-layers' } : null;
    case 'h':
    case 'H': {
      const r = ctx.result;
      if (!r?.views.contrastive) return null;
      const heads = stepHeads(ctx.view.heads, r.record.bundle.heads, key === 'h' ? 1 : -1);
      // heads are A's: show A (at the layer in view) when another map was up
      return { kind: 'view', change: ctx.view.map === 'A' ? { heads } : { heads, map: 'A', layer: ctx.view.layer ?? r.record.layer } };
    }
    case 'c':
      return { kind: 'view', change: { colormap: COLORMAP_NAMES[(COLORMAP_NAMES.indexOf(ctx.view.colormap) + 1) % COLORMAP_NAMES.length] } };
    case 's':
      return { kind: 'view', change: { smooth: SMOOTHINGS[(SMOOTHINGS.indexOf(ctx.view.smooth) + 1) % SMOOTHINGS.length] } };
    default:
      return null;
  }
}
