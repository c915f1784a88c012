/**
 * A site's HTTPS client for the coordinator: mutual TLS with the site's federation
 * certificate, the CA of the federation as the only trust anchor, and the coordinator's
 * certificate pinned (its SHA-256 fingerprint must equal the one in the manifest).
 */
import { X509Certificate } from 'node:crypto';
import { Agent, request } from 'node:https';
import { checkServerIdentity } from 'node:tls';
import { z } from 'zod';
import { ConfidantError } from '../shared/confidantError.js';
import type { Invitation } from './federationManifest.js';
import { siteCertPem } from './federationManifest.js';

export const RoundStatusSchema = z.object({
  federationId: z.string(),
  round: z.number().int().positive(),
  state: z.enum(['open', 'published']),
  received: z.array(z.string()),
  quorum: z.number().int(),
  minSites: z.number().int(),
  deadlineAt: z.number(),
  finished: z.boolean(),
});

export type RemoteRoundStatus = z.infer<typeof RoundStatusSchema>;

const ErrorBodySchema = z.object({ code: z.string(), message: z.string(), hint: z.string().optional() });

export interface HttpReply {
  readonly status: number;
  readonly body: Buffer;
}

export class CoordinatorClient {
  private readonly agent: Agent;
  readonly traffic = { sentBytes: 0, receivedBytes: 0 };

  constructor(
    readonly baseUrl: string,
    invitation: Invitation,
  ) {
    const cert = siteCertPem(invitation.manifest, invitation.siteId);
    const pinned = new X509Certificate(invitation.manifest.coordinatorCertPem).fingerprint256;
    // A fresh connection per request: a kept-alive socket can be closed by the server while
    // it is busy aggregating, and reusing it fails with ECONNRESET.
    this.agent = new Agent({
      keepAlive: false,
      ca: [invitation.manifest.caCertPem],
      cert,
      key: invitation.siteKeyPem,
      minVersion: 'TLSv1.3',
      // Pin the coordinator: its certificate must be the one in the manifest, not merely one
      // issued by the federation CA.
      checkServerIdentity: (host, peer) => {
        if (peer.fingerprint256 !== pinned) {
          return new ConfidantError(
            'fed.coordinator-mismatch',
            `the server at ${baseUrl} is not this federation's coordinator`,
            {
              hint: 'check the --coordinator address',
            },
          );
        }
        return checkServerIdentity(host, peer);
      },
    });
  }

  close(): void {
    this.agent.destroy();
  }

  private call(method: 'GET' | 'POST', path: string, body?: Buffer): Promise<HttpReply> {
    const url = new URL(path, this.baseUrl);
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        {
          method,
          agent: this.agent,
          headers: body ? { 'content-type': 'application/octet-stream', 'content-length': body.length } : {},
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const reply = { status: res.statusCode ?? 0, body: Buffer.concat(chunks) };
            this.traffic.receivedBytes += reply.body.length;
            resolve(reply);
          });
          res.on('error', reject);
        },
      );
      req.on('error', (error) =>
        reject(
          error instanceof ConfidantError
            ? error
            : new ConfidantError(
                'fed.coordinator-unreachable',
                `cannot reach the coordinator at ${this.baseUrl}: ${error.message}`,
                {
                  hint: 'check the address and that `confidant fed coordinator` is running; a TLS error means the certificates are not from this federation',
                  cause: error,
                },
              ),
        ),
      );
      if (body) this.traffic.sentBytes += body.length;
      req.end(body);
    });
  }

  private static fail(reply: HttpReply): ConfidantError {
    let parsed: z.infer<typeof ErrorBodySchema> | null;
    try {
      parsed = ErrorBodySchema.parse(JSON.parse(reply.body.toString('utf8')));
    } catch {
      parsed = null;
    }
    return new ConfidantError(
      parsed?.code ?? 'fed.coordinator-error',
      parsed?.message ?? `the coordinator answered HTTP ${reply.status}`,
      {
        hint: parsed?.hint ?? 'see the coordinator log',
      },
    );
  }

  async status(): Promise<RemoteRoundStatus> {
    const reply = await this.call('GET', '/v1/status');
    if (reply.status !== 200) throw CoordinatorClient.fail(reply);
    return RoundStatusSchema.parse(JSON.parse(reply.body.toString('utf8')));
  }

  async submitUpdate(round: number, bundle: Buffer): Promise<void> {
    const reply = await this.call('POST', `/v1/rounds/${round}/updates`, bundle);
    if (reply.status !== 200) throw CoordinatorClient.fail(reply);
  }

  /** The signed aggregate bundle, or null while the round is still open. */
  async fetchAggregate(round: number): Promise<Buffer | null> {
    const reply = await this.call('GET', `/v1/rounds/${round}/aggregate`);
    if (reply.status === 404) return null;
    if (reply.status !== 200) throw CoordinatorClient.fail(reply);
    return reply.body;
  }
}
