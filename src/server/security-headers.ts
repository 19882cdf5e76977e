/** The workbench's security headers (src/engine/service/security-headers.ts) on a serve-mode response. */
import type { ServerResponse } from 'node:http';
import { securityHeaders } from '../engine/service/security-headers.ts';

export { contentSecurityPolicy, securityHeaders, type CspOptions } from '../engine/service/security-headers.ts';

export function applySecurityHeaders(res: ServerResponse): void {
  for (const [name, value] of Object.entries(securityHeaders())) res.setHeader(name, value);
}
