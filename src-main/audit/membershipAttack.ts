/**
 * Membership inference on the trained model: every score of membershipScores.ts on the
 * training members and the held-out non-members, with ROC, AUC, best balanced accuracy and
 * TPR at 0.1%, 1%, 10% FPR (audit/metrics, scikit-learn's roc_curve with ties grouped).
 */
import type { MembershipAttack } from './auditResult.js';
import { membershipMetrics } from './metrics/index.js';
import {
  ATTACK_DESCRIPTIONS,
  ATTACK_NAMES,
  attackScores,
  type AttackName,
  type TextSignals,
} from './membershipSignals.js';
import { downsampleRoc } from './rocPoints.js';
import { membershipEvidence } from './membershipEvidence.js';
import { worstVerdict } from './verdicts.js';
import type { Verdict } from './auditResult.js';

export interface MembershipOutcome {
  readonly attacks: MembershipAttack[];
  readonly strongest: AttackName;
  readonly verdict: Verdict;
}

export function membershipAttacks(members: TextSignals, nonMembers: TextSignals): MembershipOutcome {
  const memberScores = attackScores(members, nonMembers);
  const nonMemberScores = attackScores(
    nonMembers,
    nonMembers,
    nonMembers.texts.map((_, i) => i),
  );
  const attacks = ATTACK_NAMES.map((name): MembershipAttack => {
    const m = membershipMetrics(memberScores[name], nonMemberScores[name]);
    const evidence = membershipEvidence({
      auc: m.auc,
      members: memberScores[name].length,
      nonMembers: nonMemberScores[name].length,
      tprAt1Percent: m.tprAtFpr['0.01'],
    });
    return {
      name,
      description: ATTACK_DESCRIPTIONS[name],
      auc: m.auc,
      balancedAccuracy: m.balancedAccuracy,
      tprAtFpr: { ...m.tprAtFpr },
      roc: downsampleRoc(m.roc),
      verdict: evidence.verdict,
      aucLower95: evidence.aucLower95,
      aucUpper95: evidence.aucUpper95,
      neededPerSide: evidence.neededPerSide,
    };
  });
  const strongest = attacks.reduce((best, a) => (a.auc > best.auc ? a : best), attacks[0]!).name;
  return { attacks, strongest, verdict: worstVerdict(attacks.map((a) => a.verdict)) };
}
