/**
 * Empirical ε lower bound from one training run (Steinke, Nasr, Jagielski 2023, "Privacy
 * Auditing with One (1) Training Run", NeurIPS): m auditing examples were each included with
 * probability ½; the auditor scores all of them, guesses "in" for the r/2 highest scores and
 * "out" for the r/2 lowest, abstains on the rest, and turns the number of correct guesses into
 * a lower bound on ε (audit/metrics oneRunEpsilonLowerBound). The paper reports the best
 * number of guesses; to keep the stated confidence over the grid of r we test every r at
 * level β/|grid| (Bonferroni), so the bound is valid as reported.
 */
import type { EpsilonLowerBoundResult } from './auditResult.js';
import { oneRunEpsilonLowerBound } from './metrics/index.js';
import { oneRunVerdict, THRESHOLDS } from './verdicts.js';

/** Fractions of m guessed on (half "in", half "out"). */
export const GUESS_FRACTIONS = [0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 1] as const;

export interface OneRunOptions {
  readonly delta: number;
  readonly theoreticalEpsilon: number | null;
  readonly confidence?: number;
  /** Name of the membership score used. */
  readonly score: string;
}

/** Candidate audit sizes for an audit-grade design (m ≥ 1,000, as the paper's experiments). */
const AUDIT_GRADE_SIZES = [1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000] as const;

/**
 * The largest bound an audit of m examples can ever report (issue 18): every guess correct,
 * over the same grid of guesses and Bonferroni level. When it is below the claimed ε, `lb ≤ ε`
 * cannot fail and the audit says nothing about the guarantee.
 */
export function oneRunCeiling(m: number, delta: number, confidence: number): number {
  const perTest = 1 - (1 - confidence) / GUESS_FRACTIONS.length;
  let ceiling = 0;
  const tried = new Set<number>();
  for (const f of GUESS_FRACTIONS) {
    const half = Math.max(1, Math.floor((f * m) / 2));
    if (2 * half > m || tried.has(half)) continue;
    tried.add(half);
    const r = 2 * half;
    ceiling = Math.max(ceiling, oneRunEpsilonLowerBound({ m, r, v: r }, { delta, confidence: perTest }));
  }
  return ceiling;
}

/** The smallest audit-grade m (≥ 1,000) whose ceiling exceeds ε; null when none up to 100,000 does. */
export function auditGradeSize(epsilon: number, delta: number, confidence: number): number | null {
  return AUDIT_GRADE_SIZES.find((m) => oneRunCeiling(m, delta, confidence) > epsilon) ?? null;
}

export function oneRunLowerBound(
  includedScores: readonly number[],
  excludedScores: readonly number[],
  options: OneRunOptions,
): EpsilonLowerBoundResult {
  const confidence = options.confidence ?? THRESHOLDS.oneRun.confidence;
  const ranked = [
    ...includedScores.map((s) => ({ s, member: true })),
    ...excludedScores.map((s) => ({ s, member: false })),
  ].sort((a, b) => b.s - a.s);
  const m = ranked.length;
  const perTest = 1 - (1 - confidence) / GUESS_FRACTIONS.length;
  let best = { r: 0, v: 0, bound: 0 };
  const tried = new Set<number>();
  for (const f of GUESS_FRACTIONS) {
    const half = Math.max(1, Math.floor((f * m) / 2));
    if (2 * half > m || tried.has(half)) continue;
    tried.add(half);
    let v = 0;
    for (let i = 0; i < half; i++) if (ranked[i]!.member) v++;
    for (let i = m - half; i < m; i++) if (!ranked[i]!.member) v++;
    const bound = oneRunEpsilonLowerBound(
      { m, r: 2 * half, v },
      { delta: options.delta, confidence: perTest },
    );
    if (bound > best.bound || best.r === 0) best = { r: 2 * half, v, bound };
  }
  const theoretical = options.theoreticalEpsilon;
  const ceiling = oneRunCeiling(m, options.delta, confidence);
  const informative = theoretical === null || ceiling > theoretical;
  const suggestedM =
    informative || theoretical === null ? null : auditGradeSize(theoretical, options.delta, confidence);
  const raw = oneRunVerdict(best.bound, theoretical);
  const verdict = raw === 'fail' || informative ? raw : 'inconclusive';
  const lb = best.bound.toFixed(2);
  const explanation =
    theoretical === null
      ? `No differential-privacy guarantee: with ${(confidence * 100).toFixed(0)}% confidence this run leaks at least as much as ε = ${lb} would allow (the most ${m} examples can show is ε = ${ceiling.toFixed(2)}).`
      : verdict === 'fail'
        ? `DP IMPLEMENTATION ERROR: the measured lower bound ε ≥ ${lb} EXCEEDS the guaranteed ε = ${theoretical.toFixed(2)}. The training did not provide the promised privacy; do not use this model and report this run.`
        : !informative
          ? `Not informative: with ${m} auditing examples the bound can never exceed ε = ${ceiling.toFixed(2)}, below the guaranteed ε = ${theoretical.toFixed(2)}, so it could not have caught a broken implementation (measured ε ≥ ${lb}). ` +
            (suggestedM !== null
              ? `An audit-grade design plants m = ${suggestedM.toLocaleString('en-US')} canaries (oneRunExamples), whose ceiling exceeds ε.`
              : 'No audit of up to 100,000 examples could reach this ε.')
          : `Consistent with the guarantee: measured ε ≥ ${lb} (${(confidence * 100).toFixed(0)}% confidence) is below the guaranteed ε = ${theoretical.toFixed(2)}; this audit could have shown up to ε = ${ceiling.toFixed(2)}. A lower bound cannot prove privacy; it can only catch a broken implementation.`;
  return {
    m,
    guesses: best.r,
    correct: best.v,
    confidence,
    delta: options.delta,
    epsilonLowerBound: best.bound,
    theoreticalEpsilon: options.theoreticalEpsilon,
    score: options.score,
    verdict,
    explanation,
    ceiling,
    informative,
    suggestedM,
  };
}
