/**
 * The audit design recorded with every run, so the audit can be rerun on the same model:
 * which canaries were inserted (and how often), the matched never-inserted canaries, the
 * held-out non-members, and the one-run auditing examples (Steinke, Nasr, Jagielski 2023).
 * JSON-serialisable; read back through AuditDesignSchema.
 */
import { z } from 'zod';

export const CanaryFormatSchema = z
  .object({ name: z.string(), prefix: z.string(), pattern: z.string().regex(/#/), suffix: z.string() })
  .strict();

export const CanaryDesignSchema = z
  .object({
    format: CanaryFormatSchema,
    inserted: z.array(z.object({ secret: z.string(), repetitions: z.number().int().positive() }).strict()),
    neverInserted: z.array(z.object({ secret: z.string() }).strict()),
  })
  .strict();

export const OneRunDesignSchema = z
  .object({
    /** Auditing examples put in the training set (each chosen with probability ½). */
    included: z.array(z.string()),
    /** Auditing examples left out. */
    excluded: z.array(z.string()),
  })
  .strict();

export const AuditDesignSchema = z
  .object({
    version: z.literal(1),
    /** The seed of the design's random choices; null when drawn from node:crypto. */
    seed: z.number().int().nullable(),
    canaries: CanaryDesignSchema.nullable(),
    /** Indices (in the dataset as given) of the held-out non-members. */
    holdoutIndices: z.array(z.number().int().nonnegative()),
    oneRun: OneRunDesignSchema.nullable(),
  })
  .strict();

export type CanaryDesign = z.infer<typeof CanaryDesignSchema>;
export type OneRunDesign = z.infer<typeof OneRunDesignSchema>;
export type AuditDesign = z.infer<typeof AuditDesignSchema>;
