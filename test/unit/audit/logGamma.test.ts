/**
 * log Γ (Lanczos below 20, Stirling's series above) against exact factorials, Γ(½) = √π and
 * 20-digit values (mpmath.loggamma): log Γ(100) = 359.13420536957539878, log Γ(1e5) =
 * 1051287.7089736569, log Γ(19.5) = 37.86108650896110.
 */
import { describe, expect, it } from 'vitest';
import { logGamma } from '../../../src-main/audit/metrics/logGamma.js';

describe('logGamma', () => {
  it('equals log((n − 1)!) for whole n, on both sides of the Lanczos/Stirling switch', () => {
    let logFactorial = 0;
    for (let n = 1; n <= 40; n++) {
      expect(logGamma(n)).toBeCloseTo(logFactorial, 12);
      logFactorial += Math.log(n);
    }
  });

  it('matches Γ(½) = √π and high-precision values', () => {
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 14);
    expect(Math.abs(logGamma(100) / 359.1342053695754 - 1)).toBeLessThan(1e-15);
    expect(Math.abs(logGamma(1e5) / 1051287.7089736569 - 1)).toBeLessThan(1e-15);
    expect(Math.abs(logGamma(19.5) - 37.8610865089611)).toBeLessThan(1e-12);
  });
});
