/**
 * Patient-level DP-SGD through `train()` (issue 18): a patient is ONE privacy unit, so the
 * trainer sums the gradients of all their records and clips the sum once (DESIGN.md; the
 * per-user clipping of McMahan et al. 2018, "Learning Differentially Private Recurrent
 * Language Models"). The test makes that observable:
 *   - dataset A: each training patient has 3 identical notes; dataset B: the same patients
 *     with one copy each. With every gradient clipped (C tiny), a patient contributes exactly
 *     C·ĝ in both, so with the same seeded sampling and noise the two trained adapters agree.
 *     A trainer that grouped by record would clip each note on its own and add 3·C·ĝ for A:
 *     the adapters would differ by far more than the tolerance.
 *   - labelled splits that put one patient in both train and eval are refused at patient level.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSyntheticDataset, importDataset } from '../../../src-main/data/index.js';
import { train } from '../../../src-main/train/trainer.js';
import { seededRandomSource } from '../../helpers/seededRandomSource.js';
import { smallRunConfig, trainingFixture, type TrainingFixture } from '../../helpers/trainingFixture.js';

let fixture: TrainingFixture;

const notes = generateSyntheticDataset({ records: 10, seed: 41 }).map((r) => r.text!);

async function importRecords(name: string, rows: object[]): Promise<void> {
  const file = join(fixture.directory, `${name}.jsonl`);
  writeFileSync(file, rows.map((r) => `${JSON.stringify(r)}\n`).join(''));
  await importDataset(fixture.store, file, { project: 'tests', name });
}

beforeAll(async () => {
  fixture = await trainingFixture(10, 3);
  const evalRows = [0, 1].map((i) => ({
    id: `E${i}`,
    subject: `E${i}`,
    split: 'validation',
    text: notes[8 + i],
  }));
  const patients = Array.from({ length: 8 }, (_, p) => p);
  await importRecords('tripled', [
    ...patients.flatMap((p) =>
      [0, 1, 2].map((k) => ({ id: `P${p}-${k}`, subject: `P${p}`, split: 'train', text: notes[p] })),
    ),
    ...evalRows,
  ]);
  await importRecords('single', [
    ...patients.map((p) => ({ id: `P${p}-0`, subject: `P${p}`, split: 'train', text: notes[p] })),
    ...evalRows,
  ]);
  await importRecords('straddling', [
    ...patients.map((p) => ({ id: `P${p}-0`, subject: `P${p}`, split: 'train', text: notes[p] })),
    { id: 'P3-eval', subject: 'P3', split: 'validation', text: notes[9] },
  ]);
}, 120_000);

afterAll(() => fixture.remove());

const config = (dataset: string) =>
  smallRunConfig({
    dataset: { id: dataset },
    privacyUnit: 'patient',
    privacy: { mode: 'noise-multiplier', noiseMultiplier: 0.3 },
    clipNorm: 1e-4, // every patient's gradient is clipped
    samplingRate: 0.5,
    expectedBatchSize: undefined,
    steps: 3,
    auditHoldoutFraction: 0,
    optimizer: { learningRate: 0.01, warmupSteps: 0, schedule: 'constant' },
  });

describe('patient-level DP-SGD through train()', () => {
  it('sums a patient’s records before one clip: 3 identical notes train exactly like 1', async () => {
    const a = await train({
      store: fixture.store,
      config: config('tripled'),
      runName: 'tripled',
      randomSource: seededRandomSource(5),
    });
    const b = await train({
      store: fixture.store,
      config: config('single'),
      runName: 'single',
      randomSource: seededRandomSource(5),
    });
    expect(a.summary.dataset.trainUnits).toBe(8);
    expect(a.summary.dataset.trainRecords).toBe(24);
    expect(b.summary.dataset.trainUnits).toBe(8);
    let diff = 0;
    let moved = 0;
    a.finalParams.forEach((p, k) => {
      const q = b.finalParams[k]!;
      for (let i = 0; i < p.length; i++) {
        diff = Math.max(diff, Math.abs(p[i]! - q[i]!));
        moved = Math.max(moved, Math.abs(q[i]!));
      }
    });
    // the B matrices start at 0: training moved them by ~lr per step
    expect(moved).toBeGreaterThan(1e-3);
    // same units, same sampling and noise draws, same clipped sums: equal up to float rounding
    expect(diff).toBeLessThan(1e-5);
    a.adapter.dispose();
    b.adapter.dispose();
  }, 300_000);

  it('refuses labelled splits that put one patient on both sides', async () => {
    await expect(
      train({ store: fixture.store, config: config('straddling'), runName: 'straddling' }),
    ).rejects.toMatchObject({
      code: 'train.patient-split',
    });
  });
});
