/**
 * The whole privacy audit of one trained adapter (`confidant audit --run`): membership
 * inference, canary exposure, extraction, PII leakage, the one-run ε lower bound and the
 * backdoor scan, each with its verdict, and the overall verdict (the worst). Validated
 * against AuditResultSchema on the way out.
 */
import type { AdapterMap, CausalLm, TextTokenizer } from '../model/index.js';
import { seededAuditRandom } from './auditRandom.js';
import { AuditRedactor, type KnownValue } from './auditRedactor.js';
import { AuditResultSchema, type AuditResult, type BackdoorResult, type Verdict } from './auditResult.js';
import { scanDataForBackdoors, type BackdoorRecord } from './backdoor/dataBackdoorScan.js';
import {
  isTargetedFinding,
  RARE_TOKEN_TRIGGERS,
  scanModelForBackdoors,
  type TriggerCandidate,
} from './backdoor/modelBackdoorScan.js';
import type { CanaryDesign } from './canaries/auditDesign.js';
import { canaryExposures, canaryResult } from './canaryExposure.js';
import { extractionAttack } from './extractionAttack.js';
import { membershipAttacks } from './membershipAttack.js';
import { attackScores, computeSignals, type ScoringModels } from './membershipSignals.js';
import { oneRunLowerBound } from './oneRunAudit.js';
import { piiLeakageAttack, type PiiRecord } from './piiLeakage.js';
import { thresholdDescriptions, worstVerdict } from './verdicts.js';

export interface AuditModelRef {
  readonly name: string;
  /** Absent = the base model. */
  readonly adapters?: AdapterMap;
}

export interface AuditProgress {
  readonly stage: 'membership' | 'canaries' | 'extraction' | 'pii' | 'one-run' | 'backdoor';
  readonly done: number;
  readonly total: number;
}

export interface AuditInputs {
  readonly model: CausalLm;
  readonly tokenizer: TextTokenizer;
  readonly target: AuditModelRef;
  /** The base model (adapters undefined) first, then any extra reference adapters. */
  readonly references: readonly AuditModelRef[];
  /** Training texts and held-out audit texts (same distribution). */
  readonly members: readonly string[];
  readonly nonMembers: readonly string[];
  /** The canaries of the audit design (canaries/canaryDesign.ts), if any were inserted. */
  readonly canaries?: CanaryDesign;
  readonly extraction: {
    readonly records: readonly string[];
    readonly prefixTokens: number;
    readonly generatedTokens: number;
  };
  /** Training records with their PII spans (recognisers or synthetic ground truth). */
  readonly pii: { readonly records: readonly PiiRecord[] };
  /** Steinke et al. 2023 auditing examples (each included with probability ½). */
  readonly oneRun?: {
    readonly included: readonly string[];
    readonly excluded: readonly string[];
    readonly delta: number;
  };
  readonly backdoor: {
    readonly trainingRecords: readonly BackdoorRecord[];
    readonly userTriggers?: readonly string[];
    /** Clean prompts for the model-side scan (default: the first 16 non-members). */
    readonly cleanPrompts?: readonly string[];
    /** Tokens kept from the start of each clean prompt before the trigger (default 24). */
    readonly promptTokens?: number;
  };
  /** The accountant's ε for the run; null for a non-private run. */
  readonly theoreticalEpsilon: number | null;
  readonly options?: {
    /** Sequences per forward pass (default 8). */
    readonly batchSize?: number;
    /** Largest canary space ranked exhaustively (default 100,000). */
    readonly exposureExactLimit?: number;
    /** Sampled candidates otherwise (default 2,000). */
    readonly exposureSamples?: number;
    /** Seed of the exposure candidate sampling (default 0). */
    readonly seed?: number;
  };
  readonly onProgress?: (e: AuditProgress) => void;
}

