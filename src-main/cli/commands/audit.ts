/**
 * `confidant audit ...`: the privacy-audit command group. Subcommands compute the audit
 * metrics from numbers a user already has:
 *   audit roc --members m.json --nonmembers n.json       ROC AUC, balanced accuracy, TPR at low FPR
 *   audit epsilon-lb --m M --r R --v V --delta D         one-run empirical ε lower bound
 *   audit exposure --canary X --references refs.json     canary exposure (exact and estimated)
 *   audit verdict --auc A --members M --nonmembers N     membership verdict with its 95% interval
 * Each takes --json for machine-readable output. The group itself is returned so the whole
 * suite (`audit --run <run>`) can be attached to it later.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { z } from 'zod';
import {
  estimatedExposure,
  exactExposure,
  membershipMetrics,
  oneRunEpsilonLowerBound,
} from '../../audit/metrics/index.js';
import { membershipEvidence } from '../../audit/membershipEvidence.js';
import { ConfidantError } from '../../shared/confidantError.js';

const ScoreArray = z.array(z.number()).min(1, 'the array is empty');

/** A JSON file holding a non-empty array of finite numbers; errors name the file and flag. */
function readNumberArray(path: string | undefined, flag: string): number[] {
  if (path === undefined) {
    throw new ConfidantError('audit.missing-flag', `${flag} <file.json> is required`, {
      where: { field: flag },
      hint: `pass ${flag} with a JSON file holding an array of numbers`,
    });
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new ConfidantError('audit.file-unreadable', `cannot read the ${flag} file`, {
      where: { file: path, field: flag },
      hint: 'check the path and that the file exists and is readable',
      cause,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new ConfidantError('audit.file-not-json', `the ${flag} file is not valid JSON`, {
      where: { file: path, field: flag },
      hint: 'the file must hold a JSON array of numbers, e.g. [0.12, 3.4, 1e-3]',
      cause,
    });
  }
  const parsed = ScoreArray.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const at = issue && issue.path.length > 0 ? ` (element ${issue.path.join('.')})` : '';
    throw new ConfidantError(
      'audit.file-invalid',
      `the ${flag} file must hold a non-empty JSON array of finite numbers${at}: ${issue?.message ?? 'invalid'}`,
      { where: { file: path, field: flag }, hint: 'e.g. [0.12, 3.4, 1e-3]' },
    );
  }
  return parsed.data;
}

function flagError(flag: string, message: string, hint: string): ConfidantError {
  return new ConfidantError('audit.invalid-flag', message, { where: { field: flag }, hint });
}

function parseNumberFlag(raw: string | undefined, flag: string): number {
  if (raw === undefined) throw flagError(flag, `${flag} is required`, `pass ${flag} <number>`);
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value)) {
    throw flagError(flag, `${flag} must be a finite number, got "${raw}"`, `pass ${flag} <number>`);
  }
  return value;
}

function parseCountFlag(raw: string | undefined, flag: string): number {
  const value = parseNumberFlag(raw, flag);
  if (!Number.isSafeInteger(value) || value < 0) {
    throw flagError(flag, `${flag} must be a whole number ≥ 0, got "${raw}"`, `pass ${flag} <count>`);
  }
  return value;
}

function print(json: boolean, value: object, text: string): void {
  process.stdout.write(json ? `${JSON.stringify(value)}\n` : `${text}\n`);
}

export interface RocSummary {
  auc: number;
  balancedAccuracy: number;
  tprAtFpr: { '0.001': number; '0.01': number; '0.1': number };
}

