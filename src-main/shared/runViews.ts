/**
 * What the UI reads of a training summary (src-main/train/trainingSummary.ts) and of an
 * audit result (src-main/audit/auditResult.ts). The engine validates both against their
 * full schemas before they cross the API; these loose views name only the fields the
 * screens show, so the renderer compiles without the engine's modules.
 */
import { z } from 'zod';

const Verdict = z.enum(['pass', 'warn', 'fail', 'inconclusive']);
const CurvePoint = z.looseObject({ step: z.number(), loss: z.number() });

export const TrainingSummaryViewSchema = z.looseObject({
  runId: z.number(),
  runName: z.string(),
  status: z.string(),
  privacy: z.looseObject({
    mode: z.string(),
    privacyUnit: z.string(),
    epsilon: z.number().nullable(),
    delta: z.number().nullable(),
    noiseMultiplier: z.number().nullable(),
    steps: z.number(),
    expectedBatchSize: z.number(),
    budget: z
      .looseObject({ epsilon: z.number(), delta: z.number(), spent: z.number(), remaining: z.number() })
      .nullable(),
  }),
  curves: z.looseObject({ train: z.array(CurvePoint), eval: z.array(CurvePoint) }),
  baseEvalLoss: z.number(),
  finalEvalLoss: z.number(),
  finalPerplexity: z.number(),
  sanity: z.array(z.looseObject({ name: z.string(), passed: z.boolean(), detail: z.string() })),
  seconds: z.number().nullable(),
  tokensPerSecond: z.number().nullable(),
});

const Section = z.looseObject({ verdict: Verdict });

export const AuditResultViewSchema = z.looseObject({
  target: z.string(),
  overall: Verdict,
  membership: Section.extend({
    members: z.number().optional(),
    nonMembers: z.number().optional(),
    strongest: z.string(),
    attacks: z.array(
      z.looseObject({
        name: z.string(),
        description: z.string(),
        auc: z.number(),
        tprAtFpr: z.record(z.string(), z.number()),
        verdict: Verdict,
      }),
    ),
  }),
  canaries: Section.extend({ maxExposure: z.number() }).nullable(),
  extraction: Section.extend({ exactMatchRate: z.number(), nearMatchRate: z.number() }),
  piiLeakage: Section.extend({ entities: z.number(), leaked: z.number(), rate: z.number() }),
  epsilonLowerBound: Section.extend({ epsilonLowerBound: z.number(), explanation: z.string() }).nullable(),
  backdoor: Section,
  thresholds: z.record(z.string(), z.string()),
  seconds: z.number(),
});

export type TrainingSummaryView = z.infer<typeof TrainingSummaryViewSchema>;
export type AuditResultView = z.infer<typeof AuditResultViewSchema>;
