/**
 * Arithmetic on numbers stored as their logarithms (0 is −Infinity), as in TF Privacy's
 * rdp_accountant.py `_log_add` / `_log_sub` (also Opacus opacus/accountants/analysis/rdp.py).
 */

/** log(exp(logX) + exp(logY)). */
export function logAdd(logX: number, logY: number): number {
  const a = Math.min(logX, logY);
  const b = Math.max(logX, logY);
  if (a === -Infinity) return b;
  return Math.log1p(Math.exp(a - b)) + b;
}

/** log(exp(logX) − exp(logY)); requires logX >= logY. */
export function logSub(logX: number, logY: number): number {
  if (logX < logY) throw new RangeError('logSub: the result of the subtraction must be non-negative');
  if (logY === -Infinity) return logX;
  if (logX === logY) return -Infinity;
  const diff = logX - logY;
  // expm1 overflows beyond ~709: then exp(logY) is negligible next to exp(logX).
  if (diff > 700) return logX;
  return Math.log(Math.expm1(diff)) + logY;
}
