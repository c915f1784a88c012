/**
 * `confidant fed ...`: federated fine-tuning with CKKS-encrypted aggregation (docs/federation.md).
 *
 *   fed init --sites a,b,c --out DIR [--min-contributors 3]   key ceremony: manifest, coordinator bundle,
 *                                                   invitations, one printed secret per site
 *   fed coordinator --dir DIR/coordinator --port P   HTTPS (mutual TLS) coordinator, state in its folder
 *   fed join INVITE --coordinator URL --state DIR   a site running rounds online
 *   fed export-update INVITE --round R --out FILE --state DIR      air-gapped site → file
 *   fed import-update --dir COORD FILE...           coordinator ← file(s)
 *   fed aggregate --dir COORD --round R             coordinator sums the round
 *   fed export-aggregate --dir COORD --round R --out FILE
 *   fed import-aggregate INVITE --in FILE --state DIR
 *   fed status --dir COORD                          rounds, updates received, rejections
 *   fed simulate --sites 3 --rounds 2 [--json]      a whole federation on loopback
 *
 * Invitation secret (each site's own, printed by `fed init`): CONFIDANT_FED_PASSPHRASE or
 * --passphrase. Local training in `join`
 * and `export-update` is DP-SGD on this site's dataset with `--config run.json` (the store:
 * --store / CONFIDANT_HOME); without it, the SYNTHETIC trainer (random deltas, real DP
 * ledger) stands in for tests and dry runs, and the commands say so.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { LocalTrainer } from '../../federation/index.js';

/** node-seal's module is 1.5 MB: load the federation engine only when a fed command runs. */
const loadFederation = () => import('../../federation/index.js');
type FederationApi = Awaited<ReturnType<typeof loadFederation>>;
import { ConfidantError } from '../../shared/confidantError.js';
import { promptHidden } from './store.js';

const out = (text: string): boolean => process.stdout.write(`${text}\n`);
const log = (text: string): boolean => process.stderr.write(`${text}\n`);

function positiveInt(flag: string, raw: string | undefined, fallback?: number): number {
  if (raw === undefined && fallback !== undefined) return fallback;
  const n = Number(raw);
  if (!(Number.isSafeInteger(n) && n > 0)) {
    throw new ConfidantError('cli.invalid-flag', `${flag} must be a positive integer, got "${raw ?? ''}"`, {
      where: { field: flag },
      hint: `e.g. ${flag} 3`,
    });
  }
  return n;
}

function numberIn(flag: string, raw: string, lo: number, hi: number): number {
  const n = Number(raw);
  if (!(n > lo && n <= hi)) {
    throw new ConfidantError('cli.invalid-flag', `${flag} must be in (${lo}, ${hi}], got "${raw}"`, {
      where: { field: flag },
      hint: 'see confidant fed --help',
    });
  }
  return n;
}

function required(flag: string, raw: string | undefined): string {
  if (raw === undefined || raw.trim() === '') {
    throw new ConfidantError('cli.missing-flag', `the flag ${flag} is required`, {
      where: { field: flag },
      hint: `add ${flag} <value> (see confidant fed --help)`,
    });
  }
  return raw;
}

/**
 * The site's invitation secret: --passphrase-fd <n> (read from that file descriptor, e.g.
 * `--passphrase-fd 3 3<secret.txt`: not visible in `ps`), CONFIDANT_FED_PASSPHRASE, a hidden
 * prompt on a terminal, or --passphrase (visible to other local users in `ps`: warned).
 */
