/**
 * Skew-normal maximum likelihood (issue 18) against scipy 1.17.1's `skewnorm.fit`, the fit TF
 * Privacy's compute_exposure_extrapolation uses. Reference, for the 60 values below:
 * a = 3.2355677222210977, loc = 1.9845000325400655, scale = 1.5056477795622847,
 * log-likelihood −80.83645184857431.
 */
import { describe, expect, it } from 'vitest';
import { fitSkewNormalByMoments } from '../../../src-main/audit/metrics/skewNormal.js';
import {
  fitSkewNormalByMaximumLikelihood,
  skewNormalLogLikelihood,
} from '../../../src-main/audit/metrics/skewNormalMle.js';

// skewnorm.ppf((i − ½)/60, 3, loc=2, scale=1.5) + 0.05·sin(i), rounded to 6 decimals
const X = [
  1.305684, 1.603402, 1.74649, 1.810413, 1.848767, 1.910236, 2.007896, 2.112724, 2.183089, 2.204678, 2.204717,
  2.227675, 2.294908, 2.385425, 2.455498, 2.479112, 2.472088, 2.477703, 2.527048, 2.610567, 2.68695, 2.721212,
  2.716948, 2.713105, 2.748254, 2.825196, 2.908458, 2.95697, 2.961891, 2.954802, 2.978734, 3.048673, 3.137846,
  3.202412, 3.221837, 3.217855, 3.234569, 3.297991, 3.392232, 3.474214, 3.513402, 3.520014, 3.535786,
  3.595778, 3.696353, 3.798767, 3.865084, 3.893412, 3.920079, 3.986778, 4.102929, 4.23793, 4.350512, 4.428391,
  4.502067, 4.620709, 4.813699, 5.077059, 5.411748, 5.989223,
];

describe('skew-normal maximum likelihood', () => {
  it('matches scipy.stats.skewnorm.fit', () => {
    const fit = fitSkewNormalByMaximumLikelihood(X);
    expect(skewNormalLogLikelihood(X, fit)).toBeGreaterThanOrEqual(-80.83645184857431 - 1e-6);
    expect(fit.shape).toBeCloseTo(3.2355677222210977, 1);
    expect(fit.location).toBeCloseTo(1.9845000325400655, 2);
    expect(fit.scale).toBeCloseTo(1.5056477795622847, 2);
  });

  it('fits better than the method of moments', () => {
    const moments = fitSkewNormalByMoments(X);
    expect(skewNormalLogLikelihood(X, fitSkewNormalByMaximumLikelihood(X))).toBeGreaterThan(
      skewNormalLogLikelihood(X, moments) + 1e-3,
    );
  });
});
