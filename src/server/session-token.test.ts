import { describe, expect, it } from 'vitest';
import { authenticate, createSessionToken, readCookie, tokensEqual } from './session-token.ts';

describe('session token', () => {
  it('is 32 random bytes in hex, different each time', () => {
    const a = createSessionToken();
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(createSessionToken()).not.toBe(a);
  });

  it('compares equal only for the same string, whatever the lengths', () => {
    expect(tokensEqual('abc', 'abc')).toBe(true);
    expect(tokensEqual('abd', 'abc')).toBe(false);
    expect(tokensEqual('ab', 'abc')).toBe(false);
    expect(tokensEqual('', 'abc')).toBe(false);
  });

  it('reports which place carried the right token', () => {
    expect(authenticate({ cookie: 'x', query: 't', bearer: null }, 't')).toEqual({ ok: true, via: 'query' });
    expect(authenticate({ cookie: 't', query: null, bearer: null }, 't')).toEqual({ ok: true, via: 'cookie' });
    expect(authenticate({ cookie: null, query: null, bearer: 't' }, 't')).toEqual({ ok: true, via: 'bearer' });
    expect(authenticate({ cookie: 'x', query: 'y', bearer: 'z' }, 't')).toEqual({ ok: false });
  });
});

describe('readCookie', () => {
  it('finds a cookie by exact name among others', () => {
    expect(readCookie('a=1; laser_token=abc; b=2', 'laser_token')).toBe('abc');
    expect(readCookie('xlaser_token=abc', 'laser_token')).toBeNull();
    expect(readCookie(undefined, 'laser_token')).toBeNull();
  });
});
