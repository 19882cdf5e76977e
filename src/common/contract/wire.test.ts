import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WorkbenchError } from './errors.ts';
import { createWireHost } from './host.ts';
import type { Handlers } from './host.ts';
import { describeBadMessage, messageId, nestingDepth, peekMessageId, wireLimits } from './wire.ts';
import type { HostMessage } from './wire.ts';

function nested(depth: number): unknown {
  let v: unknown = 0;
  for (let i = 0; i < depth; i++) v = i % 2 ? { a: v } : [v];
  return v;
}

describe('nestingDepth', () => {
  it('counts arrays and objects, not scalars', () => {
    expect(nestingDepth(1, 64)).toBe(0);
    expect(nestingDepth([], 64)).toBe(1);
    expect(nestingDepth({ a: [1, { b: 2 }] }, 64)).toBe(3);
    expect(nestingDepth(nested(64), 64)).toBe(64);
  });

  it('stops at the limit on a structure far deeper than any stack', () => {
    const deep = JSON.parse('['.repeat(400_000) + ']'.repeat(400_000));
    expect(nestingDepth(deep, 64)).toBe(65);
  });
});

describe('message ids of refused messages', () => {
  it('takes an integer id from an object, and nothing else', () => {
    expect(messageId({ type: 'call', id: 7 })).toBe(7);
    expect(messageId({ id: -1 })).toBe(-1);
    expect(messageId({ id: 1.5 })).toBeNull();
    expect(messageId({ id: '3' })).toBeNull();
    expect(messageId([1])).toBeNull();
    expect(messageId(null)).toBeNull();
  });

  it('finds the id at the start of a call frame written by the client, without parsing the rest', () => {
    expect(peekMessageId(JSON.stringify({ type: 'call', id: 12, method: 'x', request: {} }) + 'garbage')).toBe(12);
    expect(peekMessageId('{"type":"cancel","id":3}')).toBe(3);
    expect(peekMessageId('{"method":"x","id":3}')).toBeNull();
    expect(peekMessageId('{not json')).toBeNull();
  });

  it('says what a message is instead of what it should be', () => {
    expect(describeBadMessage({ type: 'hello' })).toMatch(/^Unknown message type "hello" \(expected \{"type":"call"/);
    expect(describeBadMessage({ type: 'call', id: -1, method: 'host.info' })).toBe("A call's id must be an integer ≥ 0; got -1.");
    expect(describeBadMessage('text')).toMatch(/^A message must be a JSON object; got string/);
    expect(describeBadMessage([1])).toMatch(/got an array/);
    expect(describeBadMessage({ type: 'call', id: 1, method: 5 })).toMatch(/method must be a method name.*got number/);
  });
});

/** Handlers where host.info answers and library.scan throws a plain Error; others never run here. */
const handlers = new Proxy({} as Handlers, {
  get: (_target, method) => async () => {
    if (method === 'host.info') return { version: '0', transport: 'http', platform: 't', homeDir: '/', defaultFolder: null, canPickFolderNatively: false };
    if (method === 'library.scan') throw new Error('disk on fire');
    throw new WorkbenchError('internal', `${String(method)} is not part of this test.`);
  },
});

function host() {
  const sent: HostMessage[] = [];
  const h = createWireHost(handlers, (m) => sent.push(m));
  return { h, sent };
}

describe('createWireHost answers every message', () => {
  it('refuses a message that is not a call or a cancel with a bad-request error, at once', () => {
    const { h, sent } = host();
    h.receive({ type: 'hello' });
    h.receive({ type: 'call', id: -1, method: 'host.info', request: {} });
    h.receive('just text');
    expect(sent).toEqual([
      { type: 'error', id: null, error: { code: 'bad-request', message: expect.stringMatching(/^Unknown message type "hello"/) } },
      { type: 'error', id: -1, error: { code: 'bad-request', message: "A call's id must be an integer ≥ 0; got -1." } },
      { type: 'error', id: null, error: { code: 'bad-request', message: expect.stringMatching(/must be a JSON object; got string/) } },
    ]);
  });

  it('refuses a message nested deeper than the limit, carrying its id', () => {
    const { h, sent } = host();
    h.receive({ type: 'call', id: 5, method: 'host.info', request: nested(wireLimits.maxDepth) });
    expect(sent).toEqual([
      { type: 'error', id: 5, error: expect.objectContaining({ code: 'too-large', message: 'Refused a message nested deeper than 64 levels.' }) },
    ]);
  });

  it('answers an unknown method, a bad request and a thrown handler with a typed error', async () => {
    const { h, sent } = host();
    h.receive({ type: 'call', id: 1, method: 'nope', request: {} });
    h.receive({ type: 'call', id: 2, method: 'library.scan', request: { root: '' } });
    h.receive({ type: 'call', id: 3, method: 'library.scan', request: { root: '/x' } });
    await expect.poll(() => sent.length).toBe(3);
    const byId = new Map(sent.map((m) => [m.id, m]));
    expect(byId.get(1)).toMatchObject({ type: 'error', error: { code: 'unknown-method' } });
    expect(byId.get(2)).toMatchObject({
      type: 'error',
      error: { code: 'bad-request', message: expect.stringMatching(/^Invalid request for library.scan: root/) },
    });
    expect(byId.get(3)).toMatchObject({ type: 'error', error: { code: 'internal', message: 'Unexpected error: disk on fire' } });
  });

  it('refuses a second call with an id still in flight instead of running both', async () => {
    const slow = { ...handlers, 'host.info': () => new Promise(() => {}) } as unknown as Handlers;
    const sent: HostMessage[] = [];
    const h = createWireHost(slow, (m) => sent.push(m));
    h.receive({ type: 'call', id: 9, method: 'host.info', request: {} });
    h.receive({ type: 'call', id: 9, method: 'host.info', request: {} });
    expect(sent).toEqual([
      { type: 'error', id: 9, error: expect.objectContaining({ code: 'bad-request', message: expect.stringMatching(/already in flight/) }) },
    ]);
    expect(h.inFlightCount).toBe(1);
    h.close();
  });

  it('gives exactly one answer to any JSON value that is not a valid call (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
        const { h, sent } = host();
        const isCancel =
          typeof value === 'object' &&
          value !== null &&
          !Array.isArray(value) &&
          value.type === 'cancel' &&
          Number.isInteger(value.id) &&
          (value.id as number) >= 0;
        const isCall = typeof value === 'object' && value !== null && !Array.isArray(value) && value.type === 'call';
        fc.pre(!isCancel && !isCall);
        h.receive(value);
        expect(sent).toHaveLength(1);
        expect(sent[0]).toMatchObject({ type: 'error', error: { code: expect.stringMatching(/^(bad-request|too-large)$/) } });
      }),
      { numRuns: 300 },
    );
  });

  it('gives exactly one answer to any call, well-formed or not (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record(
          {
            type: fc.constant('call'),
            id: fc.oneof(fc.nat(), fc.integer(), fc.double(), fc.string()),
            method: fc.oneof(fc.constantFrom('host.info', 'library.scan', 'nope'), fc.string(), fc.nat()),
            request: fc.jsonValue({ maxDepth: 4 }),
          },
          { requiredKeys: [] },
        ),
        async (call) => {
          const { h, sent } = host();
          h.receive(call);
          await expect.poll(() => sent.length, { timeout: 1000, interval: 1 }).toBe(1);
          await new Promise((r) => setTimeout(r, 0));
          expect(sent).toHaveLength(1);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('createWireHost onUnexpected', () => {
  it('is asked for the error of a bug only, never for a WorkbenchError', async () => {
    const asked: string[] = [];
    const sent: HostMessage[] = [];
    const h = createWireHost(handlers, (m) => sent.push(m), {
      onUnexpected: async (e, method) => {
        asked.push(method);
        return { code: 'internal', message: `logged: ${(e as Error).message}` };
      },
    });
    h.receive({ type: 'call', id: 1, method: 'library.scan', request: { root: '/x' } });
    h.receive({ type: 'call', id: 2, method: 'library.recent', request: {} });
    await expect.poll(() => sent.length).toBe(2);
    expect(asked).toEqual(['library.scan']);
    expect(sent.find((m) => m.id === 1)).toMatchObject({ error: { code: 'internal', message: 'logged: disk on fire' } });
    expect(sent.find((m) => m.id === 2)).toMatchObject({ error: { code: 'internal', message: 'library.recent is not part of this test.' } });
  });
});
