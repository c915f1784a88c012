/**
 * `confidant fed simulate`: a whole federation on loopback in one process: key ceremony,
 * the coordinator over mutual TLS, and N sites running rounds concurrently, each with its
 * own LocalTrainer (injectable). Per round it reports the encrypted aggregate's largest
 * relative error against plaintext FedAvg of the same deltas, bytes on the wire, timings
 * and each site's ε so far.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CoordinatorClient } from './coordinatorClient.js';
import { startCoordinatorServer } from './coordinatorServer.js';
import { maxRelativeError, plaintextFedAvg } from './fedAverage.js';
import { readCoordinatorBundle, readInvitation } from './federationFiles.js';
import { FederationSite } from './federationSite.js';
import { createFederation } from './keyCeremony.js';
import type { LocalTrainer } from './localTrainer.js';
import { RoundCoordinator } from './roundCoordinator.js';
import { type SiteRoundReport, runSiteRounds } from './siteRounds.js';
import { DEMO_MODEL_LORA_LAYOUT, SyntheticDeltaTrainer } from './syntheticDeltaTrainer.js';
import type { ScryptCost } from './passphraseEnvelope.js';

export interface SimulationOptions {
  readonly sites: number;
  readonly rounds: number;
  /** An empty folder for the federation's files. */
  readonly workDir: string;
  /** The trainer of site `index` (default: SyntheticDeltaTrainer on the demo model's LoRA layout). */
  readonly trainerFor?: (siteId: string, index: number) => LocalTrainer;
  readonly delta?: number;
  readonly scryptCost?: ScryptCost;
  readonly log?: (line: string) => void;
}

export interface SimulationRoundReport {
  round: number;
  contributors: string[];
  totalExamples: number;
  parameters: number;
  /** Largest over sites of max|decrypted − plaintext FedAvg| / max|plaintext FedAvg|. */
  maxRelativeError: number;
  bytes: { updates: number; aggregates: number; total: number; perUpdate: number; perAggregate: number };
  timingsMs: {
    train: number;
    encrypt: number;
    upload: number;
    aggregate: number;
    decrypt: number;
    wall: number;
  };
  epsilon: Record<string, number>;
  trainer: string;
}

export interface SimulationResult {
  federationId: string;
  sites: string[];
  ckks: { polyModulusDegree: number; coeffModulusBits: number[]; scaleBits: number; securityLevel: string };
  rounds: SimulationRoundReport[];
  wallMs: number;
}

export function defaultSimulationTrainer(siteId: string, index: number): LocalTrainer {
  const examples = [1200, 800, 2000, 500, 1500][index % 5] as number;
  return new SyntheticDeltaTrainer({
    seed: `simulate/${siteId}`,
    layout: DEMO_MODEL_LORA_LAYOUT,
    examples,
    samplingRate: 64 / examples,
    noiseMultiplier: 1.0,
    clipNorm: 1.0,
    stepsPerRound: Math.ceil(examples / 64),
  });
}

const max = (xs: number[]): number => xs.reduce((a, b) => Math.max(a, b), 0);

