/**
 * The worker side of the protocol (protocol.ts): the contract's own host (createTableHost) serving
 * the op table, so each call is checked against the table, runs with its own AbortController, passes
 * progress on while it is live and is answered with one result or one error (a WorkbenchError's
 * data, so the reason and hint survive the thread boundary), exactly as on the app's transports.
 */
import type { WorkbenchErrorData } from '../../common/contract/errors.ts';
import { createTableHost } from '../../common/contract/host.ts';
import type { HostMessage } from '../../common/contract/wire.ts';
import type { Ops } from './worker-ops.ts';
import { inferenceOps } from './protocol.ts';

export interface PortLike {
  postMessage(message: HostMessage): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
}

export interface InferenceServerOptions {
  /** The error a caller gets for a bug (not a WorkbenchError); the worker entry logs the trace. */
  onUnexpected?: (e: unknown, op: string) => Promise<WorkbenchErrorData>;
}

export function serveInference(port: PortLike, ops: Ops, options: InferenceServerOptions = {}): { readonly inFlight: number } {
  const { onUnexpected } = options;
  const host = createTableHost(
    inferenceOps,
    ops,
    (m) => port.postMessage(m),
    onUnexpected ? { onUnexpected: (e, op) => onUnexpected(e, `inference ${op}`) } : {},
  );
  port.on('message', (raw) => host.receive(raw));
  return {
    get inFlight() {
      return host.inFlightCount;
    },
  };
}