async function passphrase(opts: { passphrase?: string; passphraseFd?: string }): Promise<string> {
  if (opts.passphraseFd !== undefined) {
    const fd = Number(opts.passphraseFd);
    if (!Number.isInteger(fd) || fd < 0) {
      throw new ConfidantError(
        'fed.bad-passphrase-fd',
        `"${opts.passphraseFd}" is not a file descriptor number`,
        {
          where: { field: '--passphrase-fd' },
          hint: 'e.g. --passphrase-fd 3 3<secret.txt, or --passphrase-fd 0 to read it from standard input',
        },
      );
    }
    const value = readFileSync(fd, 'utf8').replace(/\r?\n$/, '');
    if (value) return value;
  }
  if (opts.passphrase !== undefined) {
    process.stderr.write(
      'warning: --passphrase is visible to other users of this computer (ps); prefer --passphrase-fd or CONFIDANT_FED_PASSPHRASE.\n',
    );
    return opts.passphrase;
  }
  const value = process.env.CONFIDANT_FED_PASSPHRASE;
  if (value) return value;
  if (process.stdin.isTTY) return promptHidden('Invitation secret: ');
  throw new ConfidantError('fed.missing-passphrase', 'the invitation passphrase is missing', {
    where: { field: 'CONFIDANT_FED_PASSPHRASE' },
    hint: 'pass --passphrase-fd <n> or set CONFIDANT_FED_PASSPHRASE to this site’s invitation secret, printed by `confidant fed init`',
  });
}

interface TrainerFlags {
  config?: string;
  store?: string;
  examples: string;
  q: string;
  sigma: string;
  clip: string;
  steps: string;
  seed?: string;
}

function withTrainerFlags(cmd: Command): Command {
  return cmd
    .option(
      '--config <run.json>',
      "train for real: DP-SGD with this run configuration on this site's dataset",
    )
    .option(
      '--store <dir>',
      'with --config: the store folder (default: CONFIDANT_HOME or the platform folder)',
    )
    .option('--examples <n>', 'SYNTHETIC trainer: privacy units at this site (n_i)', '1000')
    .option('--q <rate>', 'SYNTHETIC trainer: DP-SGD sampling rate recorded in the ledger', '0.064')
    .option('--sigma <σ>', 'SYNTHETIC trainer: noise multiplier recorded in the ledger', '1.0')
    .option('--clip <C>', 'SYNTHETIC trainer: clip norm recorded in the ledger', '1.0')
    .option('--steps <n>', 'SYNTHETIC trainer: DP-SGD steps per round recorded in the ledger', '16')
    .option('--seed <text>', 'SYNTHETIC trainer: seed of the random delta (default: the site id)');
}

/** The stand-in until the DP-SGD trainer is wired in: clearly announced on stderr. */
function syntheticTrainer(api: FederationApi, siteId: string, flags: TrainerFlags): LocalTrainer {
  log(
    'note: local training is SYNTHETIC (seeded random LoRA deltas with the DP ledger of the given q, σ, C, steps)',
  );
  return new api.SyntheticDeltaTrainer({
    seed: flags.seed ?? siteId,
    layout: api.DEMO_MODEL_LORA_LAYOUT,
    examples: positiveInt('--examples', flags.examples),
    samplingRate: numberIn('--q', flags.q, 0, 1),
    noiseMultiplier: numberIn('--sigma', flags.sigma, 0, 1e6),
    clipNorm: numberIn('--clip', flags.clip, 0, 1e6),
    stepsPerRound: positiveInt('--steps', flags.steps),
  });
}

/** The site's trainer: DP-SGD on the store's dataset with --config, else the synthetic one. */
async function siteTrainer(
  api: FederationApi,
  siteId: string,
  flags: TrainerFlags,
): Promise<{ trainer: LocalTrainer; initialAdapter: Float32Array[] | null; close: () => void }> {
  if (!flags.config)
    return { trainer: syntheticTrainer(api, siteId, flags), initialAdapter: null, close: () => {} };
  const { loadRunConfig } = await import('../../train/runConfig.js');
  const { openStoreFromCli } = await import('./store.js');
  const { DpSiteTrainer } = await import('../../federation/dpSiteTrainer.js');
  const config = loadRunConfig(flags.config);
  const store = await openStoreFromCli(flags);
  const trainer = new DpSiteTrainer({ store, config, siteId });
  return { trainer, initialAdapter: await trainer.initialAdapter(), close: () => store.close() };
}

