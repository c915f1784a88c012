/**
 * The binomial distribution Binomial(n, q), in log space so that n in the hundreds of
 * thousands and q within 1e-300 of 0 or 1 stay exact to double precision.
 */
import { logGamma } from './logGamma.js';

/** P[Binomial(n, q) = k] for k = 0..n, given log q and log(1 − q). */
export function binomialPmfs(n: number, logQ: number, logOneMinusQ: number): Float64Array {
  const pmfs = new Float64Array(n + 1);
  const logNFactorial = logGamma(n + 1);
  for (let k = 0; k <= n; k++) {
    const logChoose = logNFactorial - logGamma(k + 1) - logGamma(n - k + 1);
    const kTerm = k === 0 ? 0 : k * logQ;
    const restTerm = k === n ? 0 : (n - k) * logOneMinusQ;
    pmfs[k] = Math.exp(logChoose + kTerm + restTerm);
  }
  return pmfs;
}
