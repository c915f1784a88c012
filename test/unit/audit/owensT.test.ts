/**
 * Owen's T function (Owen 1956) and the normal CDF it rests on. Reference values: the spot
 * values published with Patefield & Tandy's algorithm (J. Stat. Software 5(5), 2000; also
 * Boost.Math's owens_t tests), each re-checked against 40-digit quadrature of the defining
 * integral with mpmath; values for a > 1 and log Φ from reference/goldenValues.py (mpmath,
 * 50 digits). Plus Owen's closed forms: T(h, 0) = 0, T(0, a) = atan(a)/2π,
 * T(h, 1) = ½Φ(h)(1 − Φ(h)), T(h, ∞) = ½(1 − Φ(|h|)), evenness in h and oddness in a.
 */
import { describe, expect, it } from 'vitest';
import { normalCdf, normalLogCdf, owensT } from '../../../src-main/audit/metrics/index.js';

const relativeError = (actual: number, expected: number) => Math.abs(actual - expected) / Math.abs(expected);

describe('owensT', () => {
  it.each([
    [0.0625, 0.25, 0.03891193023470137],
    [6.5, 0.4375, 2.0005773048508314e-11],
    [7, 0.96875, 6.399062719389869e-13],
    [4.78125, 0.0625, 1.0632974804687464e-7],
    [2, 0.5, 0.008625077985521507],
    [1, 0.9999975, 0.0667418089782286],
  ])('T(%f, %f) matches the published value (Patefield & Tandy 2000)', (h, a, expected) => {
    expect(relativeError(owensT(h, a), expected)).toBeLessThan(1e-13);
  });

  it.each([
    [0.5, 2, 0.1415806036539784],
    [1, 2, 0.0784681869930841],
    [0.5, 5, 0.1541321936687864],
    [3, 10, 0.0006749490158150473],
    [0.25, 1, 0.1201285306350883],
  ])('T(%f, %f) for a ≥ 1 matches 50-digit quadrature', (h, a, expected) => {
    expect(relativeError(owensT(h, a), expected)).toBeLessThan(1e-12);
  });

  it('satisfies Owen’s closed forms and symmetries', () => {
    for (const h of [0, 0.3, 1, 2.5, 5]) {
      expect(owensT(h, 0)).toBe(0);
      const phi = normalCdf(h);
      expect(owensT(h, 1)).toBeCloseTo(0.5 * phi * (1 - phi), 15);
      expect(owensT(h, Number.POSITIVE_INFINITY)).toBeCloseTo(0.5 * normalCdf(-h), 15);
      expect(owensT(-h, 0.7)).toBe(owensT(h, 0.7));
      expect(owensT(h, -0.7)).toBe(-owensT(h, 0.7));
      expect(owensT(h, 1e6)).toBeCloseTo(0.5 * normalCdf(-h), 6);
    }
    for (const a of [0.1, 1, 3, 100]) expect(owensT(0, a)).toBeCloseTo(Math.atan(a) / (2 * Math.PI), 15);
  });
});

describe('normalCdf / normalLogCdf', () => {
  it('matches 20-digit values of Φ', () => {
    expect(relativeError(normalCdf(1.96), 0.9750021048517795)).toBeLessThan(1e-15);
    expect(relativeError(normalCdf(-3), 0.0013498980316300946)).toBeLessThan(1e-14);
    expect(normalCdf(0)).toBe(0.5);
  });

  it.each([
    [-1.96, -3.6889636517296385],
    [-5, -15.064998393988725],
    [-10, -53.23128515051247],
    [-40, -804.6084420137538],
    [-300, -45006.62273211866],
    [3, -0.0013508099647481938],
  ])('log Φ(%f) matches 50-digit mpmath, far into the tail', (x, expected) => {
    expect(relativeError(normalLogCdf(x), expected)).toBeLessThan(1e-13);
  });

  it('Φ(x) + Φ(−x) = 1', () => {
    for (let x = -8; x <= 8; x += 0.37) expect(normalCdf(x) + normalCdf(-x)).toBeCloseTo(1, 15);
  });
});