function wireCompression(raw: string): 'zstd' | 'none' {
  if (raw !== 'zstd' && raw !== 'none') {
    throw new ConfidantError('cli.invalid-flag', `--wire-compression must be zstd or none, got "${raw}"`, {
      where: { field: '--wire-compression' },
    });
  }
  return raw;
}

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(2)} MB`;
}

function registerInit(fed: Command): void {
  fed
    .command('init')
    .description(
      'create a federation: CKKS keys, a federation CA, one encrypted invitation per site and the coordinator bundle',
    )
    .option('--sites <ids>', 'comma-separated site ids, e.g. st-marys,royal-free,leeds')
    .option('--out <dir>', 'new folder for the federation files')
    .option(
      '--coordinator-host <hosts>',
      "host names / IPs the coordinator's certificate is valid for",
      'localhost,127.0.0.1',
    )
    .option('--coordinator-url <url>', 'coordinator address to record in the invitations')
    .option(
      '--passphrase <text>',
      'NOT RECOMMENDED: seal every invitation with this one passphrase instead of a secret per site',
    )
    .option(
      '--min-contributors <n>',
      'sites refuse to decrypt an aggregate of fewer sites (default 3; below 3 a site can work out another’s update)',
    )
    .option(
      '--wire-compression <mode>',
      "SEAL compression of ciphertexts: 'zstd' or 'none' (faster, same size)",
      'zstd',
    )
    .option('--json', 'print JSON')
    .action(
      async (opts: {
        wireCompression: string;
        sites?: string;
        out?: string;
        coordinatorHost: string;
        coordinatorUrl?: string;
        passphrase?: string;
        minContributors?: string;
        json?: boolean;
      }) => {
        const api = await loadFederation();
        if (opts.passphrase !== undefined) {
          process.stderr.write(
            'warning: --passphrase seals every invitation with one passphrase: whoever has it can open every site’s invitation. Without it, each site gets its own secret.\n',
          );
        }
        const created = await api.createFederation({
          siteIds: required('--sites', opts.sites)
            .split(',')
            .map((s) => s.trim()),
          outDir: required('--out', opts.out),
          ...(opts.passphrase !== undefined ? { passphrase: opts.passphrase } : {}),
          ...(opts.minContributors !== undefined
            ? { minContributors: positiveInt('--min-contributors', opts.minContributors) }
            : {}),
          coordinatorHosts: opts.coordinatorHost.split(',').map((s) => s.trim()),
          ...(opts.coordinatorUrl ? { coordinatorUrl: opts.coordinatorUrl } : {}),
          ckks: { ...api.DEFAULT_CKKS_PARAMETERS, wireCompression: wireCompression(opts.wireCompression) },
        });
        const summary = {
          federationId: created.federationId,
          manifest: created.manifestFile,
          coordinatorDir: created.coordinatorDir,
          invitations: Object.fromEntries(created.invitations),
          siteSecrets: Object.fromEntries(created.siteSecrets),
        };
        if (opts.json) out(JSON.stringify(summary));
        else {
          out(`Federation ${created.federationId} created.`);
          out(`Coordinator bundle (no CKKS secret key): ${created.coordinatorDir}`);
          for (const [site, file] of created.invitations) {
            out(`Invitation for ${site}: ${file}`);
            if (opts.passphrase === undefined) out(`  its secret: ${created.siteSecrets.get(site) ?? ''}`);
          }
          out(
            opts.passphrase === undefined
              ? 'Give each site its invitation and, through another channel (phone, in person), its own secret. The secrets are not stored anywhere: keep this output safe until every site has joined.'
              : 'Give each site its invitation and, through another channel, the passphrase.',
          );
        }
      },
    );
}

function registerCoordinator(fed: Command): void {
  fed
    .command('coordinator')
    .description('serve the federation over HTTPS with mutual TLS (runs until interrupted)')
    .option('--dir <dir>', 'the coordinator folder written by fed init')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port (0: any free port)', '8443')
    .option('--quorum <n>', 'aggregate as soon as n sites sent an update (default: all)')
    .option(
      '--min-sites <n>',
      'after the deadline, aggregate once n sites sent one (default and lowest: the federation minimum, 3 unless set at init)',
    )
    .option('--deadline-s <seconds>', 'round deadline in seconds (default 600)')
    .option('--rounds <n>', 'stop after this many rounds (default: no limit)')
    .action(
      async (opts: {
        dir?: string;
        host: string;
        port: string;
        quorum?: string;
        minSites?: string;
        deadlineS?: string;
        rounds?: string;
      }) => {
        const api = await loadFederation();
        const policy = {
          ...(opts.quorum !== undefined ? { quorum: positiveInt('--quorum', opts.quorum) } : {}),
          ...(opts.minSites !== undefined ? { minSites: positiveInt('--min-sites', opts.minSites) } : {}),
          ...(opts.deadlineS !== undefined
            ? { roundDeadlineMs: 1000 * numberIn('--deadline-s', opts.deadlineS, 0, 1e9) }
            : {}),
          ...(opts.rounds !== undefined ? { maxRounds: positiveInt('--rounds', opts.rounds) } : {}),
        };
        const port = Number(opts.port);
        if (!(Number.isInteger(port) && port >= 0 && port < 65536)) {
          throw new ConfidantError('cli.invalid-flag', `--port must be 0–65535, got "${opts.port}"`, {
            where: { field: '--port' },
          });
        }
        const coordinator = new api.RoundCoordinator(
          api.readCoordinatorBundle(required('--dir', opts.dir)),
          policy,
          { log },
        );
        const server = await api.startCoordinatorServer(coordinator, { host: opts.host, port });
        out(
          JSON.stringify({
            listening: server.url,
            federationId: coordinator.federationId,
            round: coordinator.status().round,
          }),
        );
        await new Promise<void>((resolve) => {
          const stop = (): void => resolve();
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
        await server.close();
        coordinator.close();
      },
    );
}

function registerJoin(fed: Command): void {
  withTrainerFlags(
    fed
      .command('join <invitation>')
      .description('take part in rounds online as a site')
      .option('--coordinator <url>', 'https://host:port of the coordinator (default: from the invitation)')
      .option('--state <dir>', "this site's federation state folder (ledger, global adapter)")
      .option('--rounds <n>', 'rounds to take part in', '1')
      .option('--delta <δ>', 'δ for the reported ε', '1e-5')
      .option('--passphrase <text>', 'this site’s invitation secret (visible in ps: prefer --passphrase-fd)')
      .option('--passphrase-fd <n>', 'read this site’s invitation secret from file descriptor n')
      .option('--json', 'print one JSON line per round'),
  ).action(
    async (
      invitationFile: string,
      opts: TrainerFlags & {
        coordinator?: string;
        state?: string;
        rounds: string;
        delta: string;
        passphrase?: string;
        passphraseFd?: string;
        json?: boolean;
      },
    ) => {
      const api = await loadFederation();
      const invitation = api.readInvitation(invitationFile, await passphrase(opts));
      const url = opts.coordinator ?? invitation.coordinatorUrl;
      const site = await api.FederationSite.open(invitation);
      const client = new api.CoordinatorClient(required('--coordinator', url), invitation);
      const local = await siteTrainer(api, invitation.siteId, opts);
      try {
        await api.runSiteRounds({
          site,
          client,
          trainer: local.trainer,
          initialAdapter: local.initialAdapter,
          rounds: positiveInt('--rounds', opts.rounds),
          delta: numberIn('--delta', opts.delta, 0, 1),
          state: api.SiteState.open(required('--state', opts.state), site.federationId, site.siteId, {
            key: site.stateKey(),
          }),
          onRound: (r) => {
            const line = {
              siteId: r.siteId,
              round: r.round,
              outcome: r.outcome,
              contributors: r.contributors,
              updateBytes: r.updateBytes,
              aggregateBytes: r.aggregateBytes,
              epsilon: r.privacy.epsilon,
              delta: r.privacy.delta,
            };
            if (opts.json) out(JSON.stringify(line));
            else
              out(
                `round ${r.round}: ${r.outcome}; aggregate of ${r.contributors.join(', ')}; sent ${mb(r.updateBytes)}, received ${mb(r.aggregateBytes)}; ε = ${r.privacy.epsilon.toFixed(3)} (δ = ${r.privacy.delta})`,
              );
          },
        });
      } finally {
        local.close();
        client.close();
        site.close();
      }
    },
  );
}

function registerFileExchange(fed: Command): void {
  withTrainerFlags(
    fed
      .command('export-update <invitation>')
      .description("air-gapped site: train, encrypt and sign this round's update into a file")
      .option('--round <r>', 'the round number (given by the coordinator operator)')
      .option('--out <file>', 'the update bundle to write')
      .option('--state <dir>', "this site's federation state folder")
      .option('--delta <δ>', 'δ for the reported ε', '1e-5')
      .option('--passphrase <text>', 'this site’s invitation secret (visible in ps: prefer --passphrase-fd)')
      .option('--passphrase-fd <n>', 'read this site’s invitation secret from file descriptor n')
      .option('--json', 'print JSON'),
  ).action(
    async (
      invitationFile: string,
      opts: TrainerFlags & {
        round?: string;
        out?: string;
        state?: string;
        delta: string;
        passphrase?: string;
        passphraseFd?: string;
        json?: boolean;
      },
    ) => {
      const api = await loadFederation();
      const invitation = api.readInvitation(invitationFile, await passphrase(opts));
      const site = await api.FederationSite.open(invitation);
      const local = await siteTrainer(api, invitation.siteId, opts);
      try {
        const r = await api.exportUpdate({
          site,
          state: api.SiteState.open(required('--state', opts.state), site.federationId, site.siteId, {
            key: site.stateKey(),
          }),
          trainer: local.trainer,
          initialAdapter: local.initialAdapter,
          round: positiveInt('--round', opts.round),
          outFile: required('--out', opts.out),
          delta: numberIn('--delta', opts.delta, 0, 1),
        });
        const summary = {
          siteId: r.siteId,
          round: r.round,
          examples: r.examples,
          bytes: r.bytes,
          ciphertexts: r.ciphertexts,
          epsilon: r.privacy.epsilon,
          delta: r.privacy.delta,
        };
        if (opts.json) out(JSON.stringify(summary));
        else
          out(
            `Update for round ${r.round} written to ${opts.out} (${r.ciphertexts} ciphertexts, ${mb(r.bytes)}); ε so far = ${r.privacy.epsilon.toFixed(3)}`,
          );
      } finally {
        site.close();
      }
    },
  );

  fed
    .command('import-update <files...>')
    .description('air-gapped coordinator: check and store site update files')
    .option('--dir <dir>', 'the coordinator folder')
    .option('--json', 'print JSON')
    .action(async (files: string[], opts: { dir?: string; json?: boolean }) => {
      const api = await loadFederation();
      const coordinator = new api.RoundCoordinator(
        api.readCoordinatorBundle(required('--dir', opts.dir)),
        {},
        { log },
      );
      try {
        for (const file of files) {
          const r = await api.importUpdate(coordinator, file);
          if (opts.json) out(JSON.stringify(r));
          else
            out(
              `Accepted ${r.siteId}'s update for round ${r.round} (${mb(r.payloadBytes)}); ${r.received} update(s) in the round.`,
            );
        }
      } finally {
        coordinator.close();
      }
    });

  fed
    .command('aggregate')
    .description('air-gapped coordinator: sum the encrypted updates of a round and sign the aggregate')
    .option('--dir <dir>', 'the coordinator folder')
    .option('--round <r>', 'the round')
    .option('--json', 'print JSON')
    .action(async (opts: { dir?: string; round?: string; json?: boolean }) => {
      const api = await loadFederation();
      const coordinator = new api.RoundCoordinator(
        api.readCoordinatorBundle(required('--dir', opts.dir)),
        {},
        { log },
      );
      try {
        const s = await api.aggregateRound(coordinator, positiveInt('--round', opts.round));
        if (opts.json) out(JSON.stringify(s));
        else
          out(
            `Round ${s.round} aggregated over ${s.contributors.join(', ')} (${s.totalExamples} examples, ${mb(s.aggregateBytes)}).`,
          );
      } finally {
        coordinator.close();
      }
    });

  fed
    .command('export-aggregate')
    .description("air-gapped coordinator: write a round's signed aggregate to a file for the sites")
    .option('--dir <dir>', 'the coordinator folder')
    .option('--round <r>', 'the round')
    .option('--out <file>', 'the aggregate bundle to write')
    .option('--json', 'print JSON')
    .action(async (opts: { dir?: string; round?: string; out?: string; json?: boolean }) => {
      const api = await loadFederation();
      const coordinator = new api.RoundCoordinator(
        api.readCoordinatorBundle(required('--dir', opts.dir)),
        {},
        { log },
      );
      try {
        const r = api.exportAggregate(
          coordinator,
          positiveInt('--round', opts.round),
          required('--out', opts.out),
        );
        if (opts.json) out(JSON.stringify(r));
        else
          out(
            `Aggregate written to ${opts.out} (${mb(r.bytes)}; contributors ${r.contributors.join(', ')}).`,
          );
      } finally {
        coordinator.close();
      }
    });

  fed
    .command('import-aggregate <invitation>')
    .description("air-gapped site: verify, decrypt and apply a round's aggregate")
    .option('--in <file>', 'the aggregate bundle')
    .option('--state <dir>', "this site's federation state folder")
    .option('--delta <δ>', 'δ for the reported ε', '1e-5')
    .option('--config <run.json>', 'the run configuration the site trains with (its adapter start)')
    .option('--store <dir>', 'with --config: the store folder')
    .option('--passphrase <text>', 'this site’s invitation secret (visible in ps: prefer --passphrase-fd)')
    .option('--passphrase-fd <n>', 'read this site’s invitation secret from file descriptor n')
    .option('--json', 'print JSON')
    .action(
      async (
        invitationFile: string,
        opts: {
          in?: string;
          state?: string;
          delta: string;
          config?: string;
          store?: string;
          passphrase?: string;
          passphraseFd?: string;
          json?: boolean;
        },
      ) => {
        const api = await loadFederation();
        const invitation = api.readInvitation(invitationFile, await passphrase(opts));
        const site = await api.FederationSite.open(invitation);
        const local = opts.config
          ? await siteTrainer(api, invitation.siteId, {
              ...opts,
              examples: '1',
              q: '1',
              sigma: '1',
              clip: '1',
              steps: '1',
            })
          : null;
        try {
          const r = api.importAggregate({
            site,
            initialAdapter: local?.initialAdapter ?? null,
            state: api.SiteState.open(required('--state', opts.state), site.federationId, site.siteId, {
              key: site.stateKey(),
            }),
            file: required('--in', opts.in),
            delta: numberIn('--delta', opts.delta, 0, 1),
          });
          const summary = {
            round: r.round,
            contributors: r.contributors,
            totalExamples: r.totalExamples,
            contributed: r.contributed,
            parameters: r.average.reduce((n, t) => n + t.length, 0),
            epsilon: r.privacy.epsilon,
            delta: r.privacy.delta,
          };
          if (opts.json) out(JSON.stringify(summary));
          else
            out(
              `Round ${r.round}'s aggregate of ${r.contributors.join(', ')} applied; ε so far = ${r.privacy.epsilon.toFixed(3)}`,
            );
        } finally {
          site.close();
        }
      },
    );
}

