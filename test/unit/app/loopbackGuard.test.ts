import { describe, expect, it } from 'vitest';
import { checkBridgeRequest, isLoopbackAddress } from '../../../src-main/app/loopbackGuard';

const base = {
  remoteAddress: '127.0.0.1',
  host: '127.0.0.1:4000',
  token: 'secret',
  expectedToken: 'secret',
  port: 4000,
};

describe('web bridge guard', () => {
  it('recognises loopback peers only', () => {
    for (const a of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1'])
      expect(isLoopbackAddress(a)).toBe(true);
    for (const a of [
      '10.0.0.5',
      '192.168.1.2',
      '::ffff:10.0.0.1',
      'fe80::1',
      '',
      undefined,
      '127.0.0.1.evil',
    ])
      expect(isLoopbackAddress(a)).toBe(false);
  });

  it('accepts a loopback request with the token and our Host', () => {
    expect(checkBridgeRequest(base)).toEqual({ ok: true });
    expect(checkBridgeRequest({ ...base, host: 'localhost:4000' })).toEqual({ ok: true });
  });

  it('refuses non-loopback peers, foreign Host headers (DNS rebinding), and bad tokens', () => {
    expect(checkBridgeRequest({ ...base, remoteAddress: '192.168.1.20' })).toMatchObject({
      ok: false,
      status: 403,
    });
    expect(checkBridgeRequest({ ...base, host: 'attacker.example:4000' })).toMatchObject({
      ok: false,
      status: 403,
    });
    expect(checkBridgeRequest({ ...base, host: '127.0.0.1:4001' })).toMatchObject({ ok: false, status: 403 });
    expect(checkBridgeRequest({ ...base, token: null })).toMatchObject({ ok: false, status: 401 });
    expect(checkBridgeRequest({ ...base, token: 'secreT' })).toMatchObject({ ok: false, status: 401 });
    expect(checkBridgeRequest({ ...base, token: 'secret-longer' })).toMatchObject({ ok: false, status: 401 });
  });
});
