// Precision and recall of the PII recognisers on a labelled synthetic set. The names are drawn
// by @faker-js/faker from eight locales with a seed the recogniser never saw; the recogniser's
// own word lists are separate hand-written lists (see nameLexicon.ts), so this can fail.
// Targets (issue 4): recall >= 0.95 on structured identifiers, >= 0.85 on names, precision >= 0.9.
import { describe, expect, it } from 'vitest';
import {
  generateSyntheticDataset,
  PiiEvaluator,
  PiiScanner,
  STRUCTURED_PII_TYPES,
} from '../../../../src-main/data/index';
import { GIVEN_NAMES, SURNAMES } from '../../../../src-main/data/pii/nameLexicon';

function evaluate(seed: number, records: number, options: { ignoreFacilities?: boolean } = {}) {
  const data = generateSyntheticDataset({ records, seed, questionAnswerFraction: 0.25 });
  const scanner = new PiiScanner();
  const evaluator = new PiiEvaluator();
  for (const record of data) {
    for (const field of ['text', 'prompt', 'response'] as const) {
      const text = record[field];
      if (text)
        evaluator.add(
          record.piiSpans.filter((s) => s.field === field),
          scanner.scan(text).filter((m) => !options.ignoreFacilities || m.source !== 'facility'),
        );
    }
  }
  return { data, scores: evaluator.scores() };
}

describe('PII recognisers on held-out synthetic notes', () => {
  const { data, scores } = evaluate(90_210, 400);

  it('is tested on names mostly outside the recogniser dictionary', () => {
    const names = data.flatMap((r) => r.piiSpans.filter((s) => s.type === 'NAME').map((s) => s.text));
    const tokens = names.flatMap((n) => n.split(/[\s,]+/)).filter(Boolean);
    const inDictionary = tokens.filter(
      (t) => GIVEN_NAMES.has(t.toLowerCase()) || SURNAMES.has(t.toLowerCase()),
    );
    expect(inDictionary.length / tokens.length).toBeLessThan(0.35);
  });

  it('meets the targets: structured recall >= 0.95, name recall >= 0.85, precision >= 0.9', () => {
    expect(scores.STRUCTURED.recall).toBeGreaterThanOrEqual(0.95);
    expect(scores.NAME.recall).toBeGreaterThanOrEqual(0.85);
    expect(scores.ALL.precision).toBeGreaterThanOrEqual(0.9);
    expect(scores.NAME.precision).toBeGreaterThanOrEqual(0.9);
    expect(scores.STRUCTURED.precision).toBeGreaterThanOrEqual(0.9);
  });

  it('does not drop below the figures measured before issue 20 (same seed and size)', () => {
    // Before: name recall 0.9710, name precision 1.0000, structured recall and precision 1.0000.
    // The generator leaves facility names unlabelled ("treated at Addenbrooke Hospital"), which
    // issue 20 asks to flag as locations, so structured precision is compared without them.
    const { scores: adjusted } = evaluate(90_210, 400, { ignoreFacilities: true });
    expect(scores.NAME.recall).toBeGreaterThanOrEqual(0.971);
    expect(scores.NAME.precision).toBeGreaterThanOrEqual(0.999);
    expect(scores.STRUCTURED.recall).toBeGreaterThanOrEqual(0.999);
    expect(adjusted.STRUCTURED.precision).toBeGreaterThanOrEqual(0.999);
  });

  it('finds every structured type that occurs with recall >= 0.9', () => {
    for (const type of STRUCTURED_PII_TYPES) {
      expect(scores[type].gold, type).toBeGreaterThan(0);
      expect(scores[type].recall, type).toBeGreaterThanOrEqual(0.9);
    }
  });
});

describe('PiiScanner', () => {
  const scanner = new PiiScanner();
  const found = (text: string) => scanner.scan(text).map((m) => [m.type, m.text]);

  it('recognises the common formats with their spans', () => {
    const text =
      'Pt: Oluwaseun Adeyemi, DOB 3/7/1931, 93 y/o. SSN 123-45-6789. Call (617) 555-0199; fax: 617.555.0100. ' +
      'Email o.adeyemi@example.com, portal https://mychart.example.org/p/123. MRN# A1234567. ' +
      'Lives at 42 Beacon Hill Road, Boston, MA 02108. Device serial number PX-88812A. IP 192.168.10.4.';
    expect(found(text)).toEqual([
      ['NAME', 'Oluwaseun Adeyemi'],
      ['DATE', '3/7/1931'],
      ['AGE', '93'],
      ['SSN', '123-45-6789'],
      ['PHONE', '(617) 555-0199'],
      ['FAX', '617.555.0100'],
      ['EMAIL', 'o.adeyemi@example.com'],
      ['URL', 'https://mychart.example.org/p/123'],
      ['MRN', 'A1234567'],
      ['ADDRESS', '42 Beacon Hill Road'],
      ['ADDRESS', 'Boston'],
      ['ZIP', '02108'],
      ['DEVICE_ID', 'PX-88812A'],
      ['IP', '192.168.10.4'],
    ]);
    const name = scanner.scan(text)[0]!;
    expect(text.slice(name.start, name.end)).toBe('Oluwaseun Adeyemi');
    expect(name.confidence).toBeGreaterThan(0.8);
  });

  it('does not flag clinical text without identifiers (ages under 90, doses, vitals, departments)', () => {
    const text =
      'A 74-year-old woman seen in the Emergency Department. BP 132/78, HR 84. Started Metformin 500 mg twice daily. ' +
      'Chest X-ray clear. Follow up in Cardiology Clinic in 6 weeks. Grade 2 ulcer. Aged 45, non-smoker.';
    expect(found(text)).toEqual([]);
  });

  it('returns a name found in pieces as one span', () => {
    const text = 'HOSPITAL COURSE: Kadin Swift was admitted. Mr. Swift and Kadin Swift agreed.';
    expect(found(text)).toEqual([
      ['NAME', 'Kadin Swift'],
      ['NAME', 'Swift'],
      ['NAME', 'Kadin Swift'],
    ]);
  });

  it('accepts custom patterns for medical record numbers', () => {
    const custom = new PiiScanner({
      cuedPatterns: [{ type: 'MRN', cue: 'Hosp ID', value: 'H-\\d{4}-\\d{4}' }],
    });
    expect(custom.scan('Hosp ID: H-2024-0042 admitted').map((m) => m.text)).toEqual(['H-2024-0042']);
  });
});