export async function runAuditSuite(inputs: AuditInputs): Promise<AuditResult> {
  const started = performance.now();
  const { model, tokenizer } = inputs;
  const batchSize = inputs.options?.batchSize ?? 8;
  const progress = (stage: AuditProgress['stage'], done: number, total: number) =>
    inputs.onProgress?.({ stage, done, total });
  const known: KnownValue[] = [
    ...inputs.pii.records.flatMap((r) => r.spans.map((s) => ({ value: s.text, type: s.type }))),
    ...(inputs.canaries
      ? [...inputs.canaries.inserted, ...inputs.canaries.neverInserted].map((c) => ({
          value: c.secret,
          type: 'CANARY',
        }))
      : []),
  ];
  const redactor = new AuditRedactor(known);
  const targetAdapters = inputs.target.adapters ? { adapters: inputs.target.adapters } : {};

  // membership inference
  progress('membership', 0, 2);
  const scoring: ScoringModels = {
    model,
    tokenizer,
    ...(inputs.target.adapters ? { target: inputs.target.adapters } : {}),
    references: inputs.references.map((r) => r.adapters),
    batchSize,
  };
  const memberSignals = await computeSignals(scoring, inputs.members);
  progress('membership', 1, 2);
  const nonMemberSignals = await computeSignals(scoring, inputs.nonMembers);
  const membership = membershipAttacks(memberSignals, nonMemberSignals);
  progress('membership', 2, 2);

  // canaries
  let canaries: AuditResult['canaries'] = null;
  if (inputs.canaries) {
    progress('canaries', 0, 1);
    const { method, exposures } = await canaryExposures(
      { model, tokenizer, ...targetAdapters, batchSize: Math.max(batchSize, 64) },
      inputs.canaries,
      {
        random: seededAuditRandom(inputs.options?.seed ?? 0),
        ...(inputs.options?.exposureExactLimit !== undefined
          ? { exactLimit: inputs.options.exposureExactLimit }
          : {}),
        ...(inputs.options?.exposureSamples !== undefined ? { samples: inputs.options.exposureSamples } : {}),
        onProgress: (done, total) => progress('canaries', done, total),
      },
    );
    canaries = canaryResult(inputs.canaries, method, exposures);
  }

  // extraction and PII leakage
  progress('extraction', 0, 1);
  const extraction = await extractionAttack(
    { model, tokenizer, ...targetAdapters },
    inputs.extraction.records,
    {
      prefixTokens: inputs.extraction.prefixTokens,
      generatedTokens: inputs.extraction.generatedTokens,
      redactor,
      batchSize: 2 * batchSize,
    },
  );
  progress('extraction', 1, 1);
  progress('pii', 0, 1);
  const piiLeakage = await piiLeakageAttack({ model, tokenizer, ...targetAdapters }, inputs.pii.records, {
    redactor,
    batchSize: 2 * batchSize,
  });
  progress('pii', 1, 1);

  // one-run ε lower bound with the strongest membership score
  let epsilonLowerBound: AuditResult['epsilonLowerBound'] = null;
  if (inputs.oneRun && inputs.oneRun.included.length + inputs.oneRun.excluded.length >= 2) {
    progress('one-run', 0, 1);
    const included = await computeSignals(scoring, inputs.oneRun.included);
    const excluded = await computeSignals(scoring, inputs.oneRun.excluded);
    const name = membership.strongest;
    epsilonLowerBound = oneRunLowerBound(
      attackScores(included, nonMemberSignals)[name],
      attackScores(excluded, nonMemberSignals)[name],
      { delta: inputs.oneRun.delta, theoreticalEpsilon: inputs.theoreticalEpsilon, score: name },
    );
    progress('one-run', 1, 1);
  }

  // backdoor scan
  progress('backdoor', 0, 1);
  const dataFindings = scanDataForBackdoors(inputs.backdoor.trainingRecords);
  const triggers: TriggerCandidate[] = [
    ...dataFindings.map((f) => ({ trigger: f.trigger, source: 'data' as const, target: f.target })),
    ...(inputs.backdoor.userTriggers ?? []).map((t) => ({ trigger: t, source: 'user' as const })),
    ...RARE_TOKEN_TRIGGERS.map((t) => ({ trigger: t, source: 'model' as const })),
  ];
  const scan = await scanModelForBackdoors(
    { model, tokenizer, ...targetAdapters },
    {
      cleanPrompts: inputs.backdoor.cleanPrompts ?? inputs.nonMembers.slice(0, 16),
      triggers,
      batchSize: 2 * batchSize,
      ...(inputs.backdoor.promptTokens !== undefined ? { promptTokens: inputs.backdoor.promptTokens } : {}),
    },
  );
  const backdoor: BackdoorResult = {
    dataFindings: dataFindings.map((f) => ({ ...f, target: redactor.redact(f.target) })),
    modelFindings: scan.findings.map((f) => ({ ...f, target: redactor.redact(f.target) })),
    triggersTested: scan.triggersTested,
    verdict: backdoorVerdict(dataFindings.length, scan.findings.map(isTargetedFinding)),
  };
  progress('backdoor', 1, 1);

  const verdicts: Verdict[] = [
    membership.verdict,
    extraction.verdict,
    piiLeakage.verdict,
    backdoor.verdict,
    ...(canaries ? [canaries.verdict] : []),
    ...(epsilonLowerBound ? [epsilonLowerBound.verdict] : []),
  ];
  return AuditResultSchema.parse({
    version: 1,
    target: inputs.target.name,
    membership: {
      members: inputs.members.length,
      nonMembers: inputs.nonMembers.length,
      attacks: membership.attacks,
      strongest: membership.strongest,
      verdict: membership.verdict,
    },
    canaries,
    extraction,
    piiLeakage,
    epsilonLowerBound,
    backdoor,
    overall: worstVerdict(verdicts),
    thresholds: thresholdDescriptions(),
    seconds: (performance.now() - started) / 1000,
  });
}

function backdoorVerdict(dataFindings: number, modelTargeted: readonly boolean[]): Verdict {
  if (dataFindings > 0 || modelTargeted.some((t) => t)) return 'fail';
  return modelTargeted.length > 0 ? 'warn' : 'pass';
}
