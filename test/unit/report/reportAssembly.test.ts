// Comparison notes and the reproducibility record are derived from the runs, never typed in.
import { describe, expect, it } from 'vitest';
import { buildReproducibility, comparisonNotes } from '../../../src-main/report/reportAssembly';
import { ReproducibilitySchema } from '../../../src-main/report/reportModel';
import { buildReportFixture } from '../../fixtures/report/reportFixture';

describe('comparisonNotes', () => {
  const { runs } = buildReportFixture();

  it('compares the non-private and the private run with their own numbers', () => {
    const notes = comparisonNotes(runs);
    expect(notes[0]).toBe(
      'Differential privacy lowered the strongest membership-inference AUC: 0.85 without DP, 0.52 with DP (0.50 is guessing).',
    );
    expect(notes[1]).toBe(
      'Canaries repeated 16 times reached a mean exposure of 26.5 bits without DP and 1.7 bits with DP.',
    );
    expect(notes[2]).toContain('3.5% without DP, 0.0% with DP');
    expect(notes[3]).toContain('7.25 with DP against 5.55 without');
  });

  it('is empty without a pair of audited runs to compare', () => {
    expect(comparisonNotes([runs[1]!])).toEqual([]);
    expect(comparisonNotes([runs[0]!, { ...runs[1]!, audit: null }])).toEqual([]);
  });
});

describe('buildReproducibility', () => {
  it('takes every fingerprint from the runs and always lists the unrecorded randomness', () => {
    const { runs } = buildReportFixture();
    const record = buildReproducibility({ runs, versions: { confidant: '0.1.0' }, seeds: { split: 7 } });
    expect(ReproducibilitySchema.parse(record)).toEqual(record);
    expect(record.neverRecorded).toEqual(['dp-noise', 'poisson-sampling']);
    expect(record.hashes['adapter dp-eps3']).toBe(runs[1]!.training.adapter.sha256);
    expect(record.hashes['dataset synthetic-clinical-notes']).toBe(runs[0]!.training.dataset.sha256);
    expect(Object.keys(record.hashes)).toHaveLength(4);
  });
});
