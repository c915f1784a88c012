/**
 * Membership scores against hand-computed worked examples: loss (Yeom et al. 2018),
 * reference calibration (Watson et al. 2022), zlib ratio (Carlini et al. 2021; zlib entropy
 * equal to Python's len(zlib.compress(...)), checked here against values computed with
 * CPython's zlib: 19 and 45 bytes), min-k% (Shi et al. 2024), min-k%++ (Zhang et al. 2024)
 * and offline RMIA (Zarifzadeh et al. 2024).
 */
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  lossScore,
  meanOfLowest,
  minKPlusPlusScore,
  minKScore,
  referenceScore,
  rmiaScores,
  zlibEntropy,
  zlibScore,
} from '../../../src-main/audit/membershipScores.js';

describe('membership scores', () => {
  it('loss: mean token log-likelihood', () => {
    expect(lossScore([-1, -2, -3])).toBeCloseTo(-2, 12);
    expect(() => lossScore([])).toThrow(/fewer than two tokens/);
  });

  it('reference: target mean log-likelihood minus the references’ mean', () => {
    // target loss 1, reference losses 2 and 4 (mean 3): 3 − 1 = 2
    expect(
      referenceScore(
        [-1, -1],
        [
          [-2, -2],
          [-4, -4, -4],
        ],
      ),
    ).toBeCloseTo(2, 12);
    expect(() => referenceScore([-1], [])).toThrow(/reference model/);
  });

  it('zlib: entropy is the zlib-compressed length (CPython: 19 and 45 bytes); score = mean / entropy', () => {
    expect(zlibEntropy('hello world')).toBe(19);
    const text = 'Patient MRN 4829-1177 seen today. '.repeat(5);
    expect(zlibEntropy(text)).toBe(45);
    expect(zlibEntropy(text)).toBe(deflateSync(Buffer.from(text, 'utf8')).length);
    expect(zlibScore(text, [-2, -4])).toBeCloseTo(-3 / 45, 12);
    // multi-byte characters are compressed as UTF-8
    expect(zlibEntropy('é')).toBe(deflateSync(Buffer.from([0xc3, 0xa9])).length);
  });

  it('min-k: mean of the ⌊k·n⌋ least likely tokens (at least one)', () => {
    const lp = [-0.1, -5, -0.2, -3, -0.3, -0.4, -0.5, -0.6, -0.7, -0.8];
    expect(minKScore(lp, 0.2)).toBeCloseTo(-4, 12); // −5 and −3
    expect(minKScore(lp, 0.3)).toBeCloseTo((-5 - 3 - 0.8) / 3, 12);
    expect(minKScore([-1, -2, -3], 0.2)).toBe(-3); // ⌊0.6⌋ = 0 → one token
    expect(meanOfLowest([3, 1, 2], 1)).toBe(2);
  });

  it('min-k++: tokens standardised by the next-token distribution, then min-k', () => {
    // z = (−1 + 1.5)/0.5 = 1, (−2 + 1)/2 = −0.5, (−0.5 + 1)/0.25 = 2
    const stats = { mean: [-1.5, -1, -1], std: [0.5, 2, 0.25] };
    expect(minKPlusPlusScore([-1, -2, -0.5], stats, 0.2)).toBeCloseTo(-0.5, 12);
    expect(minKPlusPlusScore([-1, -2, -0.5], stats, 0.67)).toBeCloseTo((1 - 0.5) / 2, 12);
    // a one-hot distribution (σ = 0) gives z = 0
    expect(minKPlusPlusScore([-3], { mean: [0], std: [0] })).toBe(0);
  });

  it('rmia: fraction of population z with LR(x, z) ≥ γ, offline p(x) = ½((1+a)p_OUT + 1 − a)', () => {
    // x: p(x|θ) = 0.5, p_OUT(x) = 0.4 → p(x) = ½(1.3·0.4 + 0.7) = 0.61, ratio 0.5/0.61 = 0.8197
    // z1: 0.2/0.4 = 0.5 → LR 1.639; z2: 0.6/0.3 = 2 → LR 0.41
    const cand = { target: [Math.log(0.5)], references: [[Math.log(0.4)]] };
    const pop = { target: [Math.log(0.2), Math.log(0.6)], references: [[Math.log(0.4), Math.log(0.3)]] };
    const ratio = 0.5 / 0.61;
    const tie = ratio / (1 + ratio) / (2 * 3);
    expect(rmiaScores(cand, pop)[0]).toBeCloseTo(0.5 + tie, 12);
    expect(rmiaScores(cand, pop, { gamma: 1.6 })[0]).toBeCloseTo(0.5 + tie, 12);
    expect(rmiaScores(cand, pop, { gamma: 1.7 })[0]).toBeCloseTo(tie, 12);
    // a = 1: p(x) = p_OUT(x) → ratio 1.25: LR(x, z1) = 2.5, LR(x, z2) = 0.625
    const r1 = 1.25 / 2.25 / 6;
    expect(rmiaScores(cand, pop, { a: 1 })[0]).toBeCloseTo(0.5 + r1, 12);
    // leave-one-out: x is z1 itself → only z2 counts (total 1)
    const self = rmiaScores(cand, pop, { sameAs: [0] })[0]!;
    expect(self).toBeCloseTo(0 + ratio / (1 + ratio) / (2 * 2), 12);
  });

  it('rmia: the tie-break never reorders different fractions', () => {
    const pop = {
      target: [-3, -2, -1, -0.5].map((x) => x),
      references: [[-2, -2, -2, -2]],
    };
    const cand = { target: [-2.5, -1.5, -0.75, -0.1], references: [[-2, -2, -2, -2]] };
    const s = rmiaScores(cand, pop, { a: 1 }); // a = 1: p(x) = p_OUT(x), log ratio = target + 2
    expect([...s].sort((a, b) => a - b)).toEqual(s);
    // log ratios: x −0.5, 0.5, 1.25, 1.9; z −1, 0, 1, 1.5 → 1, 2, 3, 4 of 4 at or below
    expect(s.map((v) => Math.floor(v * 4))).toEqual([1, 2, 3, 4]);
  });
});
