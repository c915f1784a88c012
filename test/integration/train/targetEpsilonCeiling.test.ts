/**
 * A target ε is a ceiling (issue 18), measured by the one ε that is calibrated, shown and
 * charged: max(RDP, PRV).
 *   - An uninterrupted run: σ is calibrated on max(RDP, PRV); the run ends within 1% below
 *     the target; the live ε of the last step event is exactly the charged ε.
 *   - A run interrupted after a step that was charged (write-ahead) but not checkpointed,
 *     then resumed: that step is run again, so running all planned steps would exceed the
 *     target (seen: 3.023 for a target of 3). The resumed run stops early, ends at or below
 *     the target, and says why in its summary notes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { privacySpent } from '../../../src-main/dp/privacySpent.js';
import { chargedSegments } from '../../../src-main/train/datasetPrivacy.js';
import { train } from '../../../src-main/train/trainer.js';
import type { TrainingEvent } from '../../../src-main/train/trainingEvents.js';
import { smallRunConfig, trainingFixture, type TrainingFixture } from '../../helpers/trainingFixture.js';

let fixture: TrainingFixture;

beforeAll(async () => {
  fixture = await trainingFixture(60, 31);
});

afterAll(() => fixture.remove());

const TARGET = 3;
const config = () =>
  smallRunConfig({
    privacy: { mode: 'target-epsilon', epsilon: TARGET, delta: 1e-3 },
    steps: 6,
    checkpointEverySteps: 2,
  });

describe('target ε is a ceiling by max(RDP, PRV)', () => {
  it('calibrates σ on max(RDP, PRV) and shows live the ε that is charged', async () => {
    const steps: Extract<TrainingEvent, { type: 'train.step' }>[] = [];
    const result = await train({
      store: fixture.store,
      config: config(),
      runName: 'whole',
      onEvent: (e) => e.type === 'train.step' && steps.push(e),
    });
    const p = result.summary.privacy;
    expect(p.epsilon!).toBeLessThanOrEqual(TARGET);
    expect(p.epsilon!).toBeGreaterThanOrEqual(TARGET * 0.99);
    expect(p.epsilon).toBe(Math.max(p.rdpEpsilon!, p.prvEpsilon!));
    expect(steps.at(-1)!.epsilon).toBeCloseTo(p.epsilon!, 12);
    result.adapter.dispose();
  });

  it('a resumed run whose repeated steps were charged stops at the target and says why', async () => {
    let runId = -1;
    await expect(
      train({
        store: fixture.store,
        config: config(),
        runName: 'interrupted',
        onEvent: (e) => {
          if (e.type === 'train.started') runId = e.runId;
          // step 3 was charged and run, but the last checkpoint is at step 2
          if (e.type === 'train.step' && e.step === 3) throw new Error('simulated cancel');
        },
      }),
    ).rejects.toThrow('simulated cancel');
    expect(fixture.store.checkpoints.latest(runId)!.step).toBe(2);
    expect(chargedSegments(fixture.store, runId).reduce((n, s) => n + s.steps, 0)).toBe(3);

    const resumed = await train({
      store: fixture.store,
      config: config(),
      runName: 'interrupted',
      resumeRunId: runId,
    });
    const p = resumed.summary.privacy;
    // running all 6 planned steps would charge 7: over the target
    const all = privacySpent([{ ...chargedSegments(fixture.store, runId)[0]!, steps: 7 }], p.delta!).epsilon;
    expect(all).toBeGreaterThan(TARGET);
    expect(p.epsilon!).toBeLessThanOrEqual(TARGET);
    expect(p.steps).toBe(5);
    expect(chargedSegments(fixture.store, runId).reduce((n, s) => n + s.steps, 0)).toBe(6);
    expect(resumed.summary.notes?.join(' ')).toMatch(/stops after 5 of its 6 planned steps/);
    resumed.adapter.dispose();
  });
});
