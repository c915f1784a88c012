/**
 * Training-data extraction as discoverable memorisation (Carlini et al. 2021, "Extracting
 * Training Data from Large Language Models"; Carlini et al. 2023, "Quantifying Memorization
 * Across Neural Language Models"; Nasr et al. 2023, "Scalable Extraction of Training Data
 * from (Production) Language Models"): prompt with a training record's first k tokens,
 * decode n tokens greedily, and compare with the record's true next n tokens: exact match
 * (same tokens) and near match (normalised character edit distance ≤ 0.1 by default).
 */
import type { AdapterMap, CausalLm, TextTokenizer } from '../model/index.js';
import { scoringIds } from '../model/index.js';
import type { AuditRedactor } from './auditRedactor.js';
import type { ExtractionResult } from './auditResult.js';
import { normalisedEditDistance } from './editDistance.js';
import { greedyDecode } from './greedyDecoder.js';
import { rateVerdict, THRESHOLDS } from './verdicts.js';

export interface ExtractionOptions {
  readonly prefixTokens: number;
  readonly generatedTokens: number;
  readonly nearMatchThreshold?: number;
  /** Redacted examples kept (closest matches first; default 5). */
  readonly maxExamples?: number;
  readonly redactor: AuditRedactor;
  readonly batchSize?: number;
}

export interface DecodingModel {
  readonly model: CausalLm;
  readonly tokenizer: TextTokenizer;
  readonly adapters?: AdapterMap;
}

export async function extractionAttack(
  m: DecodingModel,
  records: readonly string[],
  options: ExtractionOptions,
): Promise<ExtractionResult> {
  const { prefixTokens: k, generatedTokens: n } = options;
  const threshold = options.nearMatchThreshold ?? THRESHOLDS.extraction.nearMatchDistance;
  const bos = m.model.config.bosTokenId;
  const items: { prompt: number[]; expected: number[] }[] = [];
  for (const text of records) {
    const ids = scoringIds(m.model, m.tokenizer, text);
    const start = bos !== null && ids[0] === bos ? 1 : 0; // k counts the record's own tokens
    const p = start + k;
    if (ids.length < p + n || p + n > m.model.config.contextLength) continue;
    items.push({ prompt: ids.slice(0, p), expected: ids.slice(p, p + n) });
  }
  const generated = await greedyDecode(
    m.model,
    items.map((i) => i.prompt),
    { newTokens: n, ...(m.adapters ? { adapters: m.adapters } : {}), batchSize: options.batchSize ?? 16 },
  );
  const decode = (ids: readonly number[]) => m.tokenizer.decode(ids, { skipSpecialTokens: true });
  const scored = items.map((item, i) => {
    const gen = generated[i]!;
    const expectedText = decode(item.expected);
    const generatedText = decode(gen);
    return {
      item,
      exact: gen.length === item.expected.length && gen.every((id, t) => id === item.expected[t]),
      distance: normalisedEditDistance(expectedText, generatedText),
      expectedText,
      generatedText,
    };
  });
  const exact = scored.filter((s) => s.exact).length;
  const near = scored.filter((s) => s.distance <= threshold).length;
  const rate = (c: number) => (scored.length === 0 ? 0 : c / scored.length);
  const seen = new Set<string>();
  const examples = [...scored]
    .sort((a, b) => a.distance - b.distance)
    .map((s) => ({
      prompt: options.redactor.redact(decode(s.item.prompt)),
      expected: options.redactor.redact(s.expectedText),
      generated: options.redactor.redact(s.generatedText),
      distance: s.distance,
    }))
    .filter((e) => {
      const key = JSON.stringify([e.prompt, e.expected, e.generated]);
      return !seen.has(key) && seen.add(key);
    })
    .slice(0, options.maxExamples ?? 5);
  return {
    records: scored.length,
    prefixTokens: k,
    generatedTokens: n,
    exactMatchRate: rate(exact),
    nearMatchRate: rate(near),
    nearMatchThreshold: threshold,
    examples,
    verdict: rateVerdict(rate(exact), THRESHOLDS.extraction.passExact, THRESHOLDS.extraction.warnExact),
  };
}