function registerRoc(audit: Command): void {
  audit
    .command('roc')
    .description('membership-inference ROC metrics from member and non-member scores (higher = member)')
    .option('--members <file>', 'JSON array of the members’ scores')
    .option('--nonmembers <file>', 'JSON array of the non-members’ scores')
    .option('--json', 'print JSON')
    .action((opts: { members?: string; nonmembers?: string; json?: boolean }) => {
      const members = readNumberArray(opts.members, '--members');
      const nonmembers = readNumberArray(opts.nonmembers, '--nonmembers');
      const metrics = membershipMetrics(members, nonmembers);
      const summary: RocSummary = {
        auc: metrics.auc,
        balancedAccuracy: metrics.balancedAccuracy,
        tprAtFpr: { ...metrics.tprAtFpr },
      };
      const t = summary.tprAtFpr;
      print(
        opts.json === true,
        summary,
        [
          `AUC                      ${summary.auc.toFixed(4)}`,
          `best balanced accuracy   ${summary.balancedAccuracy.toFixed(4)}`,
          `TPR at FPR 0.1% / 1% / 10%   ${t['0.001'].toFixed(4)} / ${t['0.01'].toFixed(4)} / ${t['0.1'].toFixed(4)}`,
        ].join('\n'),
      );
    });
}

function registerEpsilonLowerBound(audit: Command): void {
  audit
    .command('epsilon-lb')
    .description('empirical ε lower bound from one training run (Steinke, Nasr & Jagielski 2023)')
    .option('--m <count>', 'auditing examples, each included with probability 1/2')
    .option('--r <count>', 'guesses made (examples not abstained on)')
    .option('--v <count>', 'correct guesses')
    .option('--delta <delta>', 'δ of the DP guarantee being tested')
    .option('--confidence <level>', 'confidence of the bound, in (0, 1)', '0.95')
    .option('--json', 'print JSON')
    .action(
      (opts: { m?: string; r?: string; v?: string; delta?: string; confidence: string; json?: boolean }) => {
        const m = parseCountFlag(opts.m, '--m');
        const r = parseCountFlag(opts.r, '--r');
        const v = parseCountFlag(opts.v, '--v');
        const delta = parseNumberFlag(opts.delta, '--delta');
        const confidence = parseNumberFlag(opts.confidence, '--confidence');
        if (v > r) throw flagError('--v', `--v (${v} correct) exceeds --r (${r} guesses)`, 'v ≤ r ≤ m');
        if (r > m) throw flagError('--r', `--r (${r} guesses) exceeds --m (${m} examples)`, 'v ≤ r ≤ m');
        if (!(delta >= 0 && delta <= 1))
          throw flagError('--delta', `--delta must be in [0, 1], got ${delta}`, 'e.g. 1e-5');
        if (!(confidence > 0 && confidence < 1)) {
          throw flagError('--confidence', `--confidence must be in (0, 1), got ${confidence}`, 'e.g. 0.95');
        }
        const epsilonLowerBound = oneRunEpsilonLowerBound({ m, r, v }, { delta, confidence });
        print(
          opts.json === true,
          { epsilonLowerBound },
          `ε lower bound: ${epsilonLowerBound.toFixed(4)} at ${(confidence * 100).toFixed(1)}% confidence ` +
            `(m=${m}, r=${r}, v=${v}, δ=${delta})`,
        );
      },
    );
}

function registerExposure(audit: Command): void {
  audit
    .command('exposure')
    .description('canary exposure (Carlini et al. 2019) from log-perplexities')
    .option('--canary <logppl>', 'the canary’s log-perplexity')
    .option('--references <file>', 'JSON array of the other candidates’ log-perplexities')
    .option('--space-size <count>', 'size of the whole candidate space, canary included')
    .option('--json', 'print JSON')
    .action((opts: { canary?: string; references?: string; spaceSize?: string; json?: boolean }) => {
      const canary = parseNumberFlag(opts.canary, '--canary');
      const references = readNumberArray(opts.references, '--references');
      let spaceSize: number | undefined;
      if (opts.spaceSize !== undefined) {
        spaceSize = parseNumberFlag(opts.spaceSize, '--space-size');
        if (!Number.isInteger(spaceSize) || spaceSize < references.length + 1) {
          throw flagError(
            '--space-size',
            `--space-size must be a whole number ≥ ${references.length + 1} (the references plus the canary), got ${opts.spaceSize}`,
            'pass the number of candidate secrets, the canary included',
          );
        }
      }
      if (references.length < 3 || references.every((x) => x === references[0])) {
        throw new ConfidantError(
          'audit.file-invalid',
          'the --references file needs at least 3 log-perplexities that are not all equal',
          {
            where: { file: opts.references, field: '--references' },
            hint: 'score more candidates',
          },
        );
      }
      const exposureExact = spaceSize === references.length + 1 ? exactExposure(canary, references) : null;
      const exposureEstimated = estimatedExposure(canary, references, spaceSize).exposure;
      print(
        opts.json === true,
        { exposureExact, exposureEstimated },
        [
          `exposure (exact rank)      ${exposureExact === null ? 'n/a (candidate space not enumerated)' : `${exposureExact.toFixed(3)} bits`}`,
          `exposure (skew-normal fit) ${exposureEstimated.toFixed(3)} bits`,
        ].join('\n'),
      );
    });
}

