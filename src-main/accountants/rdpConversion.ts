/**
 * From an RDP curve (ε_α at several orders α) to an (ε, δ) guarantee.
 *
 * - 'tight' (default): Balle, Barthe, Gaboardi, Hsu, Sato, "Hypothesis testing
 *   interpretations and Rényi differential privacy", AISTATS 2020, Theorem 21
 *   (also Canonne, Kamath, Steinke 2020): ε = ε_α − (log δ + log α)/(α − 1) + log((α − 1)/α).
 *   This is Opacus get_privacy_spent (opacus/accountants/analysis/rdp.py) and current TF Privacy.
 * - 'classic': Mironov 2017, Proposition 3: ε = ε_α + log(1/δ)/(α − 1), as in the TF Privacy
 *   rdp_accountant.py that produced the MNIST tutorial's published ε = 2.92.
 */
export type RdpConversion = 'tight' | 'classic';

export interface RdpEpsilon {
  epsilon: number;
  /** The order α that gave the smallest ε (NaN when no order gives a finite ε). */
  order: number;
}

export function epsilonFromRdp(
  orders: readonly number[],
  rdp: readonly number[],
  delta: number,
  conversion: RdpConversion = 'tight',
): RdpEpsilon {
  if (orders.length !== rdp.length) throw new RangeError('orders and rdp must have the same length');
  const logDelta = Math.log(delta);
  let best = NaN;
  let bestOrder = NaN;
  for (let k = 0; k < orders.length; k++) {
    const alpha = orders[k]!;
    const r = rdp[k]!;
    const eps =
      conversion === 'tight'
        ? r - (logDelta + Math.log(alpha)) / (alpha - 1) + Math.log((alpha - 1) / alpha)
        : r - logDelta / (alpha - 1);
    // NaN-skipping argmin, like numpy.nanargmin.
    if (!Number.isNaN(eps) && (Number.isNaN(best) || eps < best)) {
      best = eps;
      bestOrder = alpha;
    }
  }
  if (Number.isNaN(best)) return { epsilon: Infinity, order: NaN };
  return { epsilon: best, order: bestOrder };
}
