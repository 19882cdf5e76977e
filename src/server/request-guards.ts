/**
 * Checks that defend the token against the browser itself. A page on another site cannot read the
 * token, but it could make the browser talk to us: through a DNS name rebound to 127.0.0.1 (caught
 * by the Host check) or through a cross-origin WebSocket, which browsers do not block (caught by the
 * Origin check).
 */
import { isIP } from 'node:net';
import { hostname as osHostname } from 'node:os';

export interface BoundAddress {
  host: string;
  port: number;
}

const loopbackNames = new Set(['localhost', '127.0.0.1', '::1']);

export function isLoopbackHost(host: string): boolean {
  const h = stripBrackets(host.toLowerCase());
  return loopbackNames.has(h) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** What to tell a user who binds beyond this machine; null for loopback. */
export function exposureWarning(host: string): string | null {
  if (isLoopbackHost(host)) return null;
  return `warning: listening on ${host}, not only on this machine. Anyone who can reach this address and has the token can read every folder you open. Use --host 127.0.0.1 unless you need remote access.`;
}

export function isWildcardHost(host: string): boolean {
  const h = stripBrackets(host);
  return h === '0.0.0.0' || h === '::';
}

const hostHeaderPattern = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(\d{1,5}))?$/i;

/**
 * True when the Host header names this server: a loopback name or the bound host, with the bound
 * port. When bound beyond loopback, IP literals and this machine's name are accepted too; DNS
 * rebinding always arrives with a domain name, never with an IP literal.
 */
export function isAllowedHostHeader(header: string | undefined, bound: BoundAddress): boolean {
  const match = header ? hostHeaderPattern.exec(header) : null;
  if (!match) return false;
  const port = match[2] === undefined ? 80 : Number(match[2]);
  if (port !== bound.port) return false;
  const name = stripBrackets(match[1].toLowerCase());
  if (isLoopbackHost(name) || name === stripBrackets(bound.host.toLowerCase())) return true;
  if (isLoopbackHost(bound.host)) return false;
  const machine = osHostname().toLowerCase();
  return isIP(name) !== 0 || name === machine || name === `${machine}.local`;
}

/**
 * A browser always sends Origin on a WebSocket handshake; it must be this server's own origin.
 * Clients that send none are not browsers, so no other site is acting through them.
 */
export function isAllowedOrigin(origin: string | undefined, hostHeader: string | undefined): boolean {
  if (origin === undefined) return true;
  if (!hostHeader) return false;
  return origin.toLowerCase() === `http://${hostHeader.toLowerCase()}`;
}

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}
