/**
 * `auditRun` on stored runs (issue: privacy audit): the audit design fixed before training
 * (canaries at 1, 2, 4, 8 repetitions, one-run auditing examples, the held-out non-members)
 * is read back and attacked. On a DP run at ε = 3 every membership attack is near chance, the
 * 8× canaries' exposure is low, and the one-run empirical lower bound (Steinke, Nasr,
 * Jagielski 2023) never exceeds the accountant's ε. Results are stored with the run and
 * logged. (Memorisation being caught is tested on a memorising adapter in auditSuite.test.ts
 * and end to end in the demo.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditRun, latestAudit } from '../../../src-main/audit/auditRun.js';
import { train } from '../../../src-main/train/trainer.js';
import { smallRunConfig, trainingFixture, type TrainingFixture } from '../../helpers/trainingFixture.js';

let fixture: TrainingFixture;
const design = {
  canaries: { format: 'mrn', repetitions: [1, 2, 4, 8], perRepetition: 2 },
  oneRunExamples: 40,
  maxSequenceLength: 48,
  auditHoldoutFraction: 0.3,
};

beforeAll(async () => {
  fixture = await trainingFixture(100, 31);
}, 120_000);
afterAll(() => fixture.remove());

describe('auditRun', () => {
  it('on a DP run at ε = 3: attacks near chance, low canary exposure, lower bound ≤ ε', async () => {
    const config = smallRunConfig({
      ...design,
      steps: 20,
      expectedBatchSize: 16,
      privacy: { mode: 'target-epsilon', epsilon: 3 },
      optimizer: { learningRate: 0.01, warmupSteps: 2, schedule: 'constant' },
    });
    const { runId, summary } = await train({ store: fixture.store, config, runName: 'dp' });
    expect(summary.privacy.epsilon!).toBeLessThanOrEqual(3);
    const result = await auditRun(fixture.store, runId, {
      maxRecords: 40,
      extractionRecords: 8,
      piiRecords: 8,
    });
    for (const attack of result.membership.attacks) expect(attack.auc).toBeLessThan(0.75); // 40 vs 40: chance ± noise
    const eight = result.canaries!.perRepetition.find((r) => r.repetitions === 8)!;
    expect(eight.meanExposure).toBeLessThan(result.canaries!.maxExposure / 2);
    const lb = result.epsilonLowerBound!;
    expect(lb.theoreticalEpsilon).toBeCloseTo(summary.privacy.epsilon!, 9);
    expect(lb.epsilonLowerBound).toBeLessThanOrEqual(lb.theoreticalEpsilon!);
    expect(lb.verdict).not.toBe('fail');
    expect(latestAudit(fixture.store, runId)?.overall).toBe(result.overall);
    expect(
      fixture.store.auditLog.list().some((e) => e.action === 'audit' && e.subject === `run:${runId}`),
    ).toBe(true);
  }, 600_000);
});