/**
 * `confidant audit verdict --auc A --members M --nonmembers N [--tpr-at-1pct X] --json`
 * → {verdict: "pass"|"warn"|"fail"|"inconclusive", aucLower95, aucUpper95, neededPerSide}
 * (issue 18): pass only when the 95% upper bound is below the threshold.
 */
function registerVerdict(audit: Command): void {
  audit
    .command('verdict')
    .description(
      'membership verdict from an AUC and the sample sizes: pass only when the upper 95% bound is below the threshold',
    )
    .option('--auc <auc>', 'the attack’s ROC AUC, in [0, 1]')
    .option('--members <count>', 'members the AUC was measured on')
    .option('--nonmembers <count>', 'non-members the AUC was measured on')
    .option('--tpr-at-1pct <tpr>', 'the attack’s TPR at 1% FPR, in [0, 1] (optional)')
    .option('--json', 'print JSON')
    .action(
      (opts: { auc?: string; members?: string; nonmembers?: string; tprAt1pct?: string; json?: boolean }) => {
        const auc = parseNumberFlag(opts.auc, '--auc');
        if (!(auc >= 0 && auc <= 1))
          throw flagError('--auc', `--auc must be in [0, 1], got ${auc}`, 'e.g. 0.6');
        const members = parseCountFlag(opts.members, '--members');
        const nonMembers = parseCountFlag(opts.nonmembers, '--nonmembers');
        if (members < 1) throw flagError('--members', '--members must be at least 1', 'e.g. --members 43');
        if (nonMembers < 1)
          throw flagError('--nonmembers', '--nonmembers must be at least 1', 'e.g. --nonmembers 43');
        let tprAt1Percent: number | undefined;
        if (opts.tprAt1pct !== undefined) {
          tprAt1Percent = parseNumberFlag(opts.tprAt1pct, '--tpr-at-1pct');
          if (!(tprAt1Percent >= 0 && tprAt1Percent <= 1)) {
            throw flagError(
              '--tpr-at-1pct',
              `--tpr-at-1pct must be in [0, 1], got ${tprAt1Percent}`,
              'e.g. 0.02',
            );
          }
        }
        const e = membershipEvidence({
          auc,
          members,
          nonMembers,
          ...(tprAt1Percent !== undefined ? { tprAt1Percent } : {}),
        });
        const json = {
          verdict: e.verdict,
          aucLower95: e.aucLower95,
          aucUpper95: e.aucUpper95,
          neededPerSide: e.neededPerSide,
        };
        print(
          opts.json === true,
          json,
          `${e.verdict.toUpperCase()}: AUC ${auc.toFixed(3)}, 95% interval [${e.aucLower95.toFixed(3)}, ${e.aucUpper95.toFixed(3)}] ` +
            `on ${members} members + ${nonMembers} non-members` +
            (e.verdict === 'inconclusive'
              ? e.neededPerSide === null
                ? '; no sample size settles it at this AUC.'
                : `; about ${e.neededPerSide} per side would settle it.`
              : '.'),
        );
      },
    );
}

