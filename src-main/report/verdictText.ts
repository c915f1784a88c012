/**
 * The verdict in plain words, for the cover page: one headline per run that a clinician or
 * a data-protection officer can read without knowing what an AUC is, driven only by the
 * audit's verdicts and the run's privacy numbers.
 */
import type { Verdict } from '../audit/auditResult.js';
import { formatDelta, formatEpsilon, formatInteger, formatPercent } from './reportFormat.js';
import { isPrivateRun, type ReportRun } from './reportModel.js';

export type VerdictTone = Verdict | 'none';

export interface RunVerdict {
  tone: VerdictTone;
  headline: string;
  facts: string[];
  /** Set when the measured ε lower bound exceeds the theoretical ε: a bug, never acceptable. */
  boundViolation: string | null;
}

/** The measured lower bound and the guarantee when the first exceeds the second. */
export function epsilonBoundViolation(run: ReportRun): { measured: number; guaranteed: number } | null {
  const bound = run.audit?.epsilonLowerBound;
  const guaranteed = run.training.privacy.epsilon ?? bound?.theoreticalEpsilon ?? null;
  if (!bound || guaranteed === null) return null;
  return bound.epsilonLowerBound > guaranteed ? { measured: bound.epsilonLowerBound, guaranteed } : null;
}

function headline(run: ReportRun): { tone: VerdictTone; text: string } {
  const audit = run.audit;
  if (!audit) {
    return { tone: 'none', text: 'This model was not attacked, so this report cannot say whether it leaks.' };
  }
  const priv = isPrivateRun(run);
  switch (audit.overall) {
    case 'pass':
      return {
        tone: 'pass',
        text: priv
          ? 'The private model did not measurably leak its training data.'
          : 'The model did not measurably leak its training data in these tests, but it has no formal privacy guarantee.',
      };
    case 'warn':
      return {
        tone: 'warn',
        text: priv
          ? 'The private model showed weak signs of leakage: review the details before sharing it.'
          : 'The model shows signs of memorising its training data: review the details before sharing it.',
      };
    case 'fail':
      return {
        tone: 'fail',
        text: priv
          ? 'The model leaked training data despite its privacy setting. Do not share it.'
          : 'The model leaked its training data. Do not share it beyond the people allowed to see that data.',
      };
    case 'inconclusive':
      return {
        tone: 'inconclusive',
        text: priv
          ? 'The attacks had too few examples to tell whether the private model leaks: the guarantee above is what can be relied on; see the examples needed.'
          : 'The attacks had too few examples to tell whether the model leaks, and it has no formal privacy guarantee: treat it as if it may leak.',
      };
    default: {
      const never: never = audit.overall;
      throw new Error(`unknown verdict ${String(never)}`);
    }
  }
}

function facts(run: ReportRun): string[] {
  const out: string[] = [];
  const p = run.training.privacy;
  const unit = p.privacyUnit === 'patient' ? 'per patient' : 'per record';
  out.push(
    isPrivateRun(run)
      ? `Trained with differential privacy: ε = ${formatEpsilon(p.epsilon)}, δ = ${formatDelta(p.delta)}, ${unit}.`
      : 'Trained without differential privacy: nothing limits mathematically what it can reveal.',
  );
  const audit = run.audit;
  if (!audit) return out;
  const strongest =
    audit.membership.attacks.find((a) => a.name === audit.membership.strongest) ??
    audit.membership.attacks.reduce<(typeof audit.membership.attacks)[number] | undefined>(
      (best, a) => (best === undefined || a.auc > best.auc ? a : best),
      undefined,
    );
  if (strongest) {
    out.push(
      `Strongest membership attack (${strongest.name}): AUC ${strongest.auc.toFixed(2)}` +
        (strongest.aucLower95 !== undefined && strongest.aucUpper95 !== undefined
          ? ` (95% interval ${strongest.aucLower95.toFixed(2)}–${strongest.aucUpper95.toFixed(2)}, `
          : ' (') +
        `${formatInteger(audit.membership.members)} members + ${formatInteger(audit.membership.nonMembers)} non-members; 0.50 = guessing); ` +
        `it finds ${formatPercent(strongest.tprAtFpr['0.01'])} of training records at a 1% false-alarm rate.`,
    );
  }
  const canaries = audit.canaries;
  const top = canaries?.perRepetition.reduce<(typeof canaries.perRepetition)[number] | undefined>(
    (best, row) => (best === undefined || row.repetitions > best.repetitions ? row : best),
    undefined,
  );
  if (canaries && top) {
    out.push(
      `Planted secrets repeated ${top.repetitions}×: mean exposure ${top.meanExposure.toFixed(1)} of ` +
        `${canaries.maxExposure.toFixed(1)} bits possible (near 0 = not memorised).`,
    );
  }
  out.push(
    `Verbatim copies of training text: ${formatPercent(audit.extraction.exactMatchRate)} of ` +
      `${formatInteger(audit.extraction.records)} prompts; personal details regenerated: ` +
      `${formatInteger(audit.piiLeakage.leaked)} of ${formatInteger(audit.piiLeakage.entities)}.`,
  );
  return out;
}

export function runVerdict(run: ReportRun): RunVerdict {
  const { tone, text } = headline(run);
  const violation = epsilonBoundViolation(run);
  return {
    tone: violation ? 'fail' : tone,
    headline: text,
    facts: facts(run),
    boundViolation: violation
      ? `The attack measured more privacy loss (ε ≥ ${violation.measured.toFixed(2)}) than the guarantee allows ` +
        `(ε = ${violation.guaranteed.toFixed(2)}). This is a defect in the training or the accounting: ` +
        'do not rely on this model’s privacy guarantee, and report it.'
      : null,
  };
}
