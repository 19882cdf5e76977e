import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { exposureWarning, isAllowedHostHeader, isAllowedOrigin, isLoopbackHost } from './request-guards.ts';

describe('isAllowedHostHeader', () => {
  const loopback = { host: '127.0.0.1', port: 5000 };

  it('accepts loopback names with the bound port', () => {
    for (const h of ['127.0.0.1:5000', 'localhost:5000', 'LOCALHOST:5000', '[::1]:5000']) expect(isAllowedHostHeader(h, loopback), h).toBe(true);
  });

  it('refuses other names, other ports, a missing header and userinfo tricks', () => {
    for (const h of [undefined, '', 'evil.example:5000', '127.0.0.1:5001', '127.0.0.1', 'evil.example@127.0.0.1:5000', '127.0.0.1:5000/x', '10.0.0.2:5000']) {
      expect(isAllowedHostHeader(h, loopback), String(h)).toBe(false);
    }
  });

  it('assumes port 80 when the header has none', () => {
    expect(isAllowedHostHeader('localhost', { host: '127.0.0.1', port: 80 })).toBe(true);
  });

  it('accepts IP literals and the machine name, but not other names, when bound beyond loopback', () => {
    const wide = { host: '0.0.0.0', port: 5000 };
    expect(isAllowedHostHeader('192.168.1.20:5000', wide)).toBe(true);
    expect(isAllowedHostHeader(`${hostname()}:5000`, wide)).toBe(true);
    expect(isAllowedHostHeader('attacker.example:5000', wide)).toBe(false);
  });

  it('accepts the name the server was bound to', () => {
    expect(isAllowedHostHeader('workstation.lab:5000', { host: 'workstation.lab', port: 5000 })).toBe(true);
  });
});

describe('isAllowedOrigin', () => {
  it('accepts only the origin of the Host the request came to', () => {
    expect(isAllowedOrigin('http://127.0.0.1:5000', '127.0.0.1:5000')).toBe(true);
    expect(isAllowedOrigin('http://localhost:5000', '127.0.0.1:5000')).toBe(false);
    expect(isAllowedOrigin('https://127.0.0.1:5000', '127.0.0.1:5000')).toBe(false);
    expect(isAllowedOrigin('null', '127.0.0.1:5000')).toBe(false);
  });

  it('lets clients that send no Origin (not browsers) through to the token check', () => {
    expect(isAllowedOrigin(undefined, '127.0.0.1:5000')).toBe(true);
  });
});

describe('isLoopbackHost', () => {
  it('knows the loopback names and the 127/8 block', () => {
    expect(['localhost', '127.0.0.1', '127.1.2.3', '::1', '[::1]'].every(isLoopbackHost)).toBe(true);
    expect(['0.0.0.0', '192.168.0.1', 'example.com', '::'].some(isLoopbackHost)).toBe(false);
  });
});

describe('exposureWarning', () => {
  it('warns that the token is all that protects the folders when bound beyond loopback', () => {
    expect(exposureWarning('0.0.0.0')).toMatch(/anyone who can reach this address and has the token/i);
    expect(exposureWarning('192.168.1.5')).not.toBeNull();
    expect(exposureWarning('127.0.0.1')).toBeNull();
    expect(exposureWarning('localhost')).toBeNull();
  });
});
