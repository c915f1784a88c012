// The verdict page's plain words follow the audit verdicts and the privacy numbers.
import { describe, expect, it } from 'vitest';
import { flattenConfig } from '../../../src-main/report/reportRecordSections';
import { formatDelta, formatEpsilon, formatHash, formatInteger } from '../../../src-main/report/reportFormat';
import { runVerdict } from '../../../src-main/report/verdictText';
import { buildReportFixture } from '../../fixtures/report/reportFixture';

describe('runVerdict', () => {
  const [baseline, dp] = buildReportFixture().runs as [
    ReturnType<typeof buildReportFixture>['runs'][0],
    ReturnType<typeof buildReportFixture>['runs'][0],
  ];

  it('a passing DP run: "did not measurably leak", with its ε and δ', () => {
    const v = runVerdict(dp);
    expect(v.tone).toBe('pass');
    expect(v.headline).toBe('The private model did not measurably leak its training data.');
    expect(v.facts[0]).toContain('ε = 2.99, δ = 1e-5, per patient');
    expect(v.boundViolation).toBeNull();
  });

  it('a failing non-private run says it leaked and has no guarantee', () => {
    const v = runVerdict(baseline);
    expect(v.tone).toBe('fail');
    expect(v.headline).toMatch(/^The model leaked its training data/);
    expect(v.facts[0]).toMatch(/without differential privacy/);
    expect(v.facts[1]).toContain('AUC 0.85');
  });

  it('a measured lower bound above the guarantee overrides a pass', () => {
    const broken = structuredClone(dp);
    broken.audit!.epsilonLowerBound!.epsilonLowerBound = 3.5;
    const v = runVerdict(broken);
    expect(v.tone).toBe('fail');
    expect(v.boundViolation).toContain('ε ≥ 3.50');
    expect(v.boundViolation).toContain('ε = 2.99');
  });

  it('an unaudited run says so', () => {
    const v = runVerdict({ ...dp, audit: null });
    expect(v.tone).toBe('none');
    expect(v.headline).toMatch(/not attacked/);
  });
});

describe('report formatting', () => {
  it('formats ε, δ, hashes, integers and configurations', () => {
    expect(formatEpsilon(null)).toBe('∞ (no guarantee)');
    expect(formatEpsilon(2.9871)).toBe('2.99');
    expect(formatDelta(1e-5)).toBe('1e-5');
    expect(formatDelta(0.00012)).toBe('1.2e-4');
    expect(formatHash('abcdef0123')).toBe('abcd ef01 23');
    expect(formatInteger(1234567)).toBe('1,234,567');
    expect(flattenConfig({ b: 1, a: { y: [1, 2], x: 'z' } })).toEqual([
      ['a.x', '"z"'],
      ['a.y', '[1,2]'],
      ['b', '1'],
    ]);
  });
});
