/**
 * The coordinator's rounds, shared by the HTTPS server and the air-gapped commands. A round
 * opens, collects signed encrypted updates until `quorum` sites have sent one (or, after the
 * deadline, as soon as `minSites` have), sums the ciphertexts slot-wise (CKKS addition: the
 * coordinator never decrypts, it has no secret key), signs the aggregate with its certificate
 * key, publishes it, and opens the next round. Sites encrypt n_i·Δ_i and the aggregate
 * carries Σ n_i over the sites present, so a site that drops out is simply absent and the
 * FedAvg weights n_i / Σ n_i are renormalised over those present (McMahan et al. 2017,
 * "Communication-Efficient Learning of Deep Networks from Decentralized Data", AISTATS).
 */
import { join } from 'node:path';
import { z } from 'zod';
import { ConfidantError } from '../shared/confidantError.js';
import { packCiphertexts, unpackCiphertexts } from './ciphertextContainer.js';
import { CiphertextAccumulator, sumCiphertextVectors } from './ckksVectors.js';
import { COORDINATOR_STATE_FILE, minContributorsOf, siteCertPem } from './federationManifest.js';
import type { CoordinatorBundle } from './federationFiles.js';
import { CoordinatorState, type RoundRow } from './coordinatorState.js';
import {
  type AggregateHeader,
  type UpdateHeader,
  parseBundle,
  bundleId,
  headerBytesOf,
  verifyBundle,
  writeBundle,
} from './signedBundle.js';
import { ckksRuntime } from './sealRuntime.js';
import { maxUpdateBytes } from './updateSizeLimit.js';

const LayoutSchema = z.array(z.number().int().nonnegative()).min(1);

/** The policy is remembered in the coordinator's state; flags given at a restart override it. */
const RoundPolicySchema = z
  .object({
    quorum: z.number().int().positive(),
    minSites: z.number().int().positive(),
    roundDeadlineMs: z.number().positive(),
    maxRounds: z.number().int().positive().optional(),
  })
  .strict();

export interface RoundPolicy {
  /** Aggregate as soon as this many sites have sent an update (default: every site). */
  readonly quorum: number;
  /** After the deadline, aggregate once this many have (default 1). */
  readonly minSites: number;
  readonly roundDeadlineMs: number;
  /** Stop opening rounds after this one (default: no limit). */
  readonly maxRounds?: number;
}

export interface AcceptedUpdate {
  readonly round: number;
  readonly siteId: string;
  readonly received: number;
  readonly payloadBytes: number;
  readonly aggregated: boolean;
}

export interface AggregationStats {
  readonly round: number;
  readonly contributors: string[];
  readonly totalExamples: number;
  readonly ciphertextCount: number;
  readonly aggregateBytes: number;
  readonly aggregateMs: number;
}

export interface RoundStatus {
  readonly federationId: string;
  readonly round: number;
  readonly state: 'open' | 'published';
  readonly received: string[];
  readonly quorum: number;
  readonly minSites: number;
  readonly deadlineAt: number;
  readonly finished: boolean;
}

function reject(code: string, message: string, hint: string): ConfidantError {
  return new ConfidantError(code, message, { hint });
}

export class RoundCoordinator {
  readonly state: CoordinatorState;
  readonly policy: RoundPolicy;
  private readonly log: (line: string) => void;
  private readonly now: () => number;
  /** Aggregations done by this process, by round. */
  readonly aggregations = new Map<number, AggregationStats>();
  private cachedAggregate: { round: number; bytes: Buffer } | null = null;
  /** The open round's running sum; null when it must be recomputed (e.g. after a restart). */
  private running: { round: number; sum: CiphertextAccumulator } | null = null;

