// Training events as the UI receives them: a DP run's per-step batch loss is never
// forwarded (it is computed on the private batch without noise); its eval loss is.
import { describe, expect, it } from 'vitest';
import { forwardTrainingEvent } from '../../../../src-main/app/jobs/trainTask';
import type { TaskContext } from '../../../../src-main/app/jobs/jobProtocol';

function collect() {
  const progress: Parameters<TaskContext['progress']>[0][] = [];
  const runs: number[] = [];
  const context: TaskContext = { progress: (p) => progress.push(p), runStarted: (id) => runs.push(id) };
  return { progress, runs, context };
}

const step = {
  type: 'train.step',
  step: 2,
  totalSteps: 4,
  learningRate: 1e-3,
  tokensPerSecond: 50,
  etaSeconds: 3,
} as const;

describe('training events forwarded to the app', () => {
  it('drops the batch loss of a DP step and keeps ε', () => {
    const { progress, context } = collect();
    forwardTrainingEvent({ ...step, loss: null, epsilon: 1.2 }, context);
    expect(progress[0]!.metrics).toEqual({
      step: 2,
      totalSteps: 4,
      learningRate: 1e-3,
      tokensPerSecond: 50,
      etaSeconds: 3,
      epsilon: 1.2,
    });
    expect(progress[0]!.point).toBeUndefined();
    expect(progress[0]!.fraction).toBe(0.5);
  });

  it('charts the batch loss of a non-private step', () => {
    const { progress, context } = collect();
    forwardTrainingEvent({ ...step, loss: 2.5, epsilon: null }, context);
    expect(progress[0]!.metrics).toMatchObject({ trainLoss: 2.5 });
    expect(progress[0]!.metrics?.epsilon).toBeUndefined();
    expect(progress[0]!.point).toEqual({ step: 2, trainLoss: 2.5, evalLoss: null, epsilon: null });
  });

  it('charts eval loss and announces the run when it starts', () => {
    const { progress, runs, context } = collect();
    forwardTrainingEvent(
      {
        type: 'train.started',
        runId: 9,
        startStep: 1,
        totalSteps: 4,
        trainUnits: 30,
        expectedBatchSize: 4,
        noiseMultiplier: 1.1,
        delta: 1e-5,
        backend: 'cpu',
        warnings: [],
      },
      context,
    );
    forwardTrainingEvent({ type: 'train.eval', step: 4, loss: 3, perplexity: 20 }, context);
    expect(runs).toEqual([9]);
    expect(progress[0]).toMatchObject({
      stage: 'started',
      fraction: 0.25,
      metrics: { noiseMultiplier: 1.1 },
    });
    expect(progress[1]!.point).toEqual({ step: 4, trainLoss: null, evalLoss: 3, epsilon: null });
  });
});
