/**
 * Who may talk to the web bridge: only this machine (a loopback peer address, and a Host
 * header naming the loopback address and our port, which defeats DNS rebinding), and only
 * with the random per-session token. Pure functions so the policy is tested directly.
 */
import { timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';

export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.startsWith('::ffff:') ? address.slice(7) : address;
  if (a === '::1') return true;
  return isIP(a) === 4 && a.startsWith('127.');
}

export type GuardVerdict = { ok: true } | { ok: false; status: 401 | 403; reason: string };

export function checkBridgeRequest(request: {
  remoteAddress: string | undefined;
  host: string | undefined;
  token: string | null;
  expectedToken: string;
  port: number;
}): GuardVerdict {
  if (!isLoopbackAddress(request.remoteAddress)) {
    return { ok: false, status: 403, reason: 'the web bridge only accepts connections from this machine' };
  }
  const allowedHosts = [`127.0.0.1:${request.port}`, `localhost:${request.port}`, `[::1]:${request.port}`];
  if (!request.host || !allowedHosts.includes(request.host.toLowerCase())) {
    return { ok: false, status: 403, reason: 'unexpected Host header' };
  }
  if (!request.token || !tokensEqual(request.token, request.expectedToken)) {
    return { ok: false, status: 401, reason: 'missing or wrong session token' };
  }
  return { ok: true };
}

function tokensEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
