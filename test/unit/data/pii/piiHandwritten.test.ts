// A small hand-written set (test/fixtures/data/pii-handwritten.jsonl) in phrasings the
// synthetic generator never uses (UK formats, eponyms, names without cues). It measures how
// the recognisers generalise beyond the generator's templates; the thresholds are lower than
// the synthetic targets and the scores are printed so regressions are visible.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { PiiEvaluator, PiiScanner, PII_TYPES, type PiiSpan } from '../../../../src-main/data/index';

const rowSchema = z.object({ text: z.string(), pii: z.array(z.tuple([z.enum(PII_TYPES), z.string()])) });
const rows = readFileSync(
  resolve(import.meta.dirname, '../../../fixtures/data/pii-handwritten.jsonl'),
  'utf8',
)
  .split('\n')
  .filter(Boolean)
  .map((line) => rowSchema.parse(JSON.parse(line)));

function spans(text: string, labels: Array<[PiiSpan['type'], string]>): PiiSpan[] {
  return labels.map(([type, value]) => {
    const start = text.indexOf(value);
    if (start < 0) throw new Error(`"${value}" not in "${text}"`);
    return { type, start, end: start + value.length, text: value };
  });
}

describe('PII recognisers on hand-written notes', () => {
  it('generalises beyond the synthetic templates', () => {
    const scanner = new PiiScanner();
    const evaluator = new PiiEvaluator();
    const misses: string[] = [];
    for (const row of rows) {
      const gold = spans(row.text, row.pii);
      const predicted = scanner.scan(row.text);
      evaluator.add(gold, predicted);
      for (const g of gold) {
        if (!predicted.some((p) => p.type === g.type && p.start < g.end && g.start < p.end))
          misses.push(`${g.type}:${g.text}`);
      }
      for (const p of predicted) {
        if (!gold.some((g) => p.type === g.type && p.start < g.end && g.start < p.end))
          misses.push(`extra ${p.type}:${p.text}`);
      }
    }
    const s = evaluator.scores();
    console.log(
      JSON.stringify({
        name: [s.NAME.precision, s.NAME.recall],
        structured: [s.STRUCTURED.precision, s.STRUCTURED.recall],
        misses,
      }),
    );
    expect(s.STRUCTURED.recall).toBeGreaterThanOrEqual(0.8);
    expect(s.NAME.recall).toBeGreaterThanOrEqual(0.7);
    expect(s.ALL.precision).toBeGreaterThanOrEqual(0.8);
  });
});
