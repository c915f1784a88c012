/**
 * The result of the whole audit suite on one trained adapter (`confidant audit --run`):
 * the contract between the attacks (src-main/audit), the store, the report and the app.
 * Every number a report prints comes from here. Examples are always redacted (PII replaced
 * by its entity type) before they enter this object.
 */
import { z } from 'zod';

/** inconclusive: the evidence (too few examples) can neither rule leakage out nor in. */
export const VerdictSchema = z.enum(['pass', 'warn', 'fail', 'inconclusive']);
export type Verdict = z.infer<typeof VerdictSchema>;

/** A ROC curve down-sampled for charts (at most ~200 points, always keeping the ends). */
export const RocPointsSchema = z.object({ fpr: z.array(z.number()), tpr: z.array(z.number()) }).strict();

export const MembershipAttackSchema = z
  .object({
    /** loss | reference | zlib | min-k | min-k++ | rmia */
    name: z.enum(['loss', 'reference', 'zlib', 'min-k', 'min-k++', 'rmia']),
    /** What the score is, in one line a non-specialist can read. */
    description: z.string(),
    auc: z.number().min(0).max(1),
    balancedAccuracy: z.number().min(0).max(1),
    tprAtFpr: z.object({ '0.001': z.number(), '0.01': z.number(), '0.1': z.number() }).strict(),
    roc: RocPointsSchema,
    verdict: VerdictSchema,
    /** 95% interval of the AUC (Hanley & McNeil) at the audit's sample sizes; absent in audits before issue 18. */
    aucLower95: z.number().optional(),
    aucUpper95: z.number().optional(),
    /** Members (and as many non-members) that would settle the verdict at these values; null: never. */
    neededPerSide: z.number().int().nullable().optional(),
  })
  .strict();

export const MembershipResultSchema = z
  .object({
    members: z.number().int().nonnegative(),
    nonMembers: z.number().int().nonnegative(),
    attacks: z.array(MembershipAttackSchema),
    /** The attack with the highest AUC. */
    strongest: z.string(),
    verdict: VerdictSchema,
  })
  .strict();

export const CanaryResultSchema = z
  .object({
    /** e.g. "MRN dddd-dddd" */
    format: z.string(),
    /** log2 of the number of possible secrets: the largest exposure possible. */
    maxExposure: z.number(),
    method: z.enum(['exact', 'estimated']),
    perRepetition: z.array(
      z
        .object({
          repetitions: z.number().int().nonnegative(),
          canaries: z.number().int().nonnegative(),
          meanExposure: z.number(),
          maxExposure: z.number(),
        })
        .strict(),
    ),
    verdict: VerdictSchema,
  })
  .strict();

export const RedactedExampleSchema = z
  .object({
    prompt: z.string(),
    expected: z.string(),
    generated: z.string(),
    /** Normalised edit distance between expected and generated, 0 = identical. */
    distance: z.number().min(0).max(1),
  })
  .strict();

export const ExtractionResultSchema = z
  .object({
    records: z.number().int().nonnegative(),
    prefixTokens: z.number().int().positive(),
    generatedTokens: z.number().int().positive(),
    exactMatchRate: z.number().min(0).max(1),
    /** Fraction with normalised edit distance ≤ nearMatchThreshold. */
    nearMatchRate: z.number().min(0).max(1),
    nearMatchThreshold: z.number(),
    examples: z.array(RedactedExampleSchema),
    verdict: VerdictSchema,
  })
  .strict();

export const PiiLeakageResultSchema = z
  .object({
    entities: z.number().int().nonnegative(),
    leaked: z.number().int().nonnegative(),
    rate: z.number().min(0).max(1),
    byType: z.record(z.string(), z.object({ entities: z.number(), leaked: z.number() }).strict()),
    examples: z.array(RedactedExampleSchema),
    verdict: VerdictSchema,
  })
  .strict();

export const EpsilonLowerBoundResultSchema = z
  .object({
    /** Auditing examples, each included in training with probability 1/2. */
    m: z.number().int().nonnegative(),
    guesses: z.number().int().nonnegative(),
    correct: z.number().int().nonnegative(),
    confidence: z.number(),
    delta: z.number(),
    epsilonLowerBound: z.number().min(0),
    /** The accountant's ε for the run; null for a non-private run. */
    theoreticalEpsilon: z.number().nullable(),
    /** The score used to guess (the strongest membership score). */
    score: z.string(),
    verdict: VerdictSchema,
    /** Plain words: what the bound means here; loud when it exceeds the theoretical ε. */
    explanation: z.string(),
    /** The largest bound m examples can ever give (all guesses right); absent before issue 18. */
    ceiling: z.number().optional(),
    /** False when the ceiling is below the theoretical ε: the audit could not have failed. */
    informative: z.boolean().optional(),
    /** Audit-grade number of canaries whose ceiling exceeds ε (when not informative). */
    suggestedM: z.number().int().nullable().optional(),
  })
  .strict();

export const BackdoorFindingSchema = z
  .object({
    source: z.enum(['data', 'model', 'user']),
    trigger: z.string(),
    /** e.g. the fixed response or target completion it is associated with (redacted). */
    target: z.string(),
    /** Strength of the association: data = support/lift statistic, model = distribution shift. */
    score: z.number(),
    detail: z.string(),
  })
  .strict();

export const BackdoorResultSchema = z
  .object({
    dataFindings: z.array(BackdoorFindingSchema),
    modelFindings: z.array(BackdoorFindingSchema),
    triggersTested: z.number().int().nonnegative(),
    verdict: VerdictSchema,
  })
  .strict();

export const AuditResultSchema = z
  .object({
    version: z.literal(1),
    /** The run (or "base" for the base model) that was attacked. */
    target: z.string(),
    membership: MembershipResultSchema,
    canaries: CanaryResultSchema.nullable(),
    extraction: ExtractionResultSchema,
    piiLeakage: PiiLeakageResultSchema,
    epsilonLowerBound: EpsilonLowerBoundResultSchema.nullable(),
    backdoor: BackdoorResultSchema,
    overall: VerdictSchema,
    /** Documented thresholds behind every verdict, as shown in the report. */
    thresholds: z.record(z.string(), z.string()),
    seconds: z.number().nonnegative(),
  })
  .strict();

export type AuditResult = z.infer<typeof AuditResultSchema>;
export type MembershipAttack = z.infer<typeof MembershipAttackSchema>;
export type CanaryResult = z.infer<typeof CanaryResultSchema>;
export type ExtractionResult = z.infer<typeof ExtractionResultSchema>;
export type PiiLeakageResult = z.infer<typeof PiiLeakageResultSchema>;
export type EpsilonLowerBoundResult = z.infer<typeof EpsilonLowerBoundResultSchema>;
export type BackdoorResult = z.infer<typeof BackdoorResultSchema>;
export type BackdoorFinding = z.infer<typeof BackdoorFindingSchema>;
