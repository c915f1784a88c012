/**
 * Levenshtein edit distance (V. I. Levenshtein 1966) by the two-row dynamic programme, and
 * its normalised form d(a, b) / max(|a|, |b|) in [0, 1] used for near-match extraction.
 * Works on strings (UTF-16 code units) or arrays of token ids.
 */
export function editDistance<T>(a: ArrayLike<T>, b: ArrayLike<T>): number {
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  let cur = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[b.length]!;
}

export function normalisedEditDistance<T>(a: ArrayLike<T>, b: ArrayLike<T>): number {
  const longest = Math.max(a.length, b.length);
  return longest === 0 ? 0 : editDistance(a, b) / longest;
}
