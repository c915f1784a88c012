/**
 * The unlearning certificate: what `confidant unlearn` did and the attack evidence before and
 * after, stored as an audit of kind `unlearning` and printed in the report's "Unlearning
 * certificate" section. Schema only (no engine), so the report can read it.
 */
import { z } from 'zod';

export const UNLEARNING_METHODS = ['retrain', 'gradient-ascent', 'shard'] as const;
export type UnlearningMethod = (typeof UNLEARNING_METHODS)[number];

/** Eval perplexity may rise by at most this fraction. */
export const UTILITY_TOLERANCE = 0.1;

const EvidenceSchema = z
  .object({
    membershipAucLoss: z.number(),
    membershipAucReference: z.number(),
    membershipAuc: z.number(),
    forgetLoss: z.number(),
    nonMemberLoss: z.number(),
    extractionExactRate: z.number(),
    evalPerplexity: z.number(),
    retainPerplexity: z.number(),
  })
  .strict();

export const UnlearningCertificateSchema = z
  .object({
    version: z.literal(1),
    runId: z.number().int(),
    method: z.enum(UNLEARNING_METHODS),
    /** SHA-256 of the sorted forgotten record ids: identifies the request without listing patients. */
    forgetSetSha256: z.string(),
    forgottenRecords: z.number().int(),
    forgottenSubjects: z.number().int(),
    /** Named records the run never trained on (evaluation split or audit holdout). */
    notTrainedOn: z.number().int(),
    nonMembers: z.number().int(),
    before: EvidenceSchema,
    after: EvidenceSchema,
    /** The new run holding the resulting adapter (every method; the parent's adapter is never changed). */
    newRunId: z.number().int().nullable(),
    /** shard: which shards were retrained (0-based) and by which new runs. */
    shards: z
      .object({
        total: z.number().int(),
        retrained: z.array(
          z
            .object({ index: z.number().int(), fromRunId: z.number().int(), runId: z.number().int() })
            .strict(),
        ),
      })
      .strict()
      .nullable(),
    /** True when, by construction, the resulting adapter's training data holds none of the records. */
    neverSawForgetRecords: z.boolean(),
    gradientAscent: z
      .object({
        steps: z.number().int(),
        stoppedBecause: z.string(),
        forgetLossBefore: z.number(),
        forgetLossAfter: z.number(),
      })
      .strict()
      .nullable(),
    checks: z.array(z.object({ name: z.string(), passed: z.boolean(), detail: z.string() }).strict()),
    verdict: z.enum(['pass', 'warn', 'fail']),
    /** What DP already guaranteed and what this adds, in plain words. */
    explanation: z.string(),
  })
  .strict();

export type UnlearningCertificate = z.infer<typeof UnlearningCertificateSchema>;
