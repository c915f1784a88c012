/**
 * Where the audit design draws its randomness: a seeded generator (reproducible designs for
 * tests and research) or node:crypto (designs nobody can predict, the default for real runs).
 * Neither is used for DP noise or Poisson sampling, which live in src-main/dp.
 */
import { randomInt } from 'node:crypto';
import { SeededRandom } from '../model/index.js';

export interface AuditRandom {
  /** Uniform integer in [0, n), n ≤ 2^32. */
  nextInt(n: number): number;
}

export function seededAuditRandom(seed: number): AuditRandom {
  const rng = new SeededRandom(seed);
  return { nextInt: (n) => Math.min(n - 1, Math.floor(rng.next() * n)) };
}

export function cryptoAuditRandom(): AuditRandom {
  return { nextInt: (n) => (n <= 1 ? 0 : randomInt(n)) };
}

/** Fisher–Yates shuffle of a copy. */
export function shuffled<T>(items: readonly T[], random: AuditRandom): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = random.nextInt(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