export async function simulateFederation(options: SimulationOptions): Promise<SimulationResult> {
  const started = performance.now();
  const siteIds = Array.from(
    { length: options.sites },
    (_, i) => `site-${String.fromCharCode(97 + (i % 26))}${i >= 26 ? i : ''}`,
  );
  const passphrase = 'simulation-only passphrase';
  mkdirSync(options.workDir, { recursive: true });
  const created = await createFederation({
    siteIds,
    outDir: join(options.workDir, 'federation'),
    passphrase,
    // A simulation on one machine may run 2 sites; real federations default to 3.
    minContributors: Math.min(3, options.sites),
    ...(options.scryptCost ? { scryptCost: options.scryptCost } : {}),
  });
  const coordinator = new RoundCoordinator(
    readCoordinatorBundle(created.coordinatorDir),
    { maxRounds: options.rounds },
    options.log ? { log: options.log } : {},
  );
  const server = await startCoordinatorServer(coordinator);
  const trainerFor = options.trainerFor ?? defaultSimulationTrainer;
  const roundStart = new Map<number, number>();
  const roundEnd = new Map<number, number>();
  try {
    const perSite = await Promise.all(
      siteIds.map(async (siteId, index) => {
        const invitation = readInvitation(created.invitations.get(siteId) as string, passphrase);
        const site = await FederationSite.open(invitation);
        const client = new CoordinatorClient(server.url, invitation);
        const trainer = trainerFor(siteId, index);
        try {
          const initialAdapter = trainer.initialAdapter ? await trainer.initialAdapter() : null;
          return await runSiteRounds({
            site,
            client,
            trainer,
            initialAdapter,
            rounds: options.rounds,
            pollMs: 50,
            ...(options.delta !== undefined ? { delta: options.delta } : {}),
            onRound: (r) => {
              roundEnd.set(r.round, Math.max(roundEnd.get(r.round) ?? 0, performance.now()));
              roundStart.set(
                r.round + 1,
                Math.min(roundStart.get(r.round + 1) ?? Infinity, performance.now()),
              );
            },
          });
        } finally {
          client.close();
          site.close();
        }
      }),
    );
    roundStart.set(1, started);
    const firstTrainer = trainerFor(siteIds[0] as string, 0) as { synthetic?: boolean; description?: string };
    const trainerName = firstTrainer.synthetic
      ? 'SyntheticDeltaTrainer (synthetic deltas, real DP ledger)'
      : (firstTrainer.description ?? 'injected');
    const rounds: SimulationRoundReport[] = [];
    for (let r = 1; r <= options.rounds; r++) {
      const reports = perSite
        .map((list) => list.find((x) => x.round === r))
        .filter((x): x is SiteRoundReport => x !== undefined);
      const first = reports[0];
      if (!first) break;
      const present = reports.filter((x) => first.contributors.includes(x.siteId));
      const reference = plaintextFedAvg(present.map((x) => ({ delta: x.delta, examples: x.examples })));
      rounds.push({
        round: r,
        contributors: first.contributors,
        totalExamples: first.totalExamples,
        parameters: first.delta.reduce((n, t) => n + t.length, 0),
        maxRelativeError: max(reports.map((x) => maxRelativeError(x.average ?? [], reference))),
        bytes: {
          updates: present.reduce((n, x) => n + x.updateBytes, 0),
          aggregates: reports.reduce((n, x) => n + x.aggregateBytes, 0),
          total:
            present.reduce((n, x) => n + x.updateBytes, 0) +
            reports.reduce((n, x) => n + x.aggregateBytes, 0),
          perUpdate: first.updateBytes,
          perAggregate: first.aggregateBytes,
        },
        timingsMs: {
          train: max(reports.map((x) => x.trainMs)),
          encrypt: max(reports.map((x) => x.encryptMs)),
          upload: max(reports.map((x) => x.uploadMs)),
          aggregate: coordinator.aggregations.get(r)?.aggregateMs ?? NaN,
          decrypt: max(reports.map((x) => x.decryptMs)),
          wall: (roundEnd.get(r) ?? NaN) - (roundStart.get(r) ?? NaN),
        },
        epsilon: Object.fromEntries(reports.map((x) => [x.siteId, x.privacy.epsilon])),
        trainer: trainerName,
      });
    }
    const { polyModulusDegree, coeffModulusBits, scaleBits, securityLevel } =
      coordinator.bundle.manifest.ckks;
    return {
      federationId: created.federationId,
      sites: siteIds,
      ckks: { polyModulusDegree, coeffModulusBits, scaleBits, securityLevel },
      rounds,
      wallMs: performance.now() - started,
    };
  } finally {
    await server.close();
    coordinator.close();
  }
}
