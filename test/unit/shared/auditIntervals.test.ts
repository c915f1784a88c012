// The Audit screen's 95% intervals (issue #23, item 7) against published numbers.
import { describe, expect, it } from 'vitest';
import { aucInterval, wilsonInterval } from '../../../src-main/shared/auditIntervals';

describe('wilsonInterval', () => {
  it('matches Newcombe (1998), Table II, method 3 (Wilson score)', () => {
    // 81/263 → 0.2553–0.3662; 15/148 → 0.0624–0.1605; 0/20 → 0–0.1611; 1/29 → 0.0061–0.1718
    const cases: Array<[number, number, number, number]> = [
      [81, 263, 0.2553, 0.3662],
      [15, 148, 0.0624, 0.1605],
      [0, 20, 0, 0.1611],
      [1, 29, 0.0061, 0.1718],
    ];
    for (const [r, n, low, high] of cases) {
      const interval = wilsonInterval(r, n)!;
      expect(interval.low, `${r}/${n}`).toBeCloseTo(low, 4);
      expect(interval.high, `${r}/${n}`).toBeCloseTo(high, 4);
    }
    expect(wilsonInterval(0, 0)).toBeNull();
  });
});

describe('aucInterval', () => {
  it('uses the Hanley–McNeil standard error (A = 0.8, 50 and 50 cases: SE ≈ 0.0445)', () => {
    const { low, high } = aucInterval(0.8, 50, 50)!;
    expect((high - low) / 2 / 1.959963984540054).toBeCloseTo(0.0445, 3);
    expect((low + high) / 2).toBeCloseTo(0.8, 10);
  });

  it('narrows with more cases and stays within [0, 1]', () => {
    const small = aucInterval(0.6, 20, 20)!;
    const large = aucInterval(0.6, 2000, 2000)!;
    expect(large.high - large.low).toBeLessThan((small.high - small.low) / 5);
    const edge = aucInterval(0.99, 10, 10)!;
    expect(edge.high).toBeLessThanOrEqual(1);
    expect(aucInterval(0.5, 0, 10)).toBeNull();
  });
});
