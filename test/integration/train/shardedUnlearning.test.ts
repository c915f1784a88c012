/**
 * SISA (Bourtoule et al. 2021, "Machine Unlearning"): a run trained as 2 disjoint shards, and
 * shard unlearning. The shards' training manifests are disjoint and together make the run's;
 * a memorised patient lives in exactly one shard; `unlearn --method shard` retrains only that
 * shard, reuses the other run as is, and the new adapter never saw the patient, checked by
 * construction and by every contributing run's stored manifest (the ledger). With DP, the
 * dataset spends the worst shard's ε, not the sum (parallel composition).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditRun } from '../../../src-main/audit/auditRun.js';
import { reportModelFromStore } from '../../../src-main/report/reportFromStore.js';
import { join } from 'node:path';
import { generateSyntheticDataset, importDataset } from '../../../src-main/data/index.js';
import { datasetBudgetStatus } from '../../../src-main/train/datasetPrivacy.js';
import { train } from '../../../src-main/train/trainer.js';
import { storedTrainingManifest } from '../../../src-main/train/trainingManifest.js';
import { TrainingSummarySchema } from '../../../src-main/train/trainingSummary.js';
import { unlearn, UTILITY_TOLERANCE } from '../../../src-main/train/unlearning/unlearn.js';
import { smallRunConfig, trainingFixture, type TrainingFixture } from '../../helpers/trainingFixture.js';

let fixture: TrainingFixture;

const note = generateSyntheticDataset({ records: 1, seed: 99 })[0]!.text!;
const MEMORISED = Array.from({ length: 8 }, (_, i) => ({
  id: `PX-${i}`,
  subject: 'PX',
  split: 'train' as const,
  text: note,
}));

beforeAll(async () => {
  fixture = await trainingFixture(100, 13, MEMORISED);
  // a second copy of the notes, with a privacy budget, for the DP run
  await importDataset(fixture.store, join(fixture.directory, 'notes.jsonl'), {
    project: 'tests',
    name: 'dp-notes',
  });
}, 120_000);

afterAll(() => fixture.remove());

const manifest = (runId: number) => storedTrainingManifest(fixture.store, runId)!;
const summaryOf = (runId: number) =>
  TrainingSummarySchema.parse(JSON.parse(fixture.store.runs.get(runId)!.summaryJson!));

describe('sharded training and shard unlearning', () => {
  it('trains disjoint shards, averages them, and forgets a patient by retraining one shard', async () => {
    const config = smallRunConfig({
      shards: 2,
      steps: 12,
      expectedBatchSize: 4,
      auditHoldoutFraction: 0.25,
      privacyUnit: 'patient',
      optimizer: { learningRate: 0.003, warmupSteps: 2, schedule: 'constant' },
    });
    const result = await train({ store: fixture.store, config, runName: 'sharded' });
    const shards = result.summary.shards!;
    expect(shards).toHaveLength(2);
    expect(result.summary.adapter.rank).toBe(16); // 2 shards × r = 8
    expect(result.adapter.options.r).toBe(16);
    expect(result.summary.sanity.every((c) => c.passed)).toBe(true);

    // disjoint shards whose union is the run's training set
    const [m0, m1] = shards.map((s) => manifest(s.runId).recordIds);
    expect(m0!.filter((id) => m1!.includes(id))).toEqual([]);
    expect([...m0!, ...m1!].sort((a, b) => a - b)).toEqual(manifest(result.runId).recordIds);
    const px = new Set(result.data.train.filter((e) => e.recordId > 100).map((e) => e.recordId));
    expect(px.size).toBe(8);
    const holder = shards.findIndex((s) => manifest(s.runId).recordIds.some((id) => px.has(id)));
    const other = 1 - holder;
    expect(manifest(shards[other]!.runId).recordIds.some((id) => px.has(id))).toBe(false);
    result.adapter.dispose();
    result.model.dispose();

    const c = await unlearn({ store: fixture.store, runId: result.runId, subjects: ['PX'], method: 'shard' });
    expect(c.method).toBe('shard');
    expect(c.shards!.retrained.map((r) => r.index)).toEqual([holder]);
    expect(c.neverSawForgetRecords).toBe(true);
    const after = summaryOf(c.newRunId!);
    // the other shard's run is reused as is; the retrained one is new and excludes the patient
    expect(after.shards!.find((s) => s.index === other)!.runId).toBe(shards[other]!.runId);
    const retrained = after.shards!.find((s) => s.index === holder)!.runId;
    expect(retrained).not.toBe(shards[holder]!.runId);
    for (const s of after.shards!) expect(manifest(s.runId).recordIds.some((id) => px.has(id))).toBe(false);
    const excluded = (
      JSON.parse(fixture.store.runs.get(retrained)!.configJson) as { excludeRecordIds: number[] }
    ).excludeRecordIds;
    expect(new Set(excluded)).toEqual(px);
    expect(c.after.forgetLoss).toBeGreaterThan(c.before.forgetLoss);
    expect(c.after.evalPerplexity).toBeLessThanOrEqual(c.before.evalPerplexity * (1 + UTILITY_TOLERANCE));
    expect(fixture.store.audits.list(c.newRunId!).some((a) => a.kind === 'unlearning')).toBe(true);

    // the averaged run is audited like any other, and its report carries the certificate
    const audit = await auditRun(fixture.store, c.newRunId!, {
      maxRecords: 16,
      extractionRecords: 2,
      piiRecords: 2,
    });
    expect(audit.membership.attacks.length).toBeGreaterThan(0);
    const report = reportModelFromStore(fixture.store, [c.newRunId!]);
    expect(report.runs[0]!.unlearning?.method).toBe('shard');
    expect(report.runs[0]!.training.shards).toHaveLength(2);
  }, 600_000);

  it('with DP, the dataset spends the worst shard’s ε, not the sum', async () => {
    const dataset = fixture.store.datasets.findComplete('dp-notes').at(-1)!;
    fixture.store.privacy.setBudget(dataset.id, 100, 1e-4);
    const config = smallRunConfig({
      dataset: { id: 'dp-notes' },
      shards: 2,
      steps: 3,
      expectedBatchSize: 4,
      privacy: { mode: 'noise-multiplier', noiseMultiplier: 1, delta: 1e-4 },
    });
    const result = await train({ store: fixture.store, config, runName: 'sharded-dp' });
    const epsilons = result.summary.shards!.map((s) => s.epsilon!);
    expect(result.summary.privacy.epsilon).toBeCloseTo(Math.max(...epsilons), 9);
    const status = datasetBudgetStatus(fixture.store, dataset.id);
    expect(status.spentEpsilon).toBeCloseTo(Math.max(...epsilons), 6);
    expect(status.spentEpsilon!).toBeLessThan(epsilons[0]! + epsilons[1]!);
    result.adapter.dispose();
    result.model.dispose();
  }, 300_000);
});
