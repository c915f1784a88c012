/**
 * Cody's erfc / erfcx and the tail-accurate log(erfc) (src-main/accountants/erfc.ts).
 * References: CPython's math.erfc (C99 libm, correctly rounded to ~1 ulp) for finite values,
 * and the asymptotic series erfc(x) ~ e^{−x²}/(x√π)·(1 − 1/(2x²) + 3/(4x⁴) − 15/(8x⁶))
 * (Abramowitz & Stegun 7.1.23) where erfc underflows.
 */
import { describe, expect, it } from 'vitest';
import { erfc, erfcx, logErfc } from '../../../src-main/accountants/erfc';

// [x, math.erfc(x)] from CPython 3 (python3 -c "import math; print(repr(math.erfc(x)))").
const CPYTHON_ERFC: Array<[number, number]> = [
  [-3.0, 1.9999779095030015],
  [-1.2, 1.9103139782296354],
  [-0.3, 1.3286267594591274],
  [0.0, 1.0],
  [0.2, 0.7772974107895215],
  [0.46875, 0.507386526782062],
  [0.5, 0.4795001221869535],
  [1.0, 0.15729920705028513],
  [2.5, 0.0004069520174449589],
  [3.9, 3.479224859723177e-8],
  [4.0, 1.541725790028002e-8],
  [4.1, 6.700027654084918e-9],
  [6.0, 2.1519736712498916e-17],
  [10.0, 2.088487583762545e-45],
  [20.0, 5.3958656116079005e-176],
  [26.0, 5.663192408856143e-296],
];

function asymptoticLogErfc(x: number): number {
  const u = 1 / (2 * x * x);
  return -x * x - Math.log(x * Math.sqrt(Math.PI)) + Math.log(1 - u + 3 * u * u - 15 * u * u * u);
}

describe('erfc (Cody 1969)', () => {
  it.each(CPYTHON_ERFC)('erfc(%f) matches CPython math.erfc to 1e-14 relative', (x, want) => {
    expect(Math.abs(erfc(x) - want) / want).toBeLessThan(1e-14);
  });

  it('logErfc agrees with log(erfc) where erfc is representable, and with the asymptotic series beyond', () => {
    for (const [x, want] of CPYTHON_ERFC) expect(logErfc(x)).toBeCloseTo(Math.log(want), 12);
    for (const x of [30, 50, 100, 1e4]) {
      expect(erfc(x)).toBe(0); // underflows: the log form is needed
      expect(Math.abs(logErfc(x) - asymptoticLogErfc(x)) / Math.abs(asymptoticLogErfc(x))).toBeLessThan(
        1e-12,
      );
    }
  });

  it('erfcx(x)·e^{−x²} = erfc(x), and erfcx is finite far out', () => {
    for (const x of [0.1, 0.7, 2, 5, 12]) {
      expect(erfcx(x) * Math.exp(-x * x)).toBeCloseTo(erfc(x), 15);
    }
    expect(erfcx(1e8) * 1e8 * Math.sqrt(Math.PI)).toBeCloseTo(1, 12);
  });
});
