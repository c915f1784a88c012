import { describe, expect, it } from 'vitest';
import { generateSyntheticDataset } from '../../../src-main/data/index';

describe('generateSyntheticDataset', () => {
  const data = generateSyntheticDataset({ records: 300, seed: 11, questionAnswerFraction: 0.2 });

  it('is deterministic for a seed and different across seeds', () => {
    expect(generateSyntheticDataset({ records: 20, seed: 5 })).toEqual(
      generateSyntheticDataset({ records: 20, seed: 5 }),
    );
    expect(generateSyntheticDataset({ records: 20, seed: 6 })[0]!.text).not.toBe(
      generateSyntheticDataset({ records: 20, seed: 5 })[0]!.text,
    );
  });

  it('returns the requested number of records, several per patient, each patient in one split', () => {
    expect(data).toHaveLength(300);
    const bySubject = new Map<string, Set<string>>();
    for (const r of data) bySubject.set(r.subjectId, (bySubject.get(r.subjectId) ?? new Set()).add(r.split));
    expect(data.length / bySubject.size).toBeGreaterThan(2);
    for (const splits of bySubject.values()) expect(splits.size).toBe(1);
    expect(new Set(data.map((r) => r.split))).toEqual(new Set(['train', 'validation', 'test']));
  });

  it('has notes in five formats and question/answer pairs', () => {
    const kinds = new Set(data.map((r) => r.kind));
    expect(kinds).toEqual(
      new Set([
        'progress-note',
        'discharge-summary',
        'referral-letter',
        'nursing-note',
        'telephone-encounter',
        'question-answer',
      ]),
    );
    for (const r of data) {
      if (r.kind === 'question-answer') expect(r.prompt && r.response).toBeTruthy();
      else expect(r.text).toBeTruthy();
    }
  });

  it('records spans that point exactly at the planted identifiers', () => {
    for (const r of data) {
      for (const s of r.piiSpans) expect(r[s.field]!.slice(s.start, s.end)).toBe(s.text);
    }
    const ages = data.flatMap((r) => r.piiSpans.filter((s) => s.type === 'AGE'));
    expect(ages.length).toBeGreaterThan(0);
    for (const a of ages) expect(Number(a.text)).toBeGreaterThan(89);
  });
});
