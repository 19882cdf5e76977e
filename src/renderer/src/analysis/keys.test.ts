import { describe, expect, it } from 'vitest';
import { keyAction, type KeyContext } from './keys.ts';
import { defaultViewSettings } from './overlay.ts';
import { sampleResult } from './testing/sample-result.ts';

const ctx = (over: Partial<KeyContext> = {}): KeyContext => ({
  result: sampleResult(),
  view: { ...defaultViewSettings, layer: 1, map: 'M' },
  onLayerTile: false,
  ...over,
});

describe('analysis keys', () => {
  it('steps the layer with ] and [, showing A there, within the model', () => {
    expect(keyAction(']', ctx())).toEqual({ kind: 'view', change: { layer: 2, map: 'A' } });
    expect(keyAction('[', ctx())).toEqual({ kind: 'view', change: { layer: 0, map: 'A' } });
    expect(keyAction(']', ctx({ view: { ...defaultViewSettings, layer: 2, map: 'A' } }))).toEqual({ kind: 'view', change: { layer: 2, map: 'A' } });
    expect(keyAction(']', ctx({ result: sampleResult({ method: 'vanilla', noMaps: true }) }))).toBeNull();
  });

  it('gives the arrows to the layers only while a layer tile has the focus', () => {
    expect(keyAction('ArrowRight', ctx())).toBeNull();
    expect(keyAction('ArrowRight', ctx({ onLayerTile: true }))).toEqual({ kind: 'view', change: { layer: 2, map: 'A' } });
  });

  it('cycles the maps the run has, turns the map off and on, and opens the help and the Layers view', () => {
    expect(keyAction('m', ctx())).toEqual({ kind: 'view', change: { map: 'A' } });
    expect(keyAction('m', ctx({ view: { ...defaultViewSettings, layer: 1, map: 'a0' } }))).toEqual({ kind: 'view', change: { map: 'd' } });
    expect(keyAction('m', ctx({ view: { ...defaultViewSettings, layer: 1, map: 'd' } }))).toEqual({ kind: 'view', change: { map: 'M' } });
    expect(keyAction('o', ctx())).toEqual({ kind: 'view', change: { map: 'off' } });
    expect(keyAction('o', ctx({ view: { ...defaultViewSettings, map: 'off' } }))).toEqual({ kind: 'view', change: { map: 'M' } });
    expect(keyAction('?', ctx({ result: null }))).toEqual({ kind: 'help' });
    expect(keyAction('l', ctx())).toEqual({ kind: 'toggle-layers' });
    expect(keyAction('x', ctx())).toBeNull();
  });

  it('steps the heads of A with h and H (showing A when another map was up), the colormap with c and the smoothing with s', () => {
    expect(keyAction('h', ctx())).toEqual({ kind: 'view', change: { heads: { kind: 'head', head: 0 }, map: 'A', layer: 1 } });
    const onA = { ...defaultViewSettings, layer: 1, map: 'A' as const };
    expect(keyAction('h', ctx({ view: { ...onA, heads: { kind: 'head', head: 1 } } }))).toEqual({ kind: 'view', change: { heads: { kind: 'mean' } } });
    expect(keyAction('H', ctx({ view: onA }))).toEqual({ kind: 'view', change: { heads: { kind: 'head', head: 1 } } });
    expect(keyAction('h', ctx({ result: sampleResult({ method: 'vanilla', noMaps: true }) }))).toBeNull();
    expect(keyAction('c', ctx())).toEqual({ kind: 'view', change: { colormap: 'magma' } });
    expect(keyAction('c', ctx({ view: { ...onA, colormap: 'coolwarm' } }))).toEqual({ kind: 'view', change: { colormap: 'viridis' } });
    expect(keyAction('s', ctx())).toEqual({ kind: 'view', change: { smooth: 'bilinear' } });
    expect(keyAction('s', ctx({ view: { ...onA, smooth: 'bicubic' } }))).toEqual({ kind: 'view', change: { smooth: 'cells' } });
  });
});
