import { describe, expect, it } from 'vitest';
import { defaultViewSettings } from './overlay.ts';
import { emptySession, loadPins, loadSession, loadView, savePins, saveSession, saveView, type StorageLike } from './view-state.ts';

function memory(): StorageLike & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v) };
}

const id = 'a'.repeat(64);

describe('view state in session storage', () => {
  it('keeps the run and the view settings per image', () => {
    const s = memory();
    const view = {
      ...defaultViewSettings,
      layer: 7,
      map: 'A' as const,
      opacity: 0.4,
      showBox: false,
      colormap: 'magma' as const,
      smooth: 'bicubic' as const,
      heads: { kind: 'top' as const, k: 3 },
      excludeSinks: true,
    };
    saveView(s, '/img/a.png', { resultId: id, view });
    expect(loadView(s, '/img/a.png')).toEqual({ resultId: id, view });
    expect(loadView(s, '/img/b.png')).toBeNull();
  });

  it('reads a view saved before colormap, smoothing, heads and sinks existed with their defaults', () => {
    const s = memory();
    const { colormap: _c, smooth: _s, heads: _h, excludeSinks: _e, ...old } = { ...defaultViewSettings, layer: 3 };
    s.setItem('laser.view:/old', JSON.stringify({ resultId: id, view: old }));
    expect(loadView(s, '/old')).toEqual({ resultId: id, view: { ...defaultViewSettings, layer: 3 } });
  });

  it('refuses what it did not write: bad JSON, a bad id, a map or layer out of range', () => {
    const s = memory();
    s.setItem('laser.view:/x', '{');
    expect(loadView(s, '/x')).toBeNull();
    for (const bad of [
      { resultId: 'x', view: defaultViewSettings },
      { resultId: id, view: { ...defaultViewSettings, map: 'Z' } },
      { resultId: id, view: { ...defaultViewSettings, layer: -1 } },
      { resultId: id, view: { ...defaultViewSettings, opacity: 2 } },
      { resultId: id, view: { ...defaultViewSettings, colormap: 'jet' } },
      { resultId: id, view: { ...defaultViewSettings, smooth: 'lanczos' } },
      { resultId: id, view: { ...defaultViewSettings, heads: { kind: 'head', head: -2 } } },
      { resultId: id, view: { ...defaultViewSettings, excludeSinks: 'yes' } },
    ]) {
      s.setItem('laser.view:/x', JSON.stringify(bad));
      expect(loadView(s, '/x')).toBeNull();
    }
  });

  it('keeps the pinned record ids, dropping anything that is not one', () => {
    const s = memory();
    savePins(s, [id, 'b'.repeat(64)]);
    expect(loadPins(s)).toEqual([id, 'b'.repeat(64)]);
    s.setItem('laser.pins', JSON.stringify([id, 3, 'nope']));
    expect(loadPins(s)).toEqual([id]);
    s.setItem('laser.pins', 'x');
    expect(loadPins(s)).toEqual([]);
  });

  it('survives a storage that refuses writes', () => {
    const full: StorageLike = {
      getItem: () => null,
      setItem: () => {
        throw new Error('quota');
      },
    };
    expect(() => saveView(full, '/a', { resultId: id, view: defaultViewSettings })).not.toThrow();
    expect(() => savePins(full, [id])).not.toThrow();
  });

  it('keeps where the user was: folder, open image, question and method; a new folder forgets the old image', () => {
    const s = memory();
    expect(loadSession(s)).toEqual(emptySession);
    saveSession(s, { folder: '/photos' });
    saveSession(s, { image: '/photos/a.png', question: 'What colour is the cube?', method: 'vcd' });
    expect(loadSession(s)).toEqual({ folder: '/photos', image: '/photos/a.png', question: 'What colour is the cube?', method: 'vcd' });
    saveSession(s, { folder: '/photos' });
    expect(loadSession(s).image).toBe('/photos/a.png');
    saveSession(s, { folder: '/other' });
    expect(loadSession(s)).toEqual({ folder: '/other', image: null, question: 'What colour is the cube?', method: 'vcd' });
    saveSession(s, { image: null });
    expect(loadSession(s).image).toBeNull();
  });

  it('takes each bad session field as empty, and bad JSON as no session', () => {
    const s = memory();
    s.setItem('laser.session', JSON.stringify({ folder: 3, image: '', question: 'x'.repeat(5000), method: 'magic' }));
    expect(loadSession(s)).toEqual(emptySession);
    s.setItem('laser.session', '{');
    expect(loadSession(s)).toEqual(emptySession);
  });
});
