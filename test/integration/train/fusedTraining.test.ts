/**
 * train() on the webgpu backend runs the fused executor (engine/webgpu) and trains exactly
 * as the tfjs reference path on the cpu backend: a patient-level DP-SGD run and a
 * non-private run, each with the same seeded sampling and noise on both sides, end at the
 * same evaluation loss (within 2e-3, fp32 sums in another order) with the noise check
 * passing. On machines without any WebGPU adapter (not even Mesa's) the test is skipped,
 * unless CONFIDANT_REQUIRE_WEBGPU=1.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { train } from '../../../src-main/train/trainer.js';
import { seededRandomSource } from '../../helpers/seededRandomSource.js';
import { smallRunConfig, trainingFixture, type TrainingFixture } from '../../helpers/trainingFixture.js';

let fixture: TrainingFixture;
let gpu = true;

beforeAll(async () => {
  try {
    const { openGpuRuntime } = await import('../../../src-main/engine/webgpu/gpuDevice.js');
    await openGpuRuntime();
  } catch (error) {
    if (process.env.CONFIDANT_REQUIRE_WEBGPU === '1') throw error;
    gpu = false;
  }
  fixture = await trainingFixture(60, 5);
});

afterAll(() => fixture.remove());

describe('training on the fused WebGPU executor', () => {
  it.each([
    {
      name: 'patient-level DP-SGD',
      overrides: {
        privacy: { mode: 'noise-multiplier', noiseMultiplier: 0.8 },
        privacyUnit: 'patient',
        expectedBatchSize: 4,
      },
    },
    { name: 'non-private', overrides: { privacy: { mode: 'none' } } },
  ])('$name equals the tfjs path', async ({ name, overrides }) => {
    if (!gpu) return;
    const common = { steps: 3, microBatchSize: 4, maxSequenceLength: 24, checkpointEverySteps: 2, ...overrides };
    const reference = await train({
      store: fixture.store,
      config: smallRunConfig({ ...common, backend: 'cpu' }),
      runName: `${name}-cpu`,
      randomSource: seededRandomSource(11),
    });
    const fused = await train({
      store: fixture.store,
      config: smallRunConfig({ ...common, backend: 'webgpu' }),
      runName: `${name}-webgpu`,
      randomSource: seededRandomSource(11),
    });
    const r = reference.summary;
    const f = fused.summary;
    expect(f.status).toBe('completed');
    expect(Math.abs(f.finalEvalLoss - r.finalEvalLoss)).toBeLessThan(2e-3 * r.finalEvalLoss);
    expect(f.finalEvalLoss).not.toBe(f.baseEvalLoss);
    expect(f.sanity.every((c) => c.passed)).toBe(true);
    if (r.privacy.epsilon !== null) expect(f.privacy.epsilon).toBe(r.privacy.epsilon);
  });
});
