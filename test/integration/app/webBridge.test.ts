import { mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createApiHandler } from '../../../src-main/app/apiHandler';
import { startWebBridge, type WebBridge } from '../../../src-main/app/webBridge';

let bridge: WebBridge;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'confidant-bridge-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Confidant</title>');
  bridge = await startWebBridge({ rendererDir: dir, handler: createApiHandler({ version: '9.9.9' }) });
});

afterAll(() => bridge?.close());

function post(path: string, body: string, headers: Record<string, string> = {}) {
  return fetch(`http://127.0.0.1:${bridge.port}${path}`, { method: 'POST', body, headers });
}

describe('web bridge', () => {
  it('listens on 127.0.0.1 only and hands out the token in the URL fragment', () => {
    expect(bridge.url).toMatch(
      new RegExp(`^http://127\\.0\\.0\\.1:${bridge.port}/#token=[A-Za-z0-9_-]{43}$`),
    );
  });

  it('answers a typed call with the token', async () => {
    const res = await post('/api/call/appInfo', '{}', { Authorization: `Bearer ${bridge.token}` });
    expect(res.status).toBe(200);
    const result = await res.json();
    expect(result).toMatchObject({
      ok: true,
      value: { name: 'Confidant', version: '9.9.9', airGapped: true },
    });
  });

  it('refuses calls without the token or with a wrong one', async () => {
    expect((await post('/api/call/appInfo', '{}')).status).toBe(401);
    expect((await post('/api/call/appInfo', '{}', { Authorization: 'Bearer nope' })).status).toBe(401);
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: bridge.port,
          path: '/api/call/appInfo',
          method: 'POST',
          headers: { Host: 'evil.example', Authorization: `Bearer ${bridge.token}` },
        },
        (res) => resolve(res.statusCode ?? 0),
      );
      req.on('error', reject);
      req.end('{}');
    });
    expect(status).toBe(403);
  });

  it('validates requests against the contract', async () => {
    const auth = { Authorization: `Bearer ${bridge.token}` };
    expect(await (await post('/api/call/noSuchCall', '{}', auth)).json()).toMatchObject({
      ok: false,
      error: { code: 'api.unknown-call' },
    });
    expect(await (await post('/api/call/appInfo', '{"extra":1}', auth)).json()).toMatchObject({
      ok: false,
      error: { code: 'api.invalid-request' },
    });
    expect((await post('/api/call/appInfo', '{not json', auth)).status).toBe(400);
  });

  it('streams events over the WebSocket with the token, and refuses it without', async () => {
    const refused = new WebSocket(`ws://127.0.0.1:${bridge.port}/api/events`);
    await expect(
      new Promise((resolve, reject) => {
        refused.on('open', () => resolve('opened'));
        refused.on('error', reject);
      }),
    ).rejects.toThrow(/401/);

    const ws = new WebSocket(`ws://127.0.0.1:${bridge.port}/api/events?token=${bridge.token}`);
    await new Promise((resolve) => ws.on('open', resolve));
    const received = new Promise<unknown>((resolve) =>
      ws.on('message', (data) => resolve(JSON.parse(String(data)))),
    );
    const event = { type: 'job.progress', jobId: 'j1', kind: 'train', stage: 'step', fraction: 0.5 } as const;
    bridge.broadcast(event);
    expect(await received).toEqual(event);
    ws.close();
  });

  it('serves the UI with the CSP and refuses paths outside it', async () => {
    const res = await fetch(`http://127.0.0.1:${bridge.port}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect((await fetch(`http://127.0.0.1:${bridge.port}/..%2f..%2fetc%2fpasswd`)).status).toBe(404);
  });

  it('is not reachable on a non-loopback address of this machine', async () => {
    const external = Object.values(networkInterfaces())
      .flat()
      .find((a) => a && a.family === 'IPv4' && !a.internal);
    if (!external) return; // no network interface besides loopback: nothing to reach
    await expect(
      fetch(`http://${external.address}:${bridge.port}/api/call/appInfo`, {
        method: 'POST',
        body: '{}',
        headers: { Authorization: `Bearer ${bridge.token}` },
        signal: AbortSignal.timeout(5_000),
      }),
    ).rejects.toThrow();
  });
});
