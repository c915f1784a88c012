/**
 * The audit design of a run, fixed before training (issue: privacy audit): the canaries
 * inserted at chosen repetition counts with a matched never-inserted set (Carlini et al.
 * 2019, "The Secret Sharer"), and the one-run auditing examples, each inserted with
 * probability ½ (Steinke, Nasr, Jagielski 2023). Drawn from a PRNG seeded by the run's seed,
 * so a resumed run inserts exactly the same texts; stored with the run so the audit can be
 * rerun. Each inserted text is its own privacy unit.
 */
import { seededAuditRandom } from '../audit/auditRandom.js';
import { designCanaries } from '../audit/canaries/canaryDesign.js';
import { designOneRun } from '../audit/canaries/auditHoldout.js';
import { CANARY_FORMATS, canaryText, randomSecret } from '../audit/canaries/canaryFormat.js';
import type { CanaryDesign, OneRunDesign } from '../audit/canaries/auditDesign.js';
import type { RunConfig } from './runConfig.js';

export interface RunAuditDesign {
  readonly version: 1;
  readonly seed: number;
  readonly canaries: CanaryDesign | null;
  readonly oneRun: OneRunDesign | null;
}

export function designRunAudit(config: RunConfig): RunAuditDesign {
  const seed = config.seed * 7_919 + 17;
  const random = seededAuditRandom(seed);
  const canaries = config.canaries
    ? designCanaries({
        format: CANARY_FORMATS[config.canaries.format],
        repetitions: config.canaries.repetitions,
        perRepetition: config.canaries.perRepetition,
        random,
      })
    : null;
  let oneRun: OneRunDesign | null = null;
  if (config.oneRunExamples > 0) {
    const format = config.canaries?.format === 'phone' ? CANARY_FORMATS.mrn : CANARY_FORMATS.phone;
    const used = new Set(
      [...(canaries?.inserted ?? []), ...(canaries?.neverInserted ?? [])].map((c) => c.secret),
    );
    const examples: string[] = [];
    while (examples.length < config.oneRunExamples) {
      const secret = randomSecret(format, random);
      if (used.has(secret)) continue;
      used.add(secret);
      examples.push(canaryText(format, secret));
    }
    oneRun = designOneRun(examples, random);
  }
  return { version: 1, seed, canaries, oneRun };
}

/** The texts the design inserts into training, each a unit with a stable key. */
export function designTrainingTexts(design: RunAuditDesign): { key: string; text: string }[] {
  const texts: { key: string; text: string }[] = [];
  design.canaries?.inserted.forEach((c, i) => {
    for (let r = 0; r < c.repetitions; r += 1) {
      texts.push({ key: `canary:${i}:${r}`, text: canaryText(design.canaries!.format, c.secret) });
    }
  });
  design.oneRun?.included.forEach((text, i) => texts.push({ key: `one-run:${i}`, text }));
  return texts;
}
