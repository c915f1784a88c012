/**
 * A simulated federation inside a worker (the Federation screen's "Simulate"): the key
 * ceremony, a coordinator over mutual TLS on loopback and N sites running rounds, each with
 * DP-SGD on the bundled model and its own synthetic notes (or random deltas), through the
 * federation module's `simulateFederation` as `confidant fed simulate` runs it. The per-round
 * report (contributors, error against plaintext FedAvg, bytes, each site's ε) is returned as
 * JSON for the screen; the folder is removed afterwards (it holds the sites' secret keys).
 */
import { rmSync } from 'node:fs';
import {
  aggregateRound,
  createFederation,
  exportAggregate,
  importUpdate,
  readCoordinatorBundle,
  RoundCoordinator,
  simulateFederation,
} from '../../federation/index.js';
import { isConfidantError, ConfidantError } from '../../shared/confidantError.js';
import { createSimulationSites } from '../../federation/simulationSites.js';
import type { JobResult, TaskContext } from './jobProtocol.js';

export async function runFederationTask(
  spec: { sites: number; rounds: number; trainer: 'dp' | 'synthetic'; workDir: string },
  context: TaskContext,
): Promise<JobResult> {
  context.progress({ stage: 'key ceremony', fraction: 0, message: 'Creating the federation and its keys.' });
  const dpSites = spec.trainer === 'dp' ? await createSimulationSites(spec.workDir, spec.sites) : null;
  let round = 0;
  try {
    const result = await simulateFederation({
      sites: spec.sites,
      rounds: spec.rounds,
      workDir: spec.workDir,
      ...(dpSites ? { trainerFor: dpSites.trainerFor } : {}),
      log: (line) => {
        const m = /round (\d+)/i.exec(line);
        if (m) round = Math.max(round, Number(m[1]));
        context.progress({
          stage: round > 0 ? `round ${round}` : 'setting up',
          fraction: round > 0 ? Math.min(0.99, (round - 1) / spec.rounds) : null,
          message: line,
        });
      },
    });
    return {
      federationId: result.federationId,
      sites: result.sites.join(', '),
      rounds: result.rounds.length,
      report: JSON.stringify(result),
    };
  } finally {
    dpSites?.close();
    rmSync(spec.workDir, { recursive: true, force: true });
  }
}

/**
 * The coordinator's key ceremony (`confidant fed init`): CKKS keys, the federation CA, the
 * coordinator bundle (no CKKS secret key) and one invitation per site sealed with the
 * passphrase, which the coordinator gives each site through another channel.
 */
export async function runFederationInitTask(
  spec: {
    siteIds: readonly string[];
    outDir: string;
    passphrase: string;
    coordinatorHosts: readonly string[];
    coordinatorUrl?: string | undefined;
    minContributors?: number | undefined;
  },
  context: TaskContext,
): Promise<JobResult> {
  context.progress({
    stage: 'key ceremony',
    fraction: null,
    message: 'Generating the CKKS keys and certificates.',
  });
  const created = await createFederation({
    siteIds: spec.siteIds,
    outDir: spec.outDir,
    passphrase: spec.passphrase,
    coordinatorHosts: spec.coordinatorHosts,
    ...(spec.coordinatorUrl ? { coordinatorUrl: spec.coordinatorUrl } : {}),
    ...(spec.minContributors !== undefined ? { minContributors: spec.minContributors } : {}),
  });
  return {
    federationId: created.federationId,
    manifestFile: created.manifestFile,
    coordinatorDir: created.coordinatorDir,
    invitations: JSON.stringify(Object.fromEntries(created.invitations)),
  };
}

/**
 * An air-gapped coordinator's round (`confidant fed import-update`, `aggregate`,
 * `export-aggregate`): check and accept each site's signed update file, add the encrypted
 * updates, and write the signed aggregate file for the sites. The coordinator never holds the
 * key to decrypt either.
 */
export async function runAggregateTask(
  spec: { coordinatorDir: string; updateFiles: readonly string[]; round: number; outFile: string },
  context: TaskContext,
): Promise<JobResult> {
  const coordinator = new RoundCoordinator(
    readCoordinatorBundle(spec.coordinatorDir),
    {},
    {
      log: (line) => context.progress({ stage: 'coordinating', fraction: null, message: line }),
    },
  );
  try {
    for (const [i, file] of spec.updateFiles.entries()) {
      context.progress({
        stage: 'importing',
        fraction: (0.6 * i) / spec.updateFiles.length,
        message: `Checking ${file}`,
      });
      try {
        await importUpdate(coordinator, file);
      } catch (error) {
        if (!isConfidantError(error)) throw error;
        throw new ConfidantError(error.code, error.message, {
          where: { file },
          ...(error.options.hint ? { hint: error.options.hint } : {}),
          cause: error,
        });
      }
    }
    context.progress({ stage: 'aggregating', fraction: 0.7, message: 'Adding the encrypted updates.' });
    const stats = await aggregateRound(coordinator, spec.round);
    const written = exportAggregate(coordinator, spec.round, spec.outFile);
    return {
      round: stats.round,
      contributors: stats.contributors.join(', '),
      totalExamples: stats.totalExamples,
      bytes: written.bytes,
      outFile: spec.outFile,
    };
  } finally {
    coordinator.close();
  }
}
