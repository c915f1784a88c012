import { describe, expect, it } from 'vitest';
import { Pseudonymiser, PiiScanner, parseDate, redactText } from '../../../../src-main/data/index';

const scanner = new PiiScanner();
const KEY = Buffer.alloc(32, 7);

describe('redactText', () => {
  it('replaces every identifier with its type and keeps the rest', () => {
    const text = 'Patient: Ingrid Johansson, MRN 88812345, seen 2023-04-05 by Dr. Okafor.';
    expect(redactText(text, scanner.scan(text))).toBe(
      'Patient: [NAME], MRN [MRN], seen [DATE] by Dr. [NAME].',
    );
  });
});

describe('Pseudonymiser', () => {
  const p = new Pseudonymiser(KEY);
  const run = (text: string, subject = 's1') => p.pseudonymise(text, scanner.scan(text), subject);

  it('gives the same person the same fake name across records, full name or surname alone', () => {
    const a = run('Patient: Ingrid Johansson, seen today.');
    const b = run('Mrs. Johansson returned; Ingrid Johansson is stable.', 's1');
    const fake = a.match(/Patient: (\S+ \S+),/)![1]!;
    const [fakeFirst, fakeLast] = fake.split(' ');
    expect(b).toBe(`Mrs. ${fakeLast} returned; ${fakeFirst} ${fakeLast} is stable.`);
    expect(a + b).not.toMatch(/Ingrid|Johansson/);
  });

  it('rarely gives two different surnames the same surrogate', () => {
    const surnames = Array.from({ length: 500 }, (_, i) => `Zorbanek${i.toString(36)}`);
    const surrogates = new Set(surnames.map((n) => p.nameToken(n)));
    // Birthday bound: 1/16 single surnames (197) and 15/16 double-barrelled (~39,000): ~5 clashes expected.
    expect(surrogates.size).toBeGreaterThanOrEqual(485);
  });

  it('depends on the key: another store gives other surrogates', () => {
    const other = new Pseudonymiser(Buffer.alloc(32, 8));
    const text = 'Patient: Ingrid Johansson, MRN 88812345.';
    expect(other.pseudonymise(text, scanner.scan(text))).not.toBe(run(text));
  });

  it('shifts dates by one keyed offset per subject, keeping intervals and formats', () => {
    const out = run('Admitted 2023-03-01, discharged 2023-03-11.', 'patient-9');
    const [a, b] = out.match(/\d{4}-\d{2}-\d{2}/g)!.map((d) => Date.parse(d));
    expect((b! - a!) / 86_400_000).toBe(10);
    expect(out).not.toContain('2023-03-01');
    const shift = p.dateShiftDays('patient-9');
    expect(Math.abs(shift)).toBeLessThanOrEqual(365);
    expect(run('on 03/01/2023', 'patient-9')).toMatch(/^on \d{2}\/\d{2}\/\d{4}$/);
  });

  it('keeps the shape of structured identifiers, consistently, and bins ages over 89', () => {
    const one = run('MRN 88812345; phone (617) 555-0199; aged 94.');
    expect(one).toMatch(/^MRN \d{8}; phone \(\d{3}\) \d{3}-\d{4}; aged 90\+\.$/);
    expect(one).not.toContain('88812345');
    expect(run('MRN 88812345')).toBe(one.slice(0, 12));
  });
});

describe('parseDate', () => {
  it('reads the recognised formats', () => {
    for (const value of [
      '2023-03-14',
      '03/14/2023',
      '3/14/23',
      '14.03.2023',
      'March 14, 2023',
      '14 Mar 2023',
    ]) {
      const parsed = parseDate(value);
      expect(parsed?.date.toISOString().slice(0, 10), value).toBe('2023-03-14');
      expect(parsed!.format(parsed!.date), value).toBe(value);
    }
    expect(parseDate('Tuesday')).toBeNull();
  });
});
