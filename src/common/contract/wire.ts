/**
 * The message protocol every transport speaks (WebSocket frames in serve mode, MessagePort messages
 * between renderer, main and the engine's utility process). Plain JSON-compatible objects.
 */
import { z } from 'zod';
import type { WorkbenchErrorData } from './errors.ts';
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
    id: z.number().int(),
    error: z.object({ code: z.enum(errorCodes), message: z.string(), hint: z.string().optional() }),
  }),
]);
export type HostMessage =
  | { type: 'progress'; id: number; progress: unknown }
  | { type: 'result'; id: number; response: unknown }
  | { type: 'error'; id: number; error: WorkbenchErrorData };
