/**
 * The preload's check on every message the renderer sends: it must be a call or a cancel of the
 * wire protocol, and a call must name a method of the contract. The engine checks requests again;
 * this keeps anything else from reaching the port at all.
 */
import { WorkbenchError } from '../common/contract/errors.ts';
import { isMethodName } from '../common/contract/methods.ts';
import { ClientMessage } from '../common/contract/wire.ts';

export function checkOutgoing(message: unknown): ClientMessage {
  const parsed = ClientMessage.safeParse(message);
  if (!parsed.success) {
    throw new WorkbenchError('bad-request', 'Refused to send a message that is neither a call nor a cancel of the workbench protocol.');
  }
  if (parsed.data.type === 'call' && !isMethodName(parsed.data.method)) {
    throw new WorkbenchError('unknown-method', `Refused to call unknown method "${parsed.data.method}".`);
  }
  // The parsed copy: fields the schema does not know are left behind.
  return parsed.data;
}
