/**
 * Typed progress events of a training run, for the CLI's progress bar and the app. For a
 * DP run the per-step training loss is NOT reported: it is computed on the sampled private
 * batch without noise, so printing it would release information the accountant does not
 * cover. DP runs show the held-out eval loss instead.
 */
import type { TrainingSummary } from './trainingSummary.js';

export type TrainingEvent =
  | {
      type: 'train.started';
      runId: number;
      startStep: number;
      totalSteps: number;
      trainUnits: number;
      expectedBatchSize: number;
      noiseMultiplier: number | null;
      delta: number | null;
      backend: string;
      warnings: string[];
    }
  | {
      type: 'train.step';
      step: number;
      totalSteps: number;
      /** Mean training loss of the batch; null for DP runs (see above). */
      loss: number | null;
      learningRate: number;
      /** ε spent so far: max(RDP, PRV), the ε that is charged; null when non-private. */
      epsilon: number | null;
      /**
       * Throughput and time left; null for DP runs: per-step time and token counts reveal the
       * size of each secret Poisson batch, which the accountant does not cover.
       */
      tokensPerSecond: number | null;
      etaSeconds: number | null;
    }
  | { type: 'train.eval'; step: number; loss: number; perplexity: number }
  | { type: 'train.checkpoint'; step: number; checkpointId: number; epsilon: number | null }
  | { type: 'train.finished'; summary: TrainingSummary };

export type TrainingEventListener = (event: TrainingEvent) => void;
