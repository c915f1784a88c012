/** How numbers are printed in the report: one place, so the PDF and the app agree. */

/** "2.99", "∞" for null (no guarantee), four significant digits for tiny values. */
export function formatEpsilon(epsilon: number | null): string {
  if (epsilon === null) return '∞ (no guarantee)';
  if (epsilon !== 0 && Math.abs(epsilon) < 0.01) return epsilon.toPrecision(2);
  return epsilon.toFixed(2);
}

/** 1e-5 → "1e-5"; 0.00012 → "1.2e-4". */
export function formatDelta(delta: number | null): string {
  if (delta === null) return '—';
  const [mantissa, exponent] = delta.toExponential(2).split('e');
  const m = Number(mantissa).toString();
  return `${m}e${Number(exponent)}`;
}

export function formatPercent(rate: number, digits = 1): string {
  return `${(rate * 100).toFixed(digits)}%`;
}

export function formatInteger(n: number): string {
  return Math.round(n)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export function formatSeconds(seconds: number): string {
  if (seconds < 90) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${Math.round(seconds - minutes * 60)} s`;
}

/** A SHA-256 in four-character groups, so a reader can compare it aloud. */
export function formatHash(hex: string): string {
  return hex.replace(/(.{4})(?=.)/g, '$1 ');
}

/** "2026-11-28 12:00 UTC" */
export function formatUtc(iso: string): string {
  const date = new Date(iso);
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
