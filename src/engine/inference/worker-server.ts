/**
 * The worker side of the protocol (protocol.ts): checks each call against the op table, runs each call's operation with its own AbortController, passes
 * progress on while the call is live, and answers with one result or one error (a WorkbenchError's
 * data, so the reason and hint survive the thread boundary).
 */
import { cancelledError, toErrorData } from '../../common/contract/errors.ts';
import { ClientMessage } from '../../common/contract/wire.ts';
import type { OpContext, Ops } from './worker-ops.ts';
import { inferenceOps, isOpName, type FromWorker, type OpName } from './protocol.ts';

export interface PortLike {
  postMessage(message: FromWorker): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
}

export function serveInference(port: PortLike, ops: Ops): { readonly inFlight: number } {
  const calls = new Map<number, AbortController>();

  async function run(id: number, op: OpName, args: unknown): Promise<void> {
    const controller = new AbortController();
    calls.set(id, controller);
    const ctx: OpContext<OpName> = {
      signal: controller.signal,
      progress: (progress: unknown) => {
        if (!controller.signal.aborted) port.postMessage({ type: 'progress', id, progress });
      },
    };
    try {
      const handler = ops[op] as (a: unknown, c: OpContext<OpName>) => Promise<unknown>;
      const result = await handler(args, ctx);
      if (controller.signal.aborted) throw cancelledError();
      port.postMessage({ type: 'result', id, response: result });
    } catch (e) {
      port.postMessage({ type: 'error', id, error: controller.signal.aborted ? cancelledError().toData() : toErrorData(e) });
    } finally {
      calls.delete(id);
    }
  }

  port.on('message', (raw) => {
    const parsed = ClientMessage.safeParse(raw);
    if (!parsed.success) {
      port.postMessage({ type: 'error', id: null, error: { code: 'internal', message: 'The inference worker received a message that is not a call or a cancel.' } });
      return;
    }
    const msg = parsed.data;
    if (msg.type === 'cancel') {
      calls.get(msg.id)?.abort();
      return;
    }
    if (!isOpName(msg.method)) {
      port.postMessage({ type: 'error', id: msg.id, error: { code: 'internal', message: `The inference worker has no operation "${msg.method}".` } });
      return;
    }
    const args = inferenceOps[msg.method].args.safeParse(msg.request);
    if (!args.success) {
      const issues = args.error.issues.map((i) => `${i.path.join('.') || '(arguments)'}: ${i.message}`).join('; ');
      port.postMessage({ type: 'error', id: msg.id, error: { code: 'internal', message: `The inference worker refused a ${msg.method} call: ${issues}.` } });
      return;
    }
    void run(msg.id, msg.method, args.data);
  });

  return {
    get inFlight() {
      return calls.size;
    },
  };
}