/** Registers the `audit` group and its subcommands; returns the group. */
export function registerAudit(program: Command): Command {
  const audit = program
    .command('audit')
    .description('privacy audits: membership-inference ROC, canary exposure, empirical ε lower bound');
  registerRoc(audit);
  registerEpsilonLowerBound(audit);
  registerExposure(audit);
  registerVerdict(audit);
  registerRunAudit(audit);
  return audit;
}

/** `confidant audit --run <run> [--json]`: the whole suite on a finished run, with a progress bar. */
function registerRunAudit(audit: Command): void {
  audit
    .option('--run <run>', 'run the whole audit suite on a finished training run')
    .option('--store <dir>', 'store folder (default: CONFIDANT_HOME or the platform folder)')
    .option('--json', 'print the audit result as JSON')
    .action(async (flags: { run?: string; store?: string; json?: boolean }) => {
      if (flags.run === undefined) {
        audit.help({ error: true });
        return;
      }
      if (!/^\d+$/.test(flags.run)) {
        throw new ConfidantError('audit.bad-run', `--run takes a run number, not "${flags.run}".`, {
          where: { field: '--run' },
        });
      }
      const { withStore } = await import('./store.js');
      const { auditRun } = await import('../../audit/auditRun.js');
      const { ProgressBar } = await import('../progressBar.js');
      await withStore(flags, async (store) => {
        const bars = new Map<string, InstanceType<typeof ProgressBar>>();
        const result = await auditRun(store, Number(flags.run), {
          onProgress: (e) => {
            let bar = bars.get(e.stage);
            if (!bar) {
              for (const b of bars.values()) b.done();
              bar = new ProgressBar(`audit: ${e.stage}`);
              bars.set(e.stage, bar);
            }
            bar.update(e.done, e.total);
          },
        });
        for (const b of bars.values()) b.done();
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(result)}\n`);
          return;
        }
        const strongest = result.membership.attacks.find((a) => a.name === result.membership.strongest);
        const lines = [
          `Audit of run ${flags.run}: ${result.overall.toUpperCase()} (in ${result.seconds.toFixed(1)} s)`,
          `  membership inference: ${result.membership.verdict} — strongest ${result.membership.strongest}, AUC ${strongest?.auc.toFixed(3)}, TPR at 1% FPR ${strongest?.tprAtFpr['0.01'].toFixed(3)} (${result.membership.members} members vs ${result.membership.nonMembers} non-members)`,
          ...(result.canaries
            ? [
                `  canaries (${result.canaries.format}, max exposure ${result.canaries.maxExposure.toFixed(1)} bits): ${result.canaries.verdict} — ` +
                  result.canaries.perRepetition
                    .map((r) => `${r.repetitions}×: ${r.meanExposure.toFixed(1)}`)
                    .join(', '),
              ]
            : []),
          `  extraction: ${result.extraction.verdict} — exact ${(result.extraction.exactMatchRate * 100).toFixed(1)}%, near ${(result.extraction.nearMatchRate * 100).toFixed(1)}%`,
          `  PII leakage: ${result.piiLeakage.verdict} — ${result.piiLeakage.leaked} of ${result.piiLeakage.entities} entities reproduced`,
          ...(result.epsilonLowerBound
            ? [
                `  empirical ε lower bound: ${result.epsilonLowerBound.verdict} — ${result.epsilonLowerBound.epsilonLowerBound.toFixed(3)} (theoretical ${result.epsilonLowerBound.theoreticalEpsilon?.toFixed(3) ?? 'none'})`,
              ]
            : []),
          `  backdoor scan: ${result.backdoor.verdict} — ${result.backdoor.dataFindings.length + result.backdoor.modelFindings.length} finding(s), ${result.backdoor.triggersTested} trigger(s) tested`,
        ];
        process.stdout.write(`${lines.join('\n')}\n`);
        if (result.overall === 'fail') process.exitCode = 3;
      });
    });
}
