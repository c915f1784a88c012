/**
 * A training job inside a worker: a new run from a configuration, or a stopped run resumed
 * from its latest checkpoint with the configuration it started with. Training events become
 * progress messages. A DP run's per-step batch loss is never forwarded (the trainer reports
 * it as null): only the held-out eval loss, released after its checkpoint, is charted.
 */
import { ConfidantError } from '../../shared/confidantError.js';
import type { Store } from '../../store/index.js';
import { parseRunConfig } from '../../train/runConfig.js';
import { train } from '../../train/trainer.js';
import type { TrainingEvent } from '../../train/trainingEvents.js';
import type { JobResult, TaskContext } from './jobProtocol.js';

export interface TrainTaskSpec {
  runName: string;
  config?: unknown;
  resumeRunId?: number;
  raiseBudgetTo?: number;
}

export async function runTrainTask(
  store: Store,
  spec: TrainTaskSpec,
  context: TaskContext,
): Promise<JobResult> {
  let configSource: unknown = spec.config;
  if (spec.resumeRunId !== undefined) {
    const run = store.runs.get(spec.resumeRunId);
    if (!run) {
      throw new ConfidantError('train.run-not-found', `There is no run ${spec.resumeRunId} to resume.`);
    }
    configSource = JSON.parse(run.configJson);
    context.runStarted(run.id);
  }
  if (configSource === undefined) {
    throw new ConfidantError('train.no-config', 'A training job needs a run configuration.');
  }
  const config = parseRunConfig(configSource, 'training settings');
  const { summary, runId } = await train({
    store,
    config,
    runName: spec.runName,
    ...(spec.resumeRunId !== undefined ? { resumeRunId: spec.resumeRunId } : {}),
    ...(spec.raiseBudgetTo !== undefined ? { raiseBudgetTo: spec.raiseBudgetTo } : {}),
    onEvent: (event) => forwardTrainingEvent(event, context),
  });
  return {
    runId,
    status: summary.status,
    epsilon: summary.privacy.epsilon,
    finalEvalLoss: summary.curves.eval.at(-1)?.loss ?? null,
  };
}

/** Maps one training event to a progress message (exported for tests). */
export function forwardTrainingEvent(event: TrainingEvent, context: TaskContext): void {
  switch (event.type) {
    case 'train.started':
      context.runStarted(event.runId);
      context.progress({
        stage: 'started',
        fraction: event.totalSteps > 0 ? Math.min(1, event.startStep / event.totalSteps) : null,
        message:
          `Training on ${event.trainUnits} units with the ${event.backend} backend` +
          (event.warnings.length > 0 ? `. ${event.warnings.join(' ')}` : '.'),
        metrics: {
          step: event.startStep,
          totalSteps: event.totalSteps,
          ...(event.noiseMultiplier !== null ? { noiseMultiplier: event.noiseMultiplier } : {}),
        },
      });
      return;
    case 'train.step':
      context.progress({
        stage: 'step',
        fraction: Math.min(1, event.step / event.totalSteps),
        metrics: {
          step: event.step,
          totalSteps: event.totalSteps,
          learningRate: event.learningRate,
          ...(event.tokensPerSecond !== null ? { tokensPerSecond: event.tokensPerSecond } : {}),
          ...(event.etaSeconds !== null ? { etaSeconds: event.etaSeconds } : {}),
          ...(event.loss !== null ? { trainLoss: event.loss } : {}),
          ...(event.epsilon !== null ? { epsilon: event.epsilon } : {}),
        },
        ...(event.loss !== null
          ? { point: { step: event.step, trainLoss: event.loss, evalLoss: null, epsilon: event.epsilon } }
          : {}),
      });
      return;
    case 'train.eval':
      context.progress({
        stage: 'eval',
        fraction: null,
        metrics: { step: event.step, evalLoss: event.loss, perplexity: event.perplexity },
        point: { step: event.step, trainLoss: null, evalLoss: event.loss, epsilon: null },
      });
      return;
    case 'train.checkpoint':
      context.progress({
        stage: 'checkpoint',
        fraction: null,
        message: `Checkpoint saved at step ${event.step}.`,
        metrics: { step: event.step, ...(event.epsilon !== null ? { epsilon: event.epsilon } : {}) },
      });
      return;
    case 'train.finished':
      context.progress({
        stage: 'finished',
        fraction: 1,
        message: `Run ${event.summary.status}.`,
        metrics: event.summary.privacy.epsilon !== null ? { epsilon: event.summary.privacy.epsilon } : {},
      });
      return;
  }
}
