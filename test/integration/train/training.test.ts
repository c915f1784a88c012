/**
 * LoRA fine-tuning end to end on the bundled model and a small synthetic dataset: a
 * non-private run lowers the eval loss and is deterministic for its seed; a DP run at
 * target ε = 8 trains and reports ε ≤ 8 by max(RDP, PRV), with its ledger in the store and
 * the noise check passing; patient-level privacy samples patients; the dataset budget
 * refuses a run that does not fit and records the refusal and an explicit raise.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isConfidantError } from '../../../src-main/shared/confidantError.js';
import { train } from '../../../src-main/train/trainer.js';
import { smallRunConfig, trainingFixture, type TrainingFixture } from '../../helpers/trainingFixture.js';

let fixture: TrainingFixture;

beforeAll(async () => {
  fixture = await trainingFixture(80, 5);
});

afterAll(() => fixture.remove());

describe('training', () => {
  it('a non-private run lowers the eval loss, passes its sanity checks and is deterministic', async () => {
    const config = smallRunConfig({ steps: 8 });
    const first = await train({ store: fixture.store, config, runName: 'plain-a' });
    const s = first.summary;
    expect(s.status).toBe('completed');
    expect(s.finalEvalLoss).toBeLessThan(s.baseEvalLoss);
    expect(s.sanity.every((c) => c.passed)).toBe(true);
    expect(s.sanity.map((c) => c.name)).not.toContain('noise-applied');
    expect(s.privacy.epsilon).toBeNull();
    expect(s.curves.train).toHaveLength(8);
    expect(fixture.store.runs.get(first.runId)?.status).toBe('completed');
    expect(fixture.store.checkpoints.adapters(first.runId)).toHaveLength(1);
    const second = await train({ store: fixture.store, config, runName: 'plain-b' });
    expect(second.summary.adapter.sha256).toBe(s.adapter.sha256);
    expect(second.summary.finalEvalLoss).toBe(s.finalEvalLoss);
  });

  it('a DP run at target ε = 8 trains and reports ε ≤ 8 with its ledger stored', async () => {
    const config = smallRunConfig({ privacy: { mode: 'target-epsilon', epsilon: 8 }, steps: 6 });
    const { summary: s, runId } = await train({ store: fixture.store, config, runName: 'dp' });
    expect(s.privacy.epsilon).not.toBeNull();
    expect(s.privacy.epsilon!).toBeLessThanOrEqual(8);
    expect(s.privacy.epsilon!).toBeGreaterThan(7.5); // calibrated to the target, not far below
    expect(s.privacy.rdpEpsilon!).toBeLessThanOrEqual(8);
    expect(s.privacy.noiseMultiplier!).toBeGreaterThan(0);
    expect(s.sanity.find((c) => c.name === 'noise-applied')?.passed).toBe(true);
    expect(s.sanity.find((c) => c.name === 'adapter-changed')?.passed).toBe(true);
    expect(s.curves.train).toHaveLength(0); // the private batch loss is never released
    const ledger = fixture.store.privacy.ledger(runId);
    expect(ledger.reduce((n, r) => n + r.steps, 0)).toBe(6);
    expect(ledger[0]).toMatchObject({
      noiseMultiplier: s.privacy.noiseMultiplier,
      clipNorm: 1,
      privacyUnit: 'record',
    });
  });

  it('patient-level privacy samples patients: units are patients, not records', async () => {
    const config = smallRunConfig({
      privacy: { mode: 'noise-multiplier', noiseMultiplier: 1.0 },
      privacyUnit: 'patient',
      expectedBatchSize: 4,
      steps: 3,
    });
    const { summary: s } = await train({ store: fixture.store, config, runName: 'patients' });
    expect(s.privacy.privacyUnit).toBe('patient');
    expect(s.dataset.trainUnits).toBeLessThan(s.dataset.trainRecords);
    expect(s.privacy.samplingRate).toBeCloseTo(4 / s.dataset.trainUnits, 10);
    expect(s.sanity.find((c) => c.name === 'noise-applied')?.passed).toBe(true);
  });

  it('the dataset budget refuses a run that does not fit, and records the refusal and an explicit raise', async () => {
    const dataset = fixture.store.datasets.findComplete('notes')[0]!;
    // earlier DP runs on this dataset already spent ε ≈ 8 (and ≈ 3 for the patient run)
    fixture.store.privacy.setBudget(dataset.id, 9, 1e-3);
    const config = smallRunConfig({ privacy: { mode: 'target-epsilon', epsilon: 2 }, steps: 3 });
    let refused: unknown;
    try {
      await train({ store: fixture.store, config, runName: 'over-budget' });
    } catch (error) {
      refused = error;
    }
    // the non-private runs above already made this dataset's ε unbounded
    expect(isConfidantError(refused) && refused.code).toBe('privacy.budget-exceeded');
    expect((refused as Error).message).toMatch(/non-private run/);
    const log = fixture.store.auditLog.list();
    expect(log.some((e) => e.action === 'train' && e.details.refused === true)).toBe(true);
  });
});

describe('budget composition across runs', () => {
  let clean: TrainingFixture;
  beforeAll(async () => {
    clean = await trainingFixture(80, 9);
  });
  afterAll(() => clean.remove());

  it('composes runs, refuses the one that would exceed, and allows it after an explicit raise', async () => {
    const dataset = clean.store.datasets.findComplete('notes')[0]!;
    clean.store.privacy.setBudget(dataset.id, 3.5, 1e-3); // one run ≈ 3.0, two composed ≈ 3.7 (RDP)
    const config = smallRunConfig({ privacy: { mode: 'target-epsilon', epsilon: 3, delta: 1e-3 }, steps: 2 });
    const first = await train({ store: clean.store, config, runName: 'first' });
    expect(first.summary.privacy.budget?.spent).toBeLessThanOrEqual(3);
    await expect(train({ store: clean.store, config, runName: 'second' })).rejects.toMatchObject({
      code: 'privacy.budget-exceeded',
    });
    const refusedRun = clean.store.runs.list().at(-1)!;
    expect(refusedRun.status).toBe('cancelled');
    expect(clean.store.privacy.ledger(refusedRun.id)).toHaveLength(0); // nothing was charged
    const raised = await train({ store: clean.store, config, runName: 'second', raiseBudgetTo: 8 });
    const b = raised.summary.privacy.budget!;
    expect(b.epsilon).toBe(8);
    expect(b.spent).toBeGreaterThan(3); // both runs composed
    expect(b.spent).toBeLessThanOrEqual(6);
    const log = clean.store.auditLog.list();
    expect(log.some((e) => e.action === 'budget' && e.details.to === 8 && e.details.from === 3.5)).toBe(true);
    expect(clean.store.auditLog.verify().ok).toBe(true);
  });
});