function registerStatus(fed: Command): void {
  fed
    .command('status')
    .description("the coordinator's rounds, updates received and rejections")
    .option('--dir <dir>', 'the coordinator folder')
    .option('--json', 'print JSON')
    .action(async (opts: { dir?: string; json?: boolean }) => {
      const api = await loadFederation();
      const coordinator = new api.RoundCoordinator(
        api.readCoordinatorBundle(required('--dir', opts.dir)),
        {},
        {},
      );
      try {
        const status = { ...coordinator.status(), rejections: coordinator.state.rejections() };
        if (opts.json) out(JSON.stringify(status));
        else {
          out(
            `Federation ${status.federationId}: round ${status.round} ${status.state}; updates from ${status.received.join(', ') || 'nobody yet'} (quorum ${status.quorum}).`,
          );
          for (const r of status.rejections)
            out(`rejected (${r.code}) round ${r.round ?? '?'} site ${r.siteId ?? '?'}: ${r.reason}`);
        }
      } finally {
        coordinator.close();
      }
    });
}

function registerSimulate(fed: Command): void {
  fed
    .command('simulate')
    .description(
      'run a coordinator and N sites on loopback (mutual TLS) and report accuracy, bytes, timings and ε per round',
    )
    .option('--sites <n>', 'number of sites', '3')
    .option('--rounds <n>', 'number of rounds', '2')
    .option('--work-dir <dir>', 'keep the federation files here (default: a temporary folder, removed)')
    .option(
      '--trainer <kind>',
      'dp (DP-SGD on the bundled model, per-site synthetic data) or synthetic (random deltas)',
      'dp',
    )
    .option('--json', 'print JSON')
    .action(
      async (opts: { sites: string; rounds: string; workDir?: string; trainer: string; json?: boolean }) => {
        if (opts.trainer !== 'dp' && opts.trainer !== 'synthetic') {
          throw new ConfidantError(
            'cli.invalid-flag',
            `--trainer must be dp or synthetic, got "${opts.trainer}"`,
            {
              where: { field: '--trainer' },
            },
          );
        }
        const api = await loadFederation();
        const sites = positiveInt('--sites', opts.sites);
        if (sites < 2 || sites > 26)
          throw new ConfidantError('cli.invalid-flag', `--sites must be 2–26, got ${sites}`, {
            where: { field: '--sites' },
          });
        const workDir = opts.workDir ?? mkdtempSync(join(tmpdir(), 'confidant-fed-sim-'));
        const { createSimulationSites } = await import('../../federation/simulationSites.js');
        const dpSites = opts.trainer === 'dp' ? await createSimulationSites(workDir, sites) : null;
        try {
          const result = await api.simulateFederation({
            sites,
            rounds: positiveInt('--rounds', opts.rounds),
            workDir,
            ...(dpSites ? { trainerFor: dpSites.trainerFor } : {}),
            ...(opts.json ? {} : { log }),
          });
          if (opts.json) out(JSON.stringify(result));
          else {
            out(
              `Federation ${result.federationId}: ${result.sites.join(', ')} (CKKS N=${result.ckks.polyModulusDegree}, ${result.ckks.coeffModulusBits.join('+')} bits, scale 2^${result.ckks.scaleBits}).`,
            );
            for (const r of result.rounds) {
              out(
                `round ${r.round}: ${r.parameters} parameters, max relative error vs plaintext FedAvg ${r.maxRelativeError.toExponential(2)}, ${mb(r.bytes.total)} on the wire, encrypt ${r.timingsMs.encrypt.toFixed(0)} ms, aggregate ${r.timingsMs.aggregate.toFixed(0)} ms, decrypt ${r.timingsMs.decrypt.toFixed(0)} ms; ε ${Object.entries(
                  r.epsilon,
                )
                  .map(([s, e]) => `${s} ${e.toFixed(3)}`)
                  .join(', ')}`,
              );
            }
            out(`Local training: ${result.rounds[0]?.trainer ?? 'n/a'}.`);
          }
        } finally {
          dpSites?.close();
          if (!opts.workDir) rmSync(workDir, { recursive: true, force: true });
        }
      },
    );
}

export function registerFed(program: Command): void {
  const fed = program
    .command('fed')
    .description('federated fine-tuning with CKKS-encrypted aggregation (online or air-gapped)');
  registerInit(fed);
  registerCoordinator(fed);
  registerJoin(fed);
  registerFileExchange(fed);
  registerStatus(fed);
  registerSimulate(fed);
}