  constructor(
    readonly bundle: CoordinatorBundle,
    policy: Partial<RoundPolicy> = {},
    options: { log?: (line: string) => void; now?: () => number } = {},
  ) {
    this.state = new CoordinatorState(join(bundle.dir, COORDINATOR_STATE_FILE));
    const stored = this.state.getMeta('federationId');
    if (stored !== null && stored !== bundle.manifest.federationId) {
      this.state.close();
      throw new ConfidantError(
        'fed.wrong-federation',
        `the coordinator state in ${bundle.dir} belongs to federation ${stored}`,
        {
          where: { file: join(bundle.dir, COORDINATOR_STATE_FILE) },
          hint: 'use the coordinator folder written for this federation',
        },
      );
    }
    this.state.setMeta('federationId', bundle.manifest.federationId);
    const sites = bundle.manifest.sites.length;
    const minContributors = minContributorsOf(bundle.manifest);
    const storedPolicy = this.state.getMeta('policy');
    const base: RoundPolicy = storedPolicy
      ? RoundPolicySchema.parse(JSON.parse(storedPolicy))
      : { quorum: sites, minSites: minContributors, roundDeadlineMs: 10 * 60_000 };
    this.policy = {
      ...base,
      ...Object.fromEntries(Object.entries(policy).filter(([, v]) => v !== undefined)),
    };
    if (!(
      this.policy.quorum >= 1 &&
      this.policy.quorum <= sites &&
      this.policy.minSites >= minContributors &&
      this.policy.minSites <= this.policy.quorum
    )) {
      this.state.close();
      throw new ConfidantError(
        'fed.invalid-policy',
        `quorum ${this.policy.quorum} and minimum ${this.policy.minSites} do not fit ${sites} sites and the federation's minimum of ${minContributors} contributors (sites refuse smaller aggregates)`,
        {
          where: { field: '--quorum' },
          hint: `use ${minContributors} ≤ --min-sites ≤ --quorum ≤ ${sites}`,
        },
      );
    }
    this.state.setMeta('policy', JSON.stringify(this.policy));
    this.log = options.log ?? (() => {});
    this.now = options.now ?? Date.now;
    const latest = this.state.latestRound();
    if (!latest) this.openRound(1);
    else if (latest.state === 'published' && (this.policy.maxRounds ?? Infinity) > latest.round) {
      this.openRound(latest.round + 1); // restarted with a higher --rounds
    }
  }

  close(): void {
    this.dropRunning();
    this.state.close();
  }

  get federationId(): string {
    return this.bundle.manifest.federationId;
  }

  private openRound(round: number): void {
    const now = this.now();
    this.state.openRound(round, now, now + this.policy.roundDeadlineMs);
    this.log(`round ${round} open (deadline in ${Math.round(this.policy.roundDeadlineMs / 1000)} s)`);
  }

  private current(): RoundRow {
    const row = this.state.latestRound();
    if (!row) throw new Error('no round');
    return row;
  }

  status(): RoundStatus {
    const row = this.current();
    const finished =
      row.state === 'published' && this.policy.maxRounds !== undefined && row.round >= this.policy.maxRounds;
    return {
      federationId: this.federationId,
      round: row.round,
      state: row.state,
      received: this.state.updateSites(row.round),
      quorum: this.policy.quorum,
      minSites: this.policy.minSites,
      deadlineAt: row.deadlineAt,
      finished,
    };
  }

