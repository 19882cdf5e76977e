/**
 * The message protocol every transport speaks (WebSocket frames in serve mode, MessagePort messages
 * between renderer, main and the engine's utility process). Plain JSON-compatible objects.
 */
import { z } from 'zod';
import { errorCodes } from './errors.ts';

export const ClientMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('call'), id: z.number().int().nonnegative(), method: z.string().max(200), request: z.unknown() }),
  z.object({ type: z.literal('cancel'), id: z.number().int().nonnegative() }),
]);
export type ClientMessage = z.infer<typeof ClientMessage>;

export const HostMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('progress'), id: z.number().int(), progress: z.unknown() }),
  z.object({ type: z.literal('result'), id: z.number().int(), response: z.unknown() }),
  z.object({
    type: z.literal('error'),
    // null when the message it answers carried no usable id (not JSON, not a call, too large).
    id: z.number().int().nullable(),
    error: z.object({ code: z.enum(errorCodes), message: z.string(), hint: z.string().optional() }),
  }),
]);
export type HostMessage = z.infer<typeof HostMessage>;

/**
 * Bounds on one message. Requests carry paths and small options, so anything near these sizes is not
 * ours; the bounds keep a hostile or broken peer from making the host parse, keep or walk it.
 */
export const wireLimits = { maxMessageBytes: 1024 * 1024, maxDepth: 64 } as const;

/**
 * How deeply `value` nests arrays and objects (a scalar is 0, `[]` is 1), walked without recursion
 * and given up as soon as it passes `limit` (the result is then limit + 1), so a frame of a million
 * brackets costs no stack and no more than `limit` levels of work per branch.
 */
export function nestingDepth(value: unknown, limit: number): number {
  let max = 0;
  const stack: Array<{ v: unknown; d: number }> = [{ v: value, d: 0 }];
  while (stack.length > 0) {
    const { v, d } = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    const depth = d + 1;
    if (depth > limit) return limit + 1;
    if (depth > max) max = depth;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (child !== null && typeof child === 'object') stack.push({ v: child, d: depth });
    }
  }
  return max;
}

/**
 * The id of the call a message was meant to be, when it can be told, so that its refusal reaches the
 * caller's pending promise instead of leaving it waiting. Only a number that an error reply can carry
 * (an integer) counts; anything else is null.
 */
export function messageId(raw: unknown): number | null {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return null;
  const id = (raw as { id?: unknown }).id;
  return typeof id === 'number' && Number.isSafeInteger(id) ? id : null;
}

/**
 * The id of a call in JSON text that will not be parsed (too large, not JSON). Our client writes
 * `{"type":"call","id":N,...}` in that order, so a look at the start of the text finds it; a frame
 * written otherwise gets null, which is still an answer, only one no pending call can match.
 */
export function peekMessageId(text: string): number | null {
  const match = /^\s*\{\s*"type"\s*:\s*"(?:call|cancel)"\s*,\s*"id"\s*:\s*(-?\d{1,15})\s*[,}]/.exec(text.slice(0, 200));
  return match ? Number(match[1]) : null;
}

/** Says, in one line, why a message is not a call or a cancel of this protocol. */
export function describeBadMessage(raw: unknown): string {
  const shape = 'expected {"type":"call","id":<integer ≥ 0>,"method":"<name>","request":{…}} or {"type":"cancel","id":<integer ≥ 0>}';
  if (raw === null || typeof raw !== 'object') return `A message must be a JSON object; got ${raw === null ? 'null' : typeof raw} (${shape}).`;
  if (Array.isArray(raw)) return `A message must be a JSON object; got an array (${shape}).`;
  const { type, id, method } = raw as { type?: unknown; id?: unknown; method?: unknown };
  if (type !== 'call' && type !== 'cancel') {
    return `Unknown message type ${type === undefined ? '(none)' : JSON.stringify(type).slice(0, 60)} (${shape}).`;
  }
  if (typeof id !== 'number' || !Number.isInteger(id) || id < 0) {
    return `A ${type}'s id must be an integer ≥ 0; got ${id === undefined ? 'none' : String(JSON.stringify(id)).slice(0, 60)}.`;
  }
  if (type === 'call' && (typeof method !== 'string' || method.length > 200)) {
    return `A call's method must be a method name (a string of at most 200 characters); got ${typeof method === 'string' ? 'a longer string' : method === undefined ? 'none' : typeof method}.`;
  }
  return `Not a message of this protocol (${shape}).`;
}
