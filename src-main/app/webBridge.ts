/**
 * The web bridge: the same typed API as the Electron preload, over loopback HTTP (calls)
 * and WebSocket (progress events), for the browser tests and for `confidant serve` on a
 * headless workstation. Bound to 127.0.0.1 only; every call and the event socket need the
 * random per-session token, which the page receives in the URL fragment (never sent to
 * the server in a Referer or a log line).
 *
 *   GET  /...                 the built renderer (static files, with the app's CSP)
 *   POST /api/call/<name>     body: the request JSON; reply: an ApiResult
 *   WS   /api/events?token=   server → client progress events
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ApiEvent } from '../shared/api.js';
import type { ApiHandler } from './apiHandler.js';
import { checkBridgeRequest } from './loopbackGuard.js';
import { CONTENT_SECURITY_POLICY } from './security.js';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};
const MAX_BODY_BYTES = 8 * 1024 * 1024;

export interface WebBridge {
  /** The address to open, token included in the fragment. */
  url: string;
  port: number;
  token: string;
  broadcast(event: ApiEvent): void;
  close(): Promise<void>;
}

export async function startWebBridge(options: {
  rendererDir: string;
  handler: ApiHandler;
  port?: number;
}): Promise<WebBridge> {
  const token = randomBytes(32).toString('base64url');
  let port = options.port ?? 0;
  const csp = `${CONTENT_SECURITY_POLICY.replace("connect-src 'self'", "connect-src 'self' ws://127.0.0.1:*")}`;

  const server = createServer((req, res) => {
    void route(req, res).catch(() => send(res, 500, 'text/plain', 'Internal error'));
  });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname.startsWith('/api/')) {
      const auth = req.headers.authorization;
      const verdict = checkBridgeRequest({
        remoteAddress: req.socket.remoteAddress,
        host: req.headers.host,
        token: auth?.startsWith('Bearer ') ? auth.slice(7) : null,
        expectedToken: token,
        port,
      });
      if (!verdict.ok)
        return send(res, verdict.status, 'application/json', JSON.stringify({ error: verdict.reason }));
      const match = /^\/api\/call\/([A-Za-z][\w.]*)$/.exec(url.pathname);
      if (!match || req.method !== 'POST')
        return send(res, 404, 'application/json', '{"error":"no such endpoint"}');
      let body: unknown;
      try {
        const raw = await readBody(req);
        body = raw.length === 0 ? {} : JSON.parse(raw);
      } catch (error) {
        return send(res, 400, 'application/json', JSON.stringify({ error: (error as Error).message }));
      }
      const result = await options.handler(match[1], body);
      return send(res, 200, 'application/json', JSON.stringify(result));
    }
    // Static renderer files: loopback peers only (no token: the page is public code).
    const verdict = checkBridgeRequest({
      remoteAddress: req.socket.remoteAddress,
      host: req.headers.host,
      token,
      expectedToken: token,
      port,
    });
    if (!verdict.ok) return send(res, verdict.status, 'text/plain', verdict.reason);
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return send(res, 405, 'text/plain', 'Method not allowed');
    const root = normalize(options.rendererDir);
    const file = normalize(
      join(root, url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname)),
    );
    if (!file.startsWith(root + sep)) return send(res, 404, 'text/plain', 'Not found');
    const content = await readFile(file).catch(() => null);
    if (!content) return send(res, 404, 'text/plain', 'Not found');
    res.writeHead(200, {
      'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
      'Content-Security-Policy': csp,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
    });
    res.end(content);
  }

  const sockets = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const verdict = checkBridgeRequest({
      remoteAddress: req.socket.remoteAddress,
      host: req.headers.host,
      token: url.searchParams.get('token'),
      expectedToken: token,
      port,
    });
    if (url.pathname !== '/api/events' || !verdict.ok) {
      socket.end(`HTTP/1.1 ${verdict.ok ? 404 : verdict.status} Refused\r\nConnection: close\r\n\r\n`);
      return;
    }
    sockets.handleUpgrade(req, socket, head, (ws: WebSocket) => sockets.emit('connection', ws, req));
  });

  const broadcast = (event: ApiEvent): void => {
    const data = JSON.stringify(event);
    for (const client of sockets.clients) if (client.readyState === client.OPEN) client.send(data);
  };
  const unsubscribe = options.handler.subscribe?.(broadcast);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/#token=${token}`,
    port,
    token,
    broadcast,
    /** Stops serving, then stops the handler's jobs and closes its store (the bridge owns it). */
    close: async () => {
      unsubscribe?.();
      await new Promise<void>((resolve) => {
        for (const client of sockets.clients) client.terminate();
        sockets.close();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await options.handler.dispose?.();
    },
  };
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' }).end(body);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('request body too large'));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
