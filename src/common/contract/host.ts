/**
 * The host side of the contract: a table of handlers, one per method, and a dispatcher that
 * validates every request before a handler sees it. Transports only move messages; this is where
 * the boundary is enforced, once, for all of them.
 *
 * The same host serves any table of methods in the contract's shape (`OpTable`: request, response
 * and progress schemas per name): the app's contract (`methods`), the inference worker's operations
 * (src/engine/inference/protocol.ts) and the Electron engine's media port
 * (src/main/engine-protocol.ts). So validation, cancellation and the answer to every message are one
 * piece of code on every transport.
 */
import type { z } from 'zod';
import { WorkbenchError, toErrorData, cancelledError, isWorkbenchError } from './errors.ts';
import type { WorkbenchErrorData } from './errors.ts';
import { methods } from './methods.ts';
import type { MethodName, Methods, ProgressOf } from './methods.ts';
import { ClientMessage, describeBadMessage, messageId, nestingDepth, wireLimits } from './wire.ts';
import type { HostMessage } from './wire.ts';

/** One method of a table: what it takes, what it answers, and the progress it reports (z.never() for none). */
export interface OpSpec {
  request: z.ZodType;
  response: z.ZodType;
  progress: z.ZodType;
}
export type OpTable = Record<string, OpSpec>;

export interface OpContext<P> {
  signal: AbortSignal;
  progress: (event: P) => void;
}

/** One async function per method of `T`, typed from its schemas. */
export type HandlersOf<T extends OpTable> = {
  [K in keyof T]: (request: z.output<T[K]['request']>, ctx: OpContext<z.output<T[K]['progress']>>) => Promise<z.output<T[K]['response']>>;
};

export type CallContext<M extends MethodName> = OpContext<ProgressOf<M>>;

/** The app's contract: one handler per method of `methods`. */
export type Handlers = HandlersOf<Methods>;

/** Validates and runs one call of `table`. Throws WorkbenchError for a bad method or request. */
export async function dispatchIn<T extends OpTable>(
  table: T,
  handlers: HandlersOf<T>,
  method: string,
  rawRequest: unknown,
  ctx: OpContext<unknown>,
): Promise<unknown> {
  const op = Object.prototype.hasOwnProperty.call(table, method) ? table[method] : undefined;
  if (op === undefined) {
    throw new WorkbenchError('unknown-method', `Unknown method "${method}".`, `Known methods: ${Object.keys(table).join(', ')}.`);
  }
  const parsed = op.request.safeParse(rawRequest ?? {});
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(request)'}: ${i.message}`).join('; ');
    throw new WorkbenchError('bad-request', `Invalid request for ${method}: ${issues}.`);
  }
  const handler = handlers[method] as (req: unknown, ctx: OpContext<unknown>) => Promise<unknown>;
  return handler(parsed.data, ctx);
}

/** Validates and runs one call of the app's contract. Throws WorkbenchError for a bad method or request. */
export async function dispatch(handlers: Handlers, method: string, rawRequest: unknown, ctx: CallContext<MethodName>): Promise<unknown> {
  return dispatchIn(methods, handlers, method, rawRequest, ctx as OpContext<unknown>);
}

/**
 * Serves the wire protocol over any message channel. Returns a function to feed incoming messages
 * and a `close` that cancels every call in flight (the peer went away).
 *
 * Every call gets exactly one answer (a result or an error with a code), and so does every message
 * that is not a call or a cancel: a peer that sends something wrong learns what at once instead of
 * waiting forever. The error carries the message's id when it had a usable one, else null. A cancel
 * is answered by the `cancelled` error of the call it stops (a cancel of a call that has already
 * finished has nothing left to answer).
 */
export interface WireHostOptions {
  /**
   * What the caller gets for an error that is not a WorkbenchError (a bug): a host that can write
   * files logs the trace and names the log. Without it the error's message alone is sent.
   */
  onUnexpected?: (e: unknown, method: string) => Promise<WorkbenchErrorData>;
}

/** The error data for what a call threw; a bug goes through `onUnexpected` when there is one. */
async function errorDataFor(e: unknown, method: string, options: WireHostOptions): Promise<WorkbenchErrorData> {
  if (isWorkbenchError(e) || (e instanceof Error && e.name === 'AbortError') || !options.onUnexpected) return toErrorData(e);
  try {
    return await options.onUnexpected(e, method);
  } catch {
    return toErrorData(e);
  }
}

export function createWireHost(handlers: Handlers, send: (message: HostMessage) => void, options: WireHostOptions = {}) {
  return createTableHost(methods, handlers, send, options);
}

/** `createWireHost` for any table of methods: the same protocol, checks and answers. */
export function createTableHost<T extends OpTable>(table: T, handlers: HandlersOf<T>, send: (message: HostMessage) => void, options: WireHostOptions = {}) {
  const inFlight = new Map<number, AbortController>();

  async function run(id: number, method: string, request: unknown) {
    const controller = new AbortController();
    inFlight.set(id, controller);
    try {
      const response = await dispatchIn(table, handlers, method, request, {
        signal: controller.signal,
        progress: (progress) => {
          if (!controller.signal.aborted) send({ type: 'progress', id, progress });
        },
      });
      if (controller.signal.aborted) throw cancelledError();
      send({ type: 'result', id, response });
    } catch (e) {
      send({ type: 'error', id, error: controller.signal.aborted ? cancelledError().toData() : await errorDataFor(e, method, options) });
    } finally {
      inFlight.delete(id);
    }
  }

  return {
    receive(raw: unknown): void {
      if (nestingDepth(raw, wireLimits.maxDepth) > wireLimits.maxDepth) {
        const error = new WorkbenchError(
          'too-large',
          `Refused a message nested deeper than ${wireLimits.maxDepth} levels.`,
          'Requests are flat options and paths; send the request without the nested data.',
        );
        send({ type: 'error', id: messageId(raw), error: error.toData() });
        return;
      }
      const parsed = ClientMessage.safeParse(raw);
      if (!parsed.success) {
        send({ type: 'error', id: messageId(raw), error: { code: 'bad-request', message: describeBadMessage(raw) } });
        return;
      }
      const msg = parsed.data;
      if (msg.type === 'cancel') {
        inFlight.get(msg.id)?.abort();
        return;
      }
      if (inFlight.has(msg.id)) {
        const message = `Call id ${msg.id} is already in flight; the second call with it was not run.`;
        send({ type: 'error', id: msg.id, error: { code: 'bad-request', message, hint: 'Give every call its own id.' } });
        return;
      }
      void run(msg.id, msg.method, msg.request);
    },
    close(): void {
      for (const c of inFlight.values()) c.abort();
      inFlight.clear();
    },
    get inFlightCount(): number {
      return inFlight.size;
    },
  };
}