  /**
   * Checks and stores one update. `tlsSiteId` is the common name of the client certificate
   * of the HTTPS connection (absent for a file import). Rejections are recorded and thrown.
   * Reaching the quorum aggregates the round unless `autoAggregate` is false (air-gapped
   * operators run `fed aggregate` themselves).
   */
  async submitUpdate(
    bytes: Buffer,
    via: { tlsSiteId?: string; autoAggregate?: boolean } = {},
  ): Promise<AcceptedUpdate> {
    let header: UpdateHeader | null = null;
    try {
      const bundle = parseBundle(bytes);
      if (bundle.header.kind !== 'update')
        throw reject(
          'fed.bad-bundle',
          'this bundle is an aggregate, not an update',
          'import it with `confidant fed import-aggregate` at a site',
        );
      header = bundle.header;
      if (header.federationId !== this.federationId) {
        throw reject(
          'fed.wrong-federation',
          `the update is for federation ${header.federationId}, not ${this.federationId}`,
          'send it to its own coordinator',
        );
      }
      const certPem = siteCertPem(this.bundle.manifest, header.siteId);
      if (!certPem)
        throw reject(
          'fed.unknown-site',
          `site "${header.siteId}" is not a member of this federation`,
          'only sites invited at `confidant fed init` can contribute',
        );
      if (via.tlsSiteId !== undefined && via.tlsSiteId !== header.siteId) {
        throw reject(
          'fed.site-mismatch',
          `the connection is authenticated as "${via.tlsSiteId}" but the update claims to be from "${header.siteId}"`,
          'each site sends only its own updates',
        );
      }
      verifyBundle(bundle, certPem, `site ${header.siteId}`);
      const row = this.state.round(header.round);
      const latest = this.current();
      if (!row || header.round > latest.round) {
        throw reject(
          'fed.round-not-open',
          `round ${header.round} is not open yet (the current round is ${latest.round})`,
          'wait for the round to open',
        );
      }
      if (this.state.hasUpdate(header.round, header.siteId) || this.state.nonceSeen(header.nonce)) {
        throw reject(
          'fed.replayed',
          `site ${header.siteId} already sent an update for round ${header.round} (a replayed update or a reused nonce)`,
          'each site sends one update per round',
        );
      }
      if (row.state !== 'open') {
        throw reject(
          'fed.late',
          `round ${header.round} is closed: its aggregate was already published`,
          'train on the current round instead',
        );
      }
      const other = this.state.firstLayout(header.round);
      if (other && other.layout !== JSON.stringify(header.layout)) {
        throw reject(
          'fed.layout-mismatch',
          `site ${header.siteId}'s adapter layout differs from site ${other.siteId}'s`,
          'every site must train the same adapter (same model, rank, target modules)',
        );
      }
      const ciphertexts = unpackCiphertexts(bundle.payload);
      const runtime = await ckksRuntime(this.bundle.manifest.ckks);
      const expected = Math.ceil(header.valueCount / runtime.slotCount);
      const layoutTotal = header.layout.reduce((n, l) => n + l, 0);
      if (
        ciphertexts.length !== header.ciphertextCount ||
        expected !== header.ciphertextCount ||
        layoutTotal !== header.valueCount
      ) {
        throw reject(
          'fed.bad-bundle',
          `the update holds ${ciphertexts.length} ciphertexts for ${header.valueCount} values (layout ${layoutTotal}); its header says ${header.ciphertextCount}`,
          'the sender has a bug; report it',
        );
      }
      // Validate and add into the running sum. It is only continued when it holds exactly
      // the updates already stored for this round; otherwise the round is summed at the end.
      const stored = this.state.updateSites(header.round);
      const running = this.running;
      const continues =
        running !== null &&
        running.round === header.round &&
        JSON.stringify(running.sum.members) === JSON.stringify(stored);
      if (!continues) this.dropRunning();
      const sum = continues ? running.sum : new CiphertextAccumulator(runtime);
      try {
        sum.add(header.siteId, ciphertexts);
      } catch (error) {
        sum.dispose();
        if (continues) this.running = null;
        throw error;
      }
      if (!continues) {
        if (stored.length === 0) this.running = { round: header.round, sum };
        else sum.dispose(); // earlier updates of this round are not in memory (restart)
      }
      this.storeUpdate({
        round: header.round,
        siteId: header.siteId,
        nonce: header.nonce,
        examples: header.examples,
        layout: JSON.stringify(header.layout),
        bundleSha256: bundle.bundleSha256,
        bundle: bytes,
        receivedAt: this.now(),
        via: via.tlsSiteId === undefined ? 'file' : 'https',
      });
      const received = this.state.updateSites(header.round).length;
      this.log(
        `round ${header.round}: update from ${header.siteId} accepted: ${header.ciphertextCount} ciphertexts, ${bundle.payload.length} bytes (SEAL ${this.bundle.manifest.ckks.wireCompression}), ${received}/${this.policy.quorum} for quorum`,
      );
      let aggregated = false;
      if (received >= this.policy.quorum && via.autoAggregate !== false) {
        await this.aggregate(header.round);
        aggregated = true;
      }
      return {
        round: header.round,
        siteId: header.siteId,
        received,
        payloadBytes: bundle.payload.length,
        aggregated,
      };
    } catch (error) {
      if (error instanceof ConfidantError) {
        this.state.addRejection({
          round: header?.round ?? null,
          siteId: header?.siteId ?? via.tlsSiteId ?? null,
          code: error.code,
          reason: error.message,
          at: this.now(),
        });
        this.log(`update rejected (${error.code}): ${error.message}`);
      }
      throw error;
    }
  }

  private storeUpdate(update: Parameters<CoordinatorState['addUpdate']>[0]): void {
    try {
      this.state.addUpdate(update);
    } catch (error) {
      this.dropRunning(); // the running sum now holds an update that was not stored
      throw error;
    }
  }

  private dropRunning(): void {
    this.running?.sum.dispose();
    this.running = null;
  }

