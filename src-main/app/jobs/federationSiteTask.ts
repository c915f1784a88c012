/**
 * An air-gapped site's round inside a worker (`confidant fed export-update` with a run
 * configuration): open the invitation with its passphrase, train this round with DP-SGD on
 * the site's own dataset from the global adapter it holds, encrypt and sign the update into a
 * file for the coordinator, and account the site's ε in its federation state folder.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DpSiteTrainer } from '../../federation/dpSiteTrainer.js';
import {
  exportUpdate,
  FederationSite,
  importAggregate,
  readInvitation,
  SiteState,
} from '../../federation/index.js';
import type { Store } from '../../store/index.js';
import { parseRunConfig } from '../../train/runConfig.js';
import type { JobResult, TaskContext } from './jobProtocol.js';

export async function runSiteUpdateTask(
  store: Store,
  spec: {
    invitationFile: string;
    passphrase: string;
    config?: unknown;
    round: number;
    outFile: string;
    stateDir: string;
  },
  context: TaskContext,
): Promise<JobResult> {
  context.progress({ stage: 'opening', fraction: 0, message: 'Opening the invitation.' });
  const invitation = readInvitation(spec.invitationFile, spec.passphrase);
  const config = parseRunConfig(spec.config, 'site training settings');
  const site = await FederationSite.open(invitation);
  try {
    const trainer = new DpSiteTrainer({
      store,
      config,
      siteId: invitation.siteId,
      onEvent: (event) => {
        if (event.type === 'train.step') {
          context.progress({
            stage: 'training',
            fraction: event.totalSteps > 0 ? Math.min(0.95, event.step / event.totalSteps) : null,
            message: `Training round ${spec.round} on this site’s notes: step ${event.step} of ${event.totalSteps}`,
          });
        }
      },
    });
    mkdirSync(spec.stateDir, { recursive: true, mode: 0o700 });
    mkdirSync(dirname(spec.outFile), { recursive: true });
    const r = await exportUpdate({
      site,
      state: SiteState.open(spec.stateDir, site.federationId, site.siteId),
      trainer,
      initialAdapter: await trainer.initialAdapter(),
      round: spec.round,
      outFile: spec.outFile,
      delta: config.privacy.mode === 'none' ? 1e-5 : (config.privacy.delta ?? 1e-5),
    });
    context.progress({ stage: 'written', fraction: 1, message: `Update written to ${spec.outFile}.` });
    return {
      siteId: r.siteId,
      federationId: site.federationId,
      round: r.round,
      examples: r.examples,
      bytes: r.bytes,
      ciphertexts: r.ciphertexts,
      epsilon: r.privacy.epsilon,
      delta: r.privacy.delta,
      outFile: spec.outFile,
    };
  } finally {
    site.close();
  }
}

/**
 * An air-gapped site applies a round's aggregate (`confidant fed import-aggregate`): checks
 * the coordinator's signature, decrypts the sum with the site's key, and makes the average
 * the site's global adapter for the next round; ε is that of the site's own training.
 */
export async function runSiteApplyTask(
  store: Store,
  spec: {
    invitationFile: string;
    passphrase: string;
    config?: unknown;
    aggregateFile: string;
    stateDir: string;
  },
  context: TaskContext,
): Promise<JobResult> {
  context.progress({ stage: 'opening', fraction: 0, message: 'Opening the invitation.' });
  const invitation = readInvitation(spec.invitationFile, spec.passphrase);
  const config = parseRunConfig(spec.config, 'site training settings');
  const site = await FederationSite.open(invitation);
  try {
    const trainer = new DpSiteTrainer({ store, config, siteId: invitation.siteId });
    context.progress({
      stage: 'decrypting',
      fraction: 0.3,
      message: 'Checking and decrypting the aggregate.',
    });
    const r = importAggregate({
      site,
      state: SiteState.open(spec.stateDir, site.federationId, site.siteId),
      file: spec.aggregateFile,
      initialAdapter: await trainer.initialAdapter(),
      delta: config.privacy.mode === 'none' ? 1e-5 : (config.privacy.delta ?? 1e-5),
    });
    return {
      siteId: site.siteId,
      round: r.round,
      contributors: r.contributors.join(', '),
      totalExamples: r.totalExamples,
      contributed: r.contributed,
      epsilon: r.privacy.epsilon,
      delta: r.privacy.delta,
    };
  } finally {
    site.close();
  }
}
