/**
 * Canary insertion as in Carlini et al. 2019 ("The Secret Sharer", USENIX Security): distinct
 * random secrets of one format, inserted into the training texts at chosen repetition counts
 * (1, 2, 4, 8 by default), plus a matched set of never-inserted secrets from the same space:
 * their exposure is what an unmemorised secret scores.
 */
import { ConfidantError } from '../../shared/confidantError.js';
import type { AuditRandom } from '../auditRandom.js';
import type { CanaryDesign } from './auditDesign.js';
import { canaryText, randomSecret, spaceSize, type CanaryFormat } from './canaryFormat.js';

export interface CanaryDesignOptions {
  readonly format: CanaryFormat;
  /** Repetition counts (default 1, 2, 4, 8). */
  readonly repetitions?: readonly number[];
  /** Inserted canaries per repetition count (default 4). */
  readonly perRepetition?: number;
  /** Never-inserted canaries (default perRepetition). */
  readonly neverInserted?: number;
  readonly random: AuditRandom;
}

export const DEFAULT_REPETITIONS = [1, 2, 4, 8] as const;

export function designCanaries(options: CanaryDesignOptions): CanaryDesign {
  const reps = options.repetitions ?? DEFAULT_REPETITIONS;
  const per = options.perRepetition ?? 4;
  const never = options.neverInserted ?? per;
  const total = reps.length * per + never;
  if (reps.some((r) => !Number.isInteger(r) || r < 1) || !(per >= 1) || !(never >= 0)) {
    throw new ConfidantError(
      'audit.canary-design',
      'repetition counts and canary numbers must be positive integers',
      {
        hint: 'use repetitions such as 1, 2, 4, 8 and at least one canary per count',
      },
    );
  }
  if (total > spaceSize(options.format) / 2) {
    throw new ConfidantError(
      'audit.canary-design',
      `${total} distinct canaries do not fit a space of ${spaceSize(options.format)} secrets`,
      { hint: 'use fewer canaries or a format with more digits' },
    );
  }
  const used = new Set<string>();
  const draw = (): string => {
    for (;;) {
      const s = randomSecret(options.format, options.random);
      if (!used.has(s)) {
        used.add(s);
        return s;
      }
    }
  };
  const inserted = reps.flatMap((repetitions) =>
    Array.from({ length: per }, () => ({ secret: draw(), repetitions })),
  );
  const neverInserted = Array.from({ length: never }, () => ({ secret: draw() }));
  return { format: { ...options.format }, inserted, neverInserted };
}

/**
 * Inserts `records` into `texts` at uniformly random positions (the texts keep their order).
 * Returns the new list; the input is not changed.
 */
export function insertRecords(
  texts: readonly string[],
  records: readonly string[],
  random: AuditRandom,
): string[] {
  const out = [...texts];
  for (const r of records) out.splice(random.nextInt(out.length + 1), 0, r);
  return out;
}

/** The training texts with every inserted canary repeated its number of times. */
export function insertCanaries(
  texts: readonly string[],
  design: CanaryDesign,
  random: AuditRandom,
): string[] {
  const records = design.inserted.flatMap(({ secret, repetitions }) =>
    Array.from({ length: repetitions }, () => canaryText(design.format, secret)),
  );
  return insertRecords(texts, records, random);
}
