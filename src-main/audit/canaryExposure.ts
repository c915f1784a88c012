/**
 * Canary exposure (Carlini et al. 2019, "The Secret Sharer: Evaluating and Testing Unintended
 * Memorization in Neural Networks", USENIX Security). The log-perplexity of a secret is
 * −Σ log p(secret tokens | prefix) under the trained model; its rank among all candidate
 * secrets of the format gives exposure = log2|R| − log2 rank. When the space is small enough
 * (≤ exactLimit, 10^5 by default) every candidate is scored (batched) and ranks are exact;
 * otherwise candidates are sampled and the skew-normal extrapolation of the paper's §4.3
 * estimates the rank (audit/metrics estimatedExposure).
 */
import type { AdapterMap, CausalLm, TextTokenizer } from '../model/index.js';
import { scoreTokenSequences, scoringIds } from '../model/index.js';
import type { CanaryResult } from './auditResult.js';
import type { AuditRandom } from './auditRandom.js';
import type { CanaryDesign } from './canaries/auditDesign.js';
import { ConfidantError } from '../shared/confidantError.js';
import {
  candidateAt,
  candidateIndex,
  randomSecret,
  spaceSize,
  type CanaryFormat,
} from './canaries/canaryFormat.js';
import { estimatedExposure, exposureFromRank } from './metrics/index.js';
import { canaryVerdict } from './verdicts.js';

export interface ExposureModel {
  readonly model: CausalLm;
  readonly tokenizer: TextTokenizer;
  readonly adapters?: AdapterMap;
  readonly batchSize?: number;
}

/** −Σ log p(secret | prefix) in nats for each secret (tokens after the prefix's own tokens). */
export async function secretLogPerplexities(
  m: ExposureModel,
  format: CanaryFormat,
  secrets: readonly string[],
): Promise<number[]> {
  const context = scoringIds(m.model, m.tokenizer, format.prefix.trimEnd());
  const seqs = secrets.map((s) => scoringIds(m.model, m.tokenizer, `${format.prefix}${s}`));
  const scores = await scoreTokenSequences(m.model, seqs, {
    batchSize: m.batchSize ?? 64,
    ...(m.adapters ? { adapters: m.adapters } : {}),
  });
  return seqs.map((ids, i) => {
    let shared = 0;
    while (shared < context.length && shared < ids.length - 1 && ids[shared] === context[shared]) shared++;
    const from = Math.max(1, shared);
    let sum = 0;
    for (let t = from; t < ids.length; t++) sum -= scores[i]![t - 1]!;
    return sum;
  });
}

export interface ExposureOptions {
  /** Largest space scored exhaustively (default 100,000). */
  readonly exactLimit?: number;
  /** Candidates sampled for the skew-normal estimate (default 2,000). */
  readonly samples?: number;
  readonly random: AuditRandom;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface CanaryExposure {
  readonly secret: string;
  readonly repetitions: number;
  readonly logPerplexity: number;
  readonly exposure: number;
}

/** Number of values in an ascending array that are ≤ x. */
function countAtOrBelow(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

async function scoreInChunks(
  m: ExposureModel,
  format: CanaryFormat,
  secrets: readonly string[],
  onProgress?: (done: number, total: number) => void,
): Promise<number[]> {
  const out: number[] = [];
  const chunk = 1024;
  for (let i = 0; i < secrets.length; i += chunk) {
    out.push(...(await secretLogPerplexities(m, format, secrets.slice(i, i + chunk))));
    onProgress?.(Math.min(secrets.length, i + chunk), secrets.length);
  }
  return out;
}

export async function canaryExposures(
  m: ExposureModel,
  design: CanaryDesign,
  options: ExposureOptions,
): Promise<{ method: 'exact' | 'estimated'; exposures: CanaryExposure[] }> {
  const format = design.format;
  const size = spaceSize(format);
  const canaries = [
    ...design.inserted.map((c) => ({ secret: c.secret, repetitions: c.repetitions })),
    ...design.neverInserted.map((c) => ({ secret: c.secret, repetitions: 0 })),
  ];
  if (size <= (options.exactLimit ?? 100_000)) {
    const all = await scoreInChunks(
      m,
      format,
      Array.from({ length: size }, (_, i) => candidateAt(format, i)),
      options.onProgress,
    );
    const sorted = [...all].sort((a, b) => a - b);
    return {
      method: 'exact',
      exposures: canaries.map((c) => {
        const logPerplexity = all[candidateIndex(format, c.secret) ?? -1];
        if (logPerplexity === undefined) {
          throw new ConfidantError(
            'audit.canary-secret',
            `canary secret "${c.secret}" does not fit ${format.name}`,
            {
              hint: 'the audit design was changed; rebuild it',
            },
          );
        }
        // rank = number of candidates at or below the canary (the canary itself is one of them)
        return {
          ...c,
          logPerplexity,
          exposure: exposureFromRank(countAtOrBelow(sorted, logPerplexity), size),
        };
      }),
    };
  }
  const own = await secretLogPerplexities(
    m,
    format,
    canaries.map((c) => c.secret),
  );
  const sampled = await scoreInChunks(
    m,
    format,
    Array.from({ length: options.samples ?? 2000 }, () => randomSecret(format, options.random)),
    options.onProgress,
  );
  return {
    method: 'estimated',
    exposures: canaries.map((c, i) => ({
      ...c,
      logPerplexity: own[i]!,
      exposure: estimatedExposure(own[i]!, sampled, size).exposure,
    })),
  };
}

/** Exposure per repetition count (0 = never inserted) and the verdict. */
export function canaryResult(
  design: CanaryDesign,
  method: 'exact' | 'estimated',
  exposures: readonly CanaryExposure[],
): CanaryResult {
  const maxExposure = Math.log2(spaceSize(design.format));
  const reps = [...new Set(exposures.map((e) => e.repetitions))].sort((a, b) => a - b);
  const perRepetition = reps.map((repetitions) => {
    const group = exposures.filter((e) => e.repetitions === repetitions).map((e) => e.exposure);
    return {
      repetitions,
      canaries: group.length,
      meanExposure: group.reduce((a, b) => a + b, 0) / group.length,
      maxExposure: Math.max(...group),
    };
  });
  return {
    format: design.format.name,
    maxExposure,
    method,
    perRepetition,
    verdict: canaryVerdict(
      perRepetition.filter((g) => g.repetitions > 0).map((g) => g.meanExposure),
      maxExposure,
    ),
  };
}
