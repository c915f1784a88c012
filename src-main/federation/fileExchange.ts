/**
 * Air-gapped rounds: the same signed, encrypted bundles as the online protocol, carried as
 * files. A site exports its update (`fed export-update`); the coordinator imports it through
 * the same checks as an HTTPS upload (`fed import-update`), aggregates (`fed aggregate`) and
 * exports the signed aggregate (`fed export-aggregate`); the site imports it
 * (`fed import-aggregate`). The same updates give a byte-identical aggregate either way.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { ConfidantError } from '../shared/confidantError.js';
import { privacySpent, type PrivacySpent } from '../dp/privacySpent.js';
import type { FederationSite } from './federationSite.js';
import type { LocalTrainer } from './localTrainer.js';
import type { AcceptedUpdate, AggregationStats, RoundCoordinator } from './roundCoordinator.js';
import { bundleId, parseBundle } from './signedBundle.js';
import { addInto } from './siteRounds.js';
import type { SiteState } from './siteState.js';

function readBundleFile(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new ConfidantError('fed.file-missing', 'cannot read the bundle file', {
      where: { file },
      hint: 'check the path',
      cause: error,
    });
  }
}

export interface ExportedUpdate {
  readonly round: number;
  readonly siteId: string;
  readonly examples: number;
  readonly bytes: number;
  readonly ciphertexts: number;
  readonly encryptMs: number;
  readonly privacy: PrivacySpent;
}

export async function exportUpdate(options: {
  site: FederationSite;
  state: SiteState;
  trainer: LocalTrainer;
  round: number;
  outFile: string;
  delta?: number;
  /** The shared initial adapter (a real LoRA trainer's); the global adapter starts here. */
  initialAdapter?: readonly Float32Array[] | null;
}): Promise<ExportedUpdate> {
  const { site, state, round } = options;
  if (state.sentFor(round)) {
    throw new ConfidantError('fed.replayed', `this site already exported an update for round ${round}`, {
      hint: 'each site sends one update per round; the coordinator would reject a second one',
    });
  }
  const start = state.globalAdapter() ?? options.initialAdapter?.map((t) => Float32Array.from(t)) ?? null;
  const trained = await options.trainer.train(round, start);
  state.recordTraining(trained.ledger);
  const update = site.encryptUpdate(round, trained.delta, trained.examples);
  writeFileSync(options.outFile, update.bytes);
  state.recordSent(round, bundleId(update.bytes), trained.examples);
  return {
    round,
    siteId: site.siteId,
    examples: trained.examples,
    bytes: update.bytes.length,
    ciphertexts: update.header.ciphertextCount,
    encryptMs: update.encryptMs,
    privacy: privacySpent(state.ledger, options.delta ?? 1e-5),
  };
}

export function importUpdate(coordinator: RoundCoordinator, file: string): Promise<AcceptedUpdate> {
  return coordinator.submitUpdate(readBundleFile(file), { autoAggregate: false });
}

export function aggregateRound(coordinator: RoundCoordinator, round: number): Promise<AggregationStats> {
  return coordinator.aggregate(round);
}

export function exportAggregate(
  coordinator: RoundCoordinator,
  round: number,
  outFile: string,
): { bytes: number; contributors: string[] } {
  const bundle = coordinator.aggregateBundle(round);
  if (!bundle) {
    throw new ConfidantError('fed.not-published', `round ${round} has no aggregate yet`, {
      hint: "import the sites' updates and run `confidant fed aggregate` first",
    });
  }
  writeFileSync(outFile, bundle);
  const header = parseBundle(bundle).header;
  return {
    bytes: bundle.length,
    contributors: header.kind === 'aggregate' ? header.contributors.map((c) => c.siteId) : [],
  };
}

export interface ImportedAggregate {
  readonly round: number;
  readonly contributors: string[];
  readonly totalExamples: number;
  readonly contributed: boolean;
  readonly decryptMs: number;
  readonly average: Float32Array[];
  readonly privacy: PrivacySpent;
}

export function importAggregate(options: {
  site: FederationSite;
  state: SiteState;
  file: string;
  delta?: number;
  /** The shared initial adapter the global adapter starts from (a real LoRA trainer's). */
  initialAdapter?: readonly Float32Array[] | null;
}): ImportedAggregate {
  const { site, state } = options;
  const aggregate = site.decryptAggregate(readBundleFile(options.file));
  const round = aggregate.header.round;
  if (state.json.applied.includes(round)) {
    throw new ConfidantError('fed.replayed', `round ${round}'s aggregate was already applied at this site`, {
      hint: "import the next round's aggregate",
    });
  }
  const sent = state.sentFor(round);
  const mine = aggregate.header.contributors.find((c) => c.siteId === site.siteId);
  if (mine && (!sent || sent.updateSha256 !== mine.updateSha256)) {
    throw new ConfidantError(
      'fed.foreign-update',
      `round ${round}'s aggregate contains an update under this site's name that it did not send`,
      {
        hint: "do not use this aggregate; report it to the federation's operators",
      },
    );
  }
  const start = state.globalAdapter() ?? options.initialAdapter?.map((t) => Float32Array.from(t)) ?? null;
  state.applyGlobal(round, addInto(start, aggregate.average));
  return {
    round,
    contributors: aggregate.header.contributors.map((c) => c.siteId),
    totalExamples: aggregate.header.totalExamples,
    contributed: mine !== undefined,
    decryptMs: aggregate.decryptMs,
    average: aggregate.average,
    privacy: privacySpent(state.ledger, options.delta ?? 1e-5),
  };
}
