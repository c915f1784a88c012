/**
 * Unlearning (issue: unlearning) on a non-private run that memorised its training data: a
 * patient's records are forgotten by exact retraining and by gradient ascent (Jang et al.
 * 2022). Retraining gives an adapter whose training data and configuration exclude the
 * records (by construction); gradient ascent brings the forgotten records' loss to the
 * non-member level, so the loss-based membership AUC falls to ≤ 0.55; eval perplexity
 * stays within the stated tolerance (+10%); the certificate is stored and logged. Gradient
 * ascent writes a new run that names its parent and leaves the parent's adapter unchanged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSyntheticDataset } from '../../../src-main/data/index.js';
import { train } from '../../../src-main/train/trainer.js';
import { unlearn, UTILITY_TOLERANCE } from '../../../src-main/train/unlearning/unlearn.js';
import { smallRunConfig, trainingFixture, type TrainingFixture } from '../../helpers/trainingFixture.js';

let fixture: TrainingFixture;
let runId: number;
let subject: string;

/** A patient whose (realistic) note is in the data 8 times: the adapter memorises it. */
const note = generateSyntheticDataset({ records: 1, seed: 99 })[0]!.text!;
const CANARY_PATIENT = Array.from({ length: 8 }, (_, i) => ({
  id: `PX-${i}`,
  subject: 'PX',
  split: 'train' as const,
  text: note,
}));

beforeAll(async () => {
  fixture = await trainingFixture(100, 13, CANARY_PATIENT);
  subject = 'PX';
  const config = smallRunConfig({
    steps: 24,
    expectedBatchSize: 4,
    auditHoldoutFraction: 0.25,
    privacyUnit: 'patient', // the audit holdout takes whole patients
    optimizer: { learningRate: 0.003, warmupSteps: 2, schedule: 'constant' },
  });
  const result = await train({ store: fixture.store, config, runName: 'memorised' });
  runId = result.runId;
  expect(result.data.train.filter((e) => e.recordId > 100)).toHaveLength(8);
}, 300_000);

afterAll(() => fixture.remove());

describe('unlearning', () => {
  it('gradient ascent brings the forgotten patient to the non-member level and keeps utility', async () => {
    const parentAdapters = fixture.store.checkpoints.adapters(runId);
    const c = await unlearn({ store: fixture.store, runId, subjects: [subject], method: 'gradient-ascent' });
    // memorised: the reference-calibrated attack (gain over the base model) singles it out
    expect(c.before.membershipAucReference).toBeGreaterThan(0.9);
    expect(c.after.membershipAucReference).toBeLessThanOrEqual(0.55);
    expect(c.after.forgetLoss).toBeGreaterThan(c.before.forgetLoss);
    expect(c.after.evalPerplexity).toBeLessThanOrEqual(c.before.evalPerplexity * (1 + UTILITY_TOLERANCE));
    expect(c.gradientAscent?.stoppedBecause).toBe('reached-non-member-level');
    expect(c.neverSawForgetRecords).toBe(false);
    // issue 18: the result is a NEW run naming its parent; the parent's adapter is unchanged
    expect(c.newRunId).not.toBeNull();
    expect(c.newRunId).not.toBe(runId);
    expect(fixture.store.checkpoints.adapters(runId)).toEqual(parentAdapters);
    expect(fixture.store.checkpoints.adapters(c.newRunId!)).toHaveLength(1);
    const derived = fixture.store.runs.get(c.newRunId!)!;
    expect(derived.status).toBe('completed');
    // it read the records without noise: recorded as a non-private use of the dataset
    expect((JSON.parse(derived.configJson) as { privacy: { mode: string } }).privacy.mode).toBe('none');
    const summary = JSON.parse(derived.summaryJson!) as {
      privacy: { epsilon: number | null };
      derivedFrom: { runId: number; method: string; guarantee: string };
    };
    expect(summary.privacy.epsilon).toBeNull();
    expect(summary.derivedFrom).toMatchObject({ runId, method: 'gradient-ascent' });
    expect(summary.derivedFrom.guarantee).toMatch(/approximate unlearning/i);
    expect(summary.derivedFrom.guarantee).toMatch(/no differential-privacy guarantee/);
    expect(fixture.store.audits.list(c.newRunId!).some((a) => a.kind === 'unlearning')).toBe(true);
    expect(fixture.store.auditLog.list().some((e) => e.action === 'unlearn')).toBe(true);
  }, 300_000);

  it('retraining gives an adapter that never saw the records, by construction and by its configuration', async () => {
    const c = await unlearn({ store: fixture.store, runId, subjects: [subject], method: 'retrain' });
    expect(c.newRunId).not.toBeNull();
    expect(c.neverSawForgetRecords).toBe(true);
    const newRun = fixture.store.runs.get(c.newRunId!)!;
    const excluded = (JSON.parse(newRun.configJson) as { excludeRecordIds: number[] }).excludeRecordIds;
    expect(excluded).toHaveLength(c.forgottenRecords);
    expect(c.after.forgetLoss).toBeGreaterThan(c.before.forgetLoss);
    expect(c.after.evalPerplexity).toBeLessThanOrEqual(c.before.evalPerplexity * (1 + UTILITY_TOLERANCE));
  }, 300_000);

  it('refuses unknown patients, runs without an adapter, and the shard method on an unsharded run', async () => {
    await expect(
      unlearn({ store: fixture.store, runId, subjects: ['NOPE'], method: 'retrain' }),
    ).rejects.toMatchObject({
      code: 'unlearn.unknown-subject',
    });
    await expect(
      unlearn({ store: fixture.store, runId, subjects: [subject], method: 'shard' }),
    ).rejects.toMatchObject({
      code: 'unlearn.shard-unavailable',
    });
    await expect(
      unlearn({ store: fixture.store, runId: 999, subjects: [subject], method: 'retrain' }),
    ).rejects.toMatchObject({
      code: 'unlearn.run-not-found',
    });
  });
});
