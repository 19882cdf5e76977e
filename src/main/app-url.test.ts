import { describe, expect, it } from 'vitest';
import { builtAppUrl, isAppUrl } from './app-url.ts';

describe('isAppUrl', () => {
  it('accepts any page of the built app', () => {
    expect(isAppUrl('laser-app://app/index.html', builtAppUrl)).toBe(true);
    expect(isAppUrl('laser-app://app/index.html#/gallery', builtAppUrl)).toBe(true);
  });

  it('refuses other hosts, schemes and URLs that only start like the app', () => {
    for (const url of [
      'laser-app://other/index.html',
      'https://app/index.html',
      'file:///index.html',
      'laser-app://app.evil/x',
      'laser-app://user@app/x',
      'not a url',
    ]) {
      expect(isAppUrl(url, builtAppUrl), url).toBe(false);
    }
  });

  it('compares the dev server by host and port', () => {
    expect(isAppUrl('http://localhost:5173/x', 'http://localhost:5173')).toBe(true);
    expect(isAppUrl('http://localhost:5174/x', 'http://localhost:5173')).toBe(false);
    expect(isAppUrl('https://localhost:5173/x', 'http://localhost:5173')).toBe(false);
  });
});
