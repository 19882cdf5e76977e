/**
 * Reconnect delays for the WebSocket transport: doubling from `initialMs` up to `maxMs`, so a
 * server restart is picked up within a second or two while a server that is gone for good is not
 * hammered.
 */
export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
}

export const defaultBackoff: BackoffOptions = { initialMs: 250, maxMs: 5000 };

/** Delay before reconnect attempt number `attempt` (0 for the first attempt after a loss). */
export function backoffDelay(attempt: number, options: BackoffOptions = defaultBackoff): number {
  const exponent = Math.max(0, Math.min(attempt, 30));
  return Math.min(options.maxMs, options.initialMs * 2 ** exponent);
}
