/**
 * Down-samples a ROC curve for charts (the report draws it on log axes): at most `maxPoints`
 * points, always both ends, half spread evenly along the curve and half at log-spaced FPRs,
 * so the low-FPR region keeps its detail.
 */
import type { RocCurve } from './metrics/index.js';

export function downsampleRoc(curve: RocCurve, maxPoints = 200): { fpr: number[]; tpr: number[] } {
  const n = curve.fpr.length;
  if (n <= maxPoints) return { fpr: [...curve.fpr], tpr: [...curve.tpr] };
  const keep = new Set<number>([0, n - 1]);
  const even = Math.floor((maxPoints - 2) / 2);
  for (let k = 1; k <= even; k++) keep.add(Math.round((k * (n - 1)) / (even + 1)));
  const positive = curve.fpr.find((f) => f > 0) ?? 1;
  const logs = maxPoints - 2 - even;
  let i = 0;
  for (let k = 0; k < logs; k++) {
    const target = positive * (1 / positive) ** (k / Math.max(1, logs - 1));
    while (i < n - 1 && curve.fpr[i]! < target) i++;
    keep.add(i);
  }
  const indices = [...keep].sort((a, b) => a - b).slice(0, maxPoints);
  if (indices.at(-1) !== n - 1) indices[indices.length - 1] = n - 1;
  return { fpr: indices.map((j) => curve.fpr[j]!), tpr: indices.map((j) => curve.tpr[j]!) };
}
