// The Train screen's plan before Start (issue #23, item 4): passes over the data and time
// from the settings, the batch checked against the dataset's units (naming the field by its
// label), and a warning when a private run has too few units to learn anything.
import { describe, expect, it } from 'vitest';
import { FEW_UNITS_FOR_DP, duration, trainPlan } from '../../../src-main/shared/trainPlan';

const base = {
  steps: 200,
  expectedBatchSize: 32,
  maxSequenceLength: 128,
  privateRun: true,
  unit: 'record' as const,
  units: 3200,
  tokensPerSecond: 1024,
};

describe('trainPlan', () => {
  it('counts passes over the data and the time at a measured speed', () => {
    const plan = trainPlan(base);
    expect(plan.passes).toBe(2); // 200 × 32 / 3200
    expect(plan.seconds).toBe(800); // 200 × 32 × 128 tokens / 1024 tokens/s
    expect(plan.batchProblem).toBeNull();
    expect(plan.fewUnitsWarning).toBeNull();
    expect(trainPlan({ ...base, tokensPerSecond: null }).seconds).toBeNull();
  });

  it('refuses a batch larger than the dataset, naming the field by its label', () => {
    const plan = trainPlan({ ...base, unit: 'patient', units: 12 });
    expect(plan.batchProblem).toBe(
      '“Batch size (expected)” is 32, but the dataset has only 12 patients: choose at most 12.',
    );
    expect(trainPlan({ ...base, unit: 'patient', units: 0 }).batchProblem).toMatch(/no patient ids/);
    expect(trainPlan({ ...base, expectedBatchSize: 3200 }).batchProblem).toBeNull();
  });

  it('warns a private run with few units, not a non-private one', () => {
    const few = { ...base, units: FEW_UNITS_FOR_DP - 1, expectedBatchSize: 8 };
    expect(trainPlan(few).fewUnitsWarning).toMatch(/^Only 499 notes: .*9\.39 → 9\.34/);
    expect(trainPlan({ ...few, privateRun: false }).fewUnitsWarning).toBeNull();
    expect(trainPlan({ ...few, units: FEW_UNITS_FOR_DP }).fewUnitsWarning).toBeNull();
  });

  it('says durations in plain units', () => {
    expect([duration(0.2), duration(45), duration(150), duration(5400)]).toEqual([
      '1 s',
      '45 s',
      '3 min',
      '1.5 h',
    ]);
  });
});
