/**
 * ε spent by a privacy ledger, by both accountants (RDP and PRV, DESIGN.md: "Both
 * reported; ε is never under-counted"). The number Confidant prints and enforces budgets
 * with is the larger of the two. PRV may refuse extreme settings (a δ below double
 * precision, or a grid too large); then RDP alone is reported, with the reason.
 */
import { createAccountant, type Segment } from '../accountants/index.js';
import { isConfidantError } from '../shared/confidantError.js';
import type { LedgerSegment } from './privacyLedger.js';

export interface PrivacySpent {
  delta: number;
  steps: number;
  rdpEpsilon: number;
  prvEpsilon: number | null;
  /** Why PRV gave no value, when it did not. */
  prvUnavailable?: string;
  /** max(RDP, PRV): the ε that is printed and charged to budgets. */
  epsilon: number;
}

export function toAccountantHistory(segments: readonly LedgerSegment[]): Segment[] {
  return segments.map((s) => ({ q: s.samplingRate, sigma: s.noiseMultiplier, steps: s.steps }));
}

export function privacySpent(segments: readonly LedgerSegment[], delta: number): PrivacySpent {
  const history = toAccountantHistory(segments);
  const steps = history.reduce((n, s) => n + s.steps, 0);
  if (steps === 0) return { delta, steps, rdpEpsilon: 0, prvEpsilon: 0, epsilon: 0 };
  const rdpEpsilon = createAccountant('rdp').epsilonOfHistory(history, delta);
  try {
    const prvEpsilon = createAccountant('prv').epsilonOfHistory(history, delta);
    return { delta, steps, rdpEpsilon, prvEpsilon, epsilon: Math.max(rdpEpsilon, prvEpsilon) };
  } catch (error) {
    if (!isConfidantError(error)) throw error;
    return { delta, steps, rdpEpsilon, prvEpsilon: null, prvUnavailable: error.message, epsilon: rdpEpsilon };
  }
}
