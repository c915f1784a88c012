/**
 * The privacy ledger of a run: every DP-SGD step's sampling rate q, noise multiplier σ,
 * clip norm C and unit count, in order. It is what the accountants analyse, it is saved
 * with every checkpoint, and a resumed run continues the same ledger, so a crash can lose
 * training progress but never privacy accounting. It records no randomness: which units
 * were sampled and what noise was drawn stay secret (the subsampling amplification the
 * accountant relies on assumes that).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson } from '../shared/canonicalJson.js';
import { ConfidantError } from '../shared/confidantError.js';

export const LedgerStepSchema = z
  .object({
    samplingRate: z.number().gt(0).max(1),
    noiseMultiplier: z.number().gt(0),
    clipNorm: z.number().gt(0),
    unitCount: z.number().int().positive(),
  })
  .strict();

export type LedgerStep = z.infer<typeof LedgerStepSchema>;

/** Consecutive identical steps, as the accountants take them (Opacus's `history`). */
export interface LedgerSegment extends LedgerStep {
  steps: number;
}

export const LedgerSchema = z
  .object({
    version: z.literal(1),
    runId: z.string().min(1),
    privacyUnit: z.enum(['record', 'patient']),
    delta: z.number().gt(0).lt(1),
    segments: z.array(LedgerStepSchema.extend({ steps: z.number().int().positive() }).strict()),
    /** SHA-256 over the canonical JSON of everything above: detects a hand-edited ledger. */
    digest: z.string().regex(/^[0-9a-f]{64}$/),
  })
  .strict();

export type LedgerJson = z.infer<typeof LedgerSchema>;

export class PrivacyLedger {
  private readonly segments: LedgerSegment[] = [];

  constructor(
    readonly runId: string,
    readonly privacyUnit: 'record' | 'patient',
    readonly delta: number,
  ) {}

  /** Appends one step. Call it before the step's private gradient is used. */
  record(step: LedgerStep): void {
    const parsed = LedgerStepSchema.parse(step);
    const last = this.segments.at(-1);
    if (
      last &&
      last.samplingRate === parsed.samplingRate &&
      last.noiseMultiplier === parsed.noiseMultiplier &&
      last.clipNorm === parsed.clipNorm &&
      last.unitCount === parsed.unitCount
    ) {
      last.steps += 1;
    } else {
      this.segments.push({ ...parsed, steps: 1 });
    }
  }

  get steps(): number {
    return this.segments.reduce((n, s) => n + s.steps, 0);
  }

  history(): readonly LedgerSegment[] {
    return this.segments.map((s) => ({ ...s }));
  }

  toJSON(): LedgerJson {
    const body = {
      version: 1 as const,
      runId: this.runId,
      privacyUnit: this.privacyUnit,
      delta: this.delta,
      segments: this.history().map((s) => ({ ...s })),
    };
    return { ...body, digest: digestOf(body) };
  }

  /** Reads a saved ledger; a malformed or edited one is refused (never silently reset). */
  static fromJSON(value: unknown, source = 'privacy ledger'): PrivacyLedger {
    const parsed = LedgerSchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ConfidantError(
        'ledger.invalid',
        `The privacy ledger is malformed: ${issue?.message ?? 'unknown problem'}.`,
        {
          where: { file: source, field: issue?.path.join('.') },
          hint: 'Restore the checkpoint folder from a backup; a run cannot continue without its ledger.',
        },
      );
    }
    const { digest, ...body } = parsed.data;
    if (digestOf(body) !== digest) {
      throw new ConfidantError(
        'ledger.tampered',
        'The privacy ledger does not match its digest: it was edited or damaged.',
        {
          where: { file: source },
          hint: 'Restore the checkpoint folder from a backup; a run cannot continue without its ledger.',
        },
      );
    }
    const ledger = new PrivacyLedger(body.runId, body.privacyUnit, body.delta);
    for (const s of body.segments) ledger.segments.push({ ...s });
    return ledger;
  }
}

function digestOf(body: Omit<LedgerJson, 'digest'>): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}
