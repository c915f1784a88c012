/**
 * What one finished (or stopped) training run reports: the contract between the training
 * loop, the store, the report and the app. It records every seed and configuration needed
 * to reproduce the run, and never the DP noise or Poisson-sampling randomness.
 */
import { z } from 'zod';

export const CurvePointSchema = z.object({ step: z.number().int().nonnegative(), loss: z.number() }).strict();

export const SanityCheckSchema = z
  .object({
    name: z.enum(['adapter-changed', 'eval-loss-finite', 'eval-loss-not-worse', 'noise-applied']),
    passed: z.boolean(),
    detail: z.string(),
  })
  .strict();

export const TrainingSummarySchema = z
  .object({
    version: z.literal(1),
    runId: z.number().int(),
    runName: z.string(),
    status: z.enum(['completed', 'early-stopped', 'failed', 'cancelled']),
    model: z
      .object({
        path: z.string(),
        modelType: z.string(),
        parameters: z.number().int(),
        /** SHA-256 over the weight files. */
        sha256: z.string(),
      })
      .strict(),
    adapter: z
      .object({
        rank: z.number().int(),
        alpha: z.number(),
        targetModules: z.array(z.string()),
        trainableParameters: z.number().int(),
        /** SHA-256 of adapter_model.safetensors. */
        sha256: z.string(),
      })
      .strict(),
    dataset: z
      .object({
        id: z.number().int(),
        name: z.string(),
        sha256: z.string(),
        trainRecords: z.number().int(),
        evalRecords: z.number().int(),
        /** Privacy units in the training split (records or patients). */
        trainUnits: z.number().int(),
      })
      .strict(),
    privacy: z
      .object({
        mode: z.enum(['none', 'target-epsilon', 'noise-multiplier']),
        privacyUnit: z.enum(['record', 'patient']),
        /** max(RDP, PRV); null for a non-private run. */
        epsilon: z.number().nullable(),
        rdpEpsilon: z.number().nullable(),
        prvEpsilon: z.number().nullable(),
        delta: z.number().nullable(),
        noiseMultiplier: z.number().nullable(),
        clipNorm: z.number().nullable(),
        clipping: z.enum(['flat', 'per-layer']),
        samplingRate: z.number(),
        expectedBatchSize: z.number(),
        steps: z.number().int(),
        accountant: z.enum(['rdp', 'prv']),
        /** The dataset budget after this run; null when the dataset has none. */
        budget: z
          .object({ epsilon: z.number(), delta: z.number(), spent: z.number(), remaining: z.number() })
          .strict()
          .nullable(),
      })
      .strict(),
    curves: z
      .object({
        train: z.array(CurvePointSchema),
        eval: z.array(CurvePointSchema.extend({ perplexity: z.number() }).strict()),
      })
      .strict(),
    baseEvalLoss: z.number(),
    finalEvalLoss: z.number(),
    finalPerplexity: z.number(),
    sanity: z.array(SanityCheckSchema),
    environment: z
      .object({ appVersion: z.string(), backend: z.string(), os: z.string(), node: z.string() })
      .strict(),
    seed: z.number().int(),
    /** The validated run configuration. */
    config: z.record(z.string(), z.unknown()),
    /**
     * Wall-clock time and throughput; null for a DP run: they depend on how many tokens each
     * step's secret Poisson batch held, which the accountant does not cover (issue 18).
     */
    seconds: z.number().nullable(),
    tokensPerSecond: z.number().nullable(),
    /** A sharded (SISA) run: the shard runs whose adapters were averaged into this one. */
    shards: z
      .array(
        z
          .object({
            index: z.number().int(),
            runId: z.number().int(),
            trainUnits: z.number().int(),
            epsilon: z.number().nullable(),
          })
          .strict(),
      )
      .optional(),
    /** Why the run differs from its plan, in plain words (e.g. stopped early to keep a target ε after a resume). */
    notes: z.array(z.string()).optional(),
    /**
     * A run derived from another without training (gradient-ascent unlearning): its parent,
     * the method, and the guarantee that holds for THIS adapter (the parent's ε does not).
     */
    derivedFrom: z
      .object({
        runId: z.number().int(),
        method: z.literal('gradient-ascent'),
        guarantee: z.string(),
      })
      .strict()
      .optional(),
  })
  .strict();

export type TrainingSummary = z.infer<typeof TrainingSummarySchema>;
export type SanityCheck = z.infer<typeof SanityCheckSchema>;
