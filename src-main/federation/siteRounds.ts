/**
 * A site taking part in rounds online: train locally (any LocalTrainer), compose the privacy
 * ledger across rounds and report ε (both accountants, the larger charged; privacySpent),
 * encrypt and sign n_i·Δ_i, upload, wait for the aggregate, decrypt it and update the global
 * adapter: global ← global + Σ n_i Δ_i / Σ n_i. Training happened, so a round whose update
 * arrives late still spends privacy: its ledger stays in the composition.
 */
import { type PrivacySpent, privacySpent } from '../dp/privacySpent.js';
import { ConfidantError, isConfidantError } from '../shared/confidantError.js';
import type { CoordinatorClient } from './coordinatorClient.js';
import type { FederationSite } from './federationSite.js';
import type { LocalTrainer, LocalTrainingResult, TrainerLedgerSegment } from './localTrainer.js';
import { bundleId } from './signedBundle.js';
import type { SiteState } from './siteState.js';

export interface SiteRoundReport {
  readonly siteId: string;
  readonly round: number;
  /** 'contributed': in the aggregate; 'late': training done but the round closed first. */
  readonly outcome: 'contributed' | 'late';
  readonly examples: number;
  readonly updateBytes: number;
  readonly aggregateBytes: number;
  readonly trainMs: number;
  readonly encryptMs: number;
  readonly uploadMs: number;
  readonly waitMs: number;
  readonly decryptMs: number;
  readonly contributors: string[];
  readonly totalExamples: number;
  /** ε after this round, over every round's ledger so far. */
  readonly privacy: PrivacySpent;
  /** This round's plaintext delta (stays at the site; for local checks; empty when resumed). */
  readonly delta: Float32Array[];
  /** The decrypted FedAvg delta of the round (null when late). */
  readonly average: Float32Array[] | null;
}

export interface SiteRoundsOptions {
  readonly site: FederationSite;
  readonly client: CoordinatorClient;
  readonly trainer: LocalTrainer;
  readonly rounds: number;
  /** δ for the site's ε (default 1e-5; keep it below 1 / the site's unit count). */
  readonly delta?: number;
  /** Ledger of earlier rounds (a resumed site), composed with the new ones. */
  readonly priorLedger?: readonly TrainerLedgerSegment[];
  /** The shared initial adapter; the global adapter starts here. */
  readonly initialAdapter?: Float32Array[] | null;
  readonly pollMs?: number;
  readonly aggregateTimeoutMs?: number;
  readonly onRound?: (report: SiteRoundReport, globalAdapter: Float32Array[]) => void;
  /** Persist the ledger, the updates sent and the global adapter here (`fed join`). */
  readonly state?: SiteState;
}

export function addInto(target: Float32Array[] | null, add: readonly Float32Array[]): Float32Array[] {
  const out = target ?? add.map((t) => new Float32Array(t.length));
  add.forEach((t, i) => {
    const o = out[i] as Float32Array;
    for (let j = 0; j < t.length; j++) o[j] = (o[j] as number) + (t[j] as number);
  });
  return out;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function runSiteRounds(options: SiteRoundsOptions): Promise<SiteRoundReport[]> {
  const { site, client, trainer } = options;
  const delta = options.delta ?? 1e-5;
  const { state } = options;
  const ledger: TrainerLedgerSegment[] = [...(state?.ledger ?? []), ...(options.priorLedger ?? [])];
  let global: Float32Array[] | null =
    state?.globalAdapter() ??
    (options.initialAdapter ? options.initialAdapter.map((t) => Float32Array.from(t)) : null);
  const reports: SiteRoundReport[] = [];
  for (let done = 0; done < options.rounds; done++) {
    const status = await client.status();
    if (status.federationId !== site.federationId) {
      throw new ConfidantError(
        'fed.wrong-federation',
        `the coordinator serves federation ${status.federationId}, not ${site.federationId}`,
        {
          hint: 'check the --coordinator address',
        },
      );
    }
    if (status.finished) break;
    const round = status.round;
    let t = performance.now();
    const resumed = state?.sentFor(round);
    let trained: LocalTrainingResult;
    let updateBytes = 0;
    let encryptMs = 0;
    let mySha256: string;
    let outcome: SiteRoundReport['outcome'] = 'contributed';
    let trainMs = 0;
    if (resumed) {
      // Sent before a restart: do not train (and spend privacy) twice; wait for the aggregate.
      trained = { delta: [], examples: resumed.examples, ledger: [] };
      mySha256 = resumed.updateSha256;
    } else {
      trained = await trainer.train(round, global);
      trainMs = performance.now() - t;
      ledger.push(...trained.ledger);
      state?.recordTraining(trained.ledger);
      const update = site.encryptUpdate(round, trained.delta, trained.examples);
      updateBytes = update.bytes.length;
      encryptMs = update.encryptMs;
      mySha256 = bundleId(update.bytes);
      state?.recordSent(round, mySha256, trained.examples);
      t = performance.now();
      try {
        await client.submitUpdate(round, update.bytes);
      } catch (error) {
        if (!(isConfidantError(error) && error.code === 'fed.late')) throw error;
        outcome = 'late';
      }
    }
    const privacy = privacySpent(ledger, delta);
    const uploadMs = performance.now() - t;
    t = performance.now();
    let aggregateBytes: Buffer | null;
    for (;;) {
      aggregateBytes = await client.fetchAggregate(round);
      if (aggregateBytes) break;
      if (performance.now() - t > (options.aggregateTimeoutMs ?? 3_600_000)) {
        throw new ConfidantError(
          'fed.aggregate-timeout',
          `round ${round}'s aggregate did not arrive in time`,
          {
            hint: 'the coordinator waits for its quorum or deadline; run `confidant fed join` again later to continue',
          },
        );
      }
      await sleep(options.pollMs ?? 200);
    }
    const waitMs = performance.now() - t;
    const aggregate = site.decryptAggregate(aggregateBytes, round);
    const mine = aggregate.header.contributors.find((c) => c.siteId === site.siteId);
    if (mine && mine.updateSha256 !== mySha256) {
      throw new ConfidantError(
        'fed.foreign-update',
        `round ${round}'s aggregate contains an update under this site's name that it did not send`,
        {
          hint: "do not use this aggregate; report it to the federation's operators",
        },
      );
    }
    if (outcome === 'contributed' && !mine) outcome = 'late';
    global = addInto(global, aggregate.average);
    state?.applyGlobal(round, global);
    const report: SiteRoundReport = {
      siteId: site.siteId,
      round,
      outcome,
      examples: trained.examples,
      updateBytes,
      aggregateBytes: aggregateBytes.length,
      trainMs,
      encryptMs,
      uploadMs,
      waitMs,
      decryptMs: aggregate.decryptMs,
      contributors: aggregate.header.contributors.map((c) => c.siteId),
      totalExamples: aggregate.header.totalExamples,
      privacy,
      delta: trained.delta,
      average: aggregate.average,
    };
    reports.push(report);
    options.onRound?.(report, global);
  }
  return reports;
}
