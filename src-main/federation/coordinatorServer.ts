/**
 * The coordinator over HTTPS with mutual TLS (RFC 8446 client authentication): only clients
 * presenting a certificate issued by the federation CA complete the handshake, and a site's
 * identity is its certificate's common name, which must match the update it sends.
 *
 *   GET  /v1/status                   → RoundStatus (JSON)
 *   POST /v1/rounds/:round/updates    ← signed update bundle (application/octet-stream)
 *                                     → AcceptedUpdate (JSON) | 4xx {code, message, hint}
 *   GET  /v1/rounds/:round/aggregate  → signed aggregate bundle | 404 {code}
 */
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { ConfidantError } from '../shared/confidantError.js';
import type { RoundCoordinator } from './roundCoordinator.js';
import { parseBundle } from './signedBundle.js';

export interface CoordinatorServerOptions {
  readonly host?: string;
  readonly port?: number;
  /** How often the round deadline is checked. */
  readonly tickMs?: number;
  /** Largest update accepted (default: what the CKKS parameters and the known layout imply). */
  readonly maxUpdateBytes?: number;
  /** Where refused handshakes are logged (default stderr). */
  readonly log?: (line: string) => void;
}

export interface RunningCoordinator {
  readonly url: string;
  readonly port: number;
  readonly coordinator: RoundCoordinator;
  /** Bytes received in update bodies and sent in aggregate bodies. */
  readonly traffic: { receivedBytes: number; sentBytes: number };
  /** Why TLS handshakes were refused (e.g. a client certificate from another CA). */
  readonly refusedHandshakes: string[];
  close(): Promise<void>;
}

const STATUS_OF: Record<string, number> = {
  'fed.late': 409,
  'fed.replayed': 409,
  'fed.round-not-open': 409,
  'fed.site-mismatch': 403,
  'fed.unknown-site': 403,
  'fed.bad-signature': 400,
  'fed.tampered': 400,
};

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (over) return; // the rest is read and dropped: memory stays bounded, the site gets the reason
      if (size > limit) {
        over = true;
        chunks.length = 0;
        reject(
          new ConfidantError('fed.too-large', `the update is over ${limit} bytes`, {
            hint: 'an update is at most what the CKKS parameters and the federation’s adapter layout imply; check the adapter',
          }),
        );
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks, size)));
    req.on('error', reject);
  });
}

export async function startCoordinatorServer(
  coordinator: RoundCoordinator,
  options: CoordinatorServerOptions = {},
): Promise<RunningCoordinator> {
  const { manifest, keyPem } = coordinator.bundle;
  const siteIds = new Set(manifest.sites.map((s) => s.siteId));
  const traffic = { receivedBytes: 0, sentBytes: 0 };
  const refusedHandshakes: string[] = [];
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  // One request mutates state at a time: checks and inserts of an update are not interleaved.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = queue.then(fn, fn);
    queue = next.catch(() => undefined);
    return next;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const socket = req.socket as TLSSocket;
    const peer = socket.getPeerCertificate();
    const siteId = peer.subject?.CN;
    if (!socket.authorized || typeof siteId !== 'string' || !siteIds.has(siteId)) {
      sendJson(res, 403, {
        code: 'fed.unknown-site',
        message: 'this certificate does not belong to a site of the federation',
      });
      return;
    }
    const url = new URL(req.url ?? '/', 'https://coordinator');
    const match = /^\/v1\/rounds\/(\d+)\/(updates|aggregate)$/.exec(url.pathname);
    if (req.method === 'GET' && url.pathname === '/v1/status') {
      sendJson(res, 200, coordinator.status());
    } else if (req.method === 'POST' && match?.[2] === 'updates') {
      const body = await readBody(req, options.maxUpdateBytes ?? coordinator.updateSizeLimit());
      traffic.receivedBytes += body.length;
      const round = parseBundle(body).header.round;
      if (round !== Number(match[1])) {
        throw new ConfidantError(
          'fed.wrong-round',
          `the update is for round ${round} but was posted to round ${match[1]}`,
          {
            hint: 'post each update to its own round',
          },
        );
      }
      sendJson(res, 200, await serial(() => coordinator.submitUpdate(body, { tlsSiteId: siteId })));
    } else if (req.method === 'GET' && match?.[2] === 'aggregate') {
      const bundle = coordinator.aggregateBundle(Number(match[1]));
      if (!bundle) {
        sendJson(res, 404, { code: 'fed.not-published', message: `round ${match[1]} has no aggregate yet` });
        return;
      }
      traffic.sentBytes += bundle.length;
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bundle.length });
      res.end(bundle);
    } else {
      sendJson(res, 404, {
        code: 'fed.no-such-endpoint',
        message: `${req.method} ${url.pathname} is not an endpoint`,
      });
    }
  };

  const server: Server = createServer(
    {
      key: keyPem,
      cert: manifest.coordinatorCertPem,
      ca: [manifest.caCertPem],
      requestCert: true,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.3',
    },
    (req, res) => {
      handle(req, res).catch((error: unknown) => {
        if (error instanceof ConfidantError) {
          sendJson(res, STATUS_OF[error.code] ?? 400, {
            code: error.code,
            message: error.message,
            hint: error.options.hint,
          });
        } else {
          sendJson(res, 500, { code: 'fed.internal', message: 'the coordinator failed; see its log' });
          process.stderr.write(
            `coordinator internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
          );
        }
      });
    },
  );
  // Node ends an unauthorised mutual-TLS handshake by destroying the socket; the reason
  // (e.g. UNABLE_TO_VERIFY_LEAF_SIGNATURE for another CA) is on the socket.
  server.on('tlsClientError', (error, socket) => {
    const reason = socket.authorizationError
      ? `client certificate refused: ${String(socket.authorizationError)}`
      : error.message;
    refusedHandshakes.push(reason);
    log(`TLS handshake refused: ${reason}`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const timer = setInterval(() => {
    serial(() => coordinator.tick()).catch((error: unknown) => {
      process.stderr.write(
        `coordinator: deadline aggregation failed: ${error instanceof Error ? error.message : String(error)}\n`,
      );
    });
  }, options.tickMs ?? 250);
  timer.unref();
  const port = (server.address() as AddressInfo).port;
  const host = options.host ?? '127.0.0.1';
  return {
    url: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    coordinator,
    traffic,
    refusedHandshakes,
    close: async () => {
      clearInterval(timer);
      await queue;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
