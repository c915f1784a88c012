/**
 * A site's side of the protocol, without transport: encrypt and sign this round's update
 * (n_i·Δ_i under CKKS), and verify, decrypt and normalise a published aggregate
 * (Σ n_i·Δ_i / Σ n_i over the sites present = FedAvg). Used online and air-gapped alike.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { SecretKey } from 'node-seal/implementation/secret-key.js';
import { ConfidantError } from '../shared/confidantError.js';
import { flattenScaled, layoutOf, totalLength, unflatten } from './adapterPacking.js';
import { packCiphertexts, unpackCiphertexts } from './ciphertextContainer.js';
import { decryptVector, encryptVector, loadSecretKey } from './ckksVectors.js';
import { COORDINATOR_NAME } from './federationCa.js';
import { type Invitation, minContributorsOf, siteCertPem } from './federationManifest.js';
import {
  type AggregateHeader,
  type UpdateHeader,
  parseBundle,
  verifyBundle,
  verifyContributor,
  writeBundle,
} from './signedBundle.js';
import { type CkksRuntime, ckksRuntime } from './sealRuntime.js';

export interface EncryptedUpdate {
  readonly bytes: Buffer;
  readonly header: UpdateHeader;
  readonly encryptMs: number;
}

export interface DecryptedAggregate {
  readonly header: AggregateHeader;
  /** Σ n_i Δ_i / Σ n_i over the contributors. */
  readonly average: Float32Array[];
  readonly decryptMs: number;
}

export class FederationSite {
  private constructor(
    readonly invitation: Invitation,
    private readonly runtime: CkksRuntime,
    private readonly secretKey: SecretKey,
  ) {}

  static async open(invitation: Invitation): Promise<FederationSite> {
    const runtime = await ckksRuntime(invitation.manifest.ckks);
    return new FederationSite(
      invitation,
      runtime,
      loadSecretKey(runtime, Buffer.from(invitation.ckksSecretKey, 'base64')),
    );
  }

  /** The key that authenticates this site's state folder (its ledger), from its invitation. */
  stateKey(): Buffer {
    return createHmac('sha256', 'confidant-site-state').update(this.invitation.siteKeyPem).digest();
  }

  get siteId(): string {
    return this.invitation.siteId;
  }

  get federationId(): string {
    return this.invitation.manifest.federationId;
  }

  close(): void {
    this.secretKey.delete();
  }

  encryptUpdate(round: number, delta: readonly Float32Array[], examples: number): EncryptedUpdate {
    if (!(Number.isSafeInteger(examples) && examples > 0)) {
      throw new ConfidantError(
        'fed.invalid-update',
        `the example count must be a positive integer, got ${examples}`,
        {
          hint: 'the local trainer must report how many examples (privacy units) it trained on',
        },
      );
    }
    const started = performance.now();
    const layout = layoutOf(delta);
    const ciphertexts = encryptVector(this.runtime, this.secretKey, flattenScaled(delta, examples));
    const payload = packCiphertexts(ciphertexts);
    const bytes = writeBundle<UpdateHeader>(
      {
        kind: 'update',
        version: 1,
        federationId: this.federationId,
        round,
        siteId: this.siteId,
        examples,
        nonce: randomBytes(16).toString('hex'),
        layout,
        valueCount: totalLength(layout),
        ciphertextCount: ciphertexts.length,
        createdAt: new Date().toISOString(),
      },
      payload,
      this.invitation.siteKeyPem,
    );
    return {
      bytes,
      header: parseBundle(bytes).header as UpdateHeader,
      encryptMs: performance.now() - started,
    };
  }

  /**
   * Refuses, before decrypting, an aggregate of fewer distinct sites than the federation's
   * minimum, counting only contributors whose own signed update header is attached: neither a
   * deadline with one sender nor a coordinator that isolates a site can make a site decrypt
   * one other site's update.
   */
  private checkContributors(header: AggregateHeader): void {
    const manifest = this.invitation.manifest;
    const minimum = minContributorsOf(manifest);
    const proven = new Set<string>();
    for (const entry of header.contributors) {
      const certPem = siteCertPem(manifest, entry.siteId);
      if (
        certPem &&
        verifyContributor(entry, { federationId: this.federationId, round: header.round }, certPem)
      )
        proven.add(entry.siteId);
    }
    if (proven.size < minimum) {
      throw new ConfidantError(
        'fed.too-few-contributors',
        `round ${header.round}'s aggregate sums ${proven.size} site(s) with a verifiable update; this federation requires at least ${minimum} before any site decrypts (fewer could reveal one site's update)`,
        {
          hint: 'do not use this aggregate; the coordinator must wait for more sites (its --min-sites may not be below the federation minimum)',
        },
      );
    }
  }

  /** Verifies the coordinator's signature and the round, then decrypts and divides by Σ n_i. */
  decryptAggregate(bytes: Buffer, expectedRound?: number): DecryptedAggregate {
    const started = performance.now();
    const bundle = parseBundle(bytes);
    const header = bundle.header;
    if (header.kind !== 'aggregate') {
      throw new ConfidantError('fed.bad-bundle', 'this bundle is an update, not an aggregate', {
        hint: 'import the file written by `confidant fed export-aggregate`',
      });
    }
    if (header.federationId !== this.federationId) {
      throw new ConfidantError(
        'fed.wrong-federation',
        `the aggregate is for federation ${header.federationId}, not ${this.federationId}`,
        {
          hint: 'use the aggregate of your own federation',
        },
      );
    }
    if (expectedRound !== undefined && header.round !== expectedRound) {
      throw new ConfidantError(
        'fed.wrong-round',
        `the aggregate is for round ${header.round}, expected round ${expectedRound}`,
        {
          hint: 'import the aggregate of the round you sent an update for',
        },
      );
    }
    verifyBundle(bundle, this.invitation.manifest.coordinatorCertPem, COORDINATOR_NAME);
    this.checkContributors(header);
    const sum = decryptVector(
      this.runtime,
      this.secretKey,
      unpackCiphertexts(bundle.payload),
      header.valueCount,
    );
    for (let i = 0; i < sum.length; i++) sum[i] = (sum[i] as number) / header.totalExamples;
    return { header, average: unflatten(sum, header.layout), decryptMs: performance.now() - started };
  }
}