  /** Aggregates the open round if its deadline has passed and enough sites have sent updates. */
  async tick(): Promise<AggregationStats | null> {
    const row = this.current();
    if (row.state !== 'open' || this.now() < row.deadlineAt) return null;
    if (this.state.updateSites(row.round).length < this.policy.minSites) return null;
    return this.aggregate(row.round);
  }

  /** Sums the round's updates, signs and publishes the aggregate, and opens the next round. */
  async aggregate(round: number): Promise<AggregationStats> {
    const row = this.state.round(round);
    if (!row)
      throw reject(
        'fed.round-not-open',
        `round ${round} does not exist`,
        'check the round number with `confidant fed status`',
      );
    if (row.state !== 'open')
      throw reject(
        'fed.late',
        `round ${round} was already aggregated`,
        'export its aggregate with `confidant fed export-aggregate`',
      );
    const updates = this.state.updateSummaries(round);
    if (updates.length < this.policy.minSites) {
      throw reject(
        'fed.no-quorum',
        `round ${round} has ${updates.length} update(s); at least ${this.policy.minSites} are needed`,
        'wait for more sites or lower --min-sites',
      );
    }
    const started = performance.now();
    const runtime = await ckksRuntime(this.bundle.manifest.ckks);
    const running = this.running;
    const sum =
      running &&
      running.round === round &&
      JSON.stringify(running.sum.members) === JSON.stringify(updates.map((u) => u.siteId))
        ? running.sum.save()
        : sumCiphertextVectors(
            runtime,
            this.state.updates(round).map((u) => unpackCiphertexts(parseBundle(u.bundle).payload)),
          );
    this.dropRunning();
    const payload = packCiphertexts(sum);
    const layout = LayoutSchema.parse(JSON.parse((updates[0] as { layout: string }).layout));
    // Each contributor's own signed update header travels with the aggregate, so sites can
    // count real contributors before they decrypt (federationSite.checkContributors).
    const signedHeaders = new Map(
      this.state.updates(round).map((u) => [u.siteId, headerBytesOf(u.bundle).toString('base64')]),
    );
    const header: Omit<AggregateHeader, 'signature' | 'payloadSha256' | 'payloadBytes'> = {
      kind: 'aggregate',
      version: 1,
      federationId: this.federationId,
      round,
      layout,
      valueCount: layout.reduce((n, l) => n + l, 0),
      ciphertextCount: sum.length,
      createdAt: new Date(this.now()).toISOString(),
      contributors: updates.map((u) => ({
        siteId: u.siteId,
        examples: u.examples,
        updateSha256: u.bundleSha256,
        ...(signedHeaders.has(u.siteId) ? { updateHeader: signedHeaders.get(u.siteId)! } : {}),
      })),
      totalExamples: updates.reduce((n, u) => n + u.examples, 0),
    };
    const bytes = writeBundle<AggregateHeader>(header, payload, this.bundle.keyPem);
    this.state.publish(round, bytes, bundleId(bytes), this.now());
    this.cachedAggregate = { round, bytes };
    const stats: AggregationStats = {
      round,
      contributors: header.contributors.map((c) => c.siteId),
      totalExamples: header.totalExamples,
      ciphertextCount: sum.length,
      aggregateBytes: payload.length,
      aggregateMs: performance.now() - started,
    };
    this.aggregations.set(round, stats);
    this.log(
      `round ${round}: aggregate of ${stats.contributors.join(', ')} published: ${stats.ciphertextCount} ciphertexts, ${stats.aggregateBytes} bytes (SEAL ${this.bundle.manifest.ckks.wireCompression}), ${stats.aggregateMs.toFixed(0)} ms`,
    );
    if (this.policy.maxRounds === undefined || round < this.policy.maxRounds) this.openRound(round + 1);
    return stats;
  }

  /** The largest update upload accepted now (updateSizeLimit.ts). */
  updateSizeLimit(): number {
    const layout = this.state.latestLayout();
    const values = layout ? LayoutSchema.parse(JSON.parse(layout)).reduce((n, l) => n + l, 0) : null;
    return maxUpdateBytes(this.bundle.manifest.ckks, values);
  }

  /** The signed aggregate of a round (the latest one is kept in memory: every site fetches it). */
  aggregateBundle(round: number): Buffer | null {
    if (this.cachedAggregate?.round === round) return this.cachedAggregate.bytes;
    const bytes = this.state.aggregate(round);
    if (bytes) this.cachedAggregate = { round, bytes };
    return bytes;
  }
}
