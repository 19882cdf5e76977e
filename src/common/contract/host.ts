/**
 * The host side of the contract: a table of handlers, one per method, and a dispatcher that
 * validates every request before a handler sees it. Transports only move messages; this is where
 * the boundary is enforced, once, for all of them.
 */
import { WorkbenchError, toErrorData, cancelledError } from './errors.ts';
import { isMethodName, methods } from './methods.ts';
import type { MethodName, ProgressOf, RequestOf, ResponseOf } from './methods.ts';
import { ClientMessage, describeBadMessage, messageId, nestingDepth, wireLimits } from './wire.ts';
import type { HostMessage } from './wire.ts';

export interface CallContext<M extends MethodName> {
  signal: AbortSignal;
  progress: (event: ProgressOf<M>) => void;
}

export type Handlers = {
  [M in MethodName]: (request: RequestOf<M>, ctx: CallContext<M>) => Promise<ResponseOf<M>>;
};

/** Validates and runs one call. Throws WorkbenchError for a bad method or request. */
export async function dispatch(
  handlers: Handlers,
  method: string,
  rawRequest: unknown,
  ctx: CallContext<MethodName>,
): Promise<unknown> {
  if (!isMethodName(method)) {
    throw new WorkbenchError('unknown-method', `Unknown method "${method}".`, `Known methods: ${Object.keys(methods).join(', ')}.`);
  }
  const spec = methods[method];
  const parsed = spec.request.safeParse(rawRequest ?? {});
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(request)'}: ${i.message}`).join('; ');
    throw new WorkbenchError('bad-request', `Invalid request for ${method}: ${issues}.`);
  }
  const handler = handlers[method] as (req: unknown, ctx: CallContext<MethodName>) => Promise<unknown>;
  return handler(parsed.data, ctx);
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
export function createWireHost(handlers: Handlers, send: (message: HostMessage) => void) {
  const inFlight = new Map<number, AbortController>();

  async function run(id: number, method: string, request: unknown) {
    const controller = new AbortController();
    inFlight.set(id, controller);
    try {
      const response = await dispatch(handlers, method, request, {
        signal: controller.signal,
        progress: (progress) => {
          if (!controller.signal.aborted) send({ type: 'progress', id, progress });
        },
      });
      if (controller.signal.aborted) throw cancelledError();
      send({ type: 'result', id, response });
    } catch (e) {
      send({ type: 'error', id, error: controller.signal.aborted ? cancelledError().toData() : toErrorData(e) });
    } finally {
      inFlight.delete(id);
    }
  }

  return {
    receive(raw: unknown): void {
      if (nestingDepth(raw, wireLimits.maxDepth) > wireLimits.maxDepth) {
        const error = new WorkbenchError('too-large', `Refused a message nested deeper than ${wireLimits.maxDepth} levels.`, 'Requests are flat options and paths; send the request without the nested data.');
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
