/**
 * Adaptive Gauss–Legendre quadrature for smooth one-dimensional integrands.
 *
 * Nodes and weights come from Newton's method on the Legendre polynomial P_n (Press et al.,
 * "Numerical Recipes", 3rd ed., §4.6, routine `gauleg`); the adaptive rule compares the
 * n-point estimate on an interval with the sum over its two halves and bisects until they
 * agree to the requested tolerance.
 */

interface GaussRule {
  readonly nodes: readonly number[];
  readonly weights: readonly number[];
}

/** The n-point Gauss–Legendre rule on [-1, 1]. */
export function gaussLegendreRule(n: number): GaussRule {
  const nodes = new Array<number>(n).fill(0);
  const weights = new Array<number>(n).fill(0);
  const half = Math.ceil(n / 2);
  for (let i = 0; i < half; i++) {
    let x = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let derivative = 0;
    for (let iteration = 0; iteration < 100; iteration++) {
      let p0 = 1;
      let p1 = 0;
      for (let j = 0; j < n; j++) {
        const p2 = p1;
        p1 = p0;
        p0 = ((2 * j + 1) * x * p1 - j * p2) / (j + 1);
      }
      derivative = (n * (x * p0 - p1)) / (x * x - 1);
      const step = p0 / derivative;
      x -= step;
      if (Math.abs(step) < 1e-16) break;
    }
    nodes[i] = -x;
    nodes[n - 1 - i] = x;
    const w = 2 / ((1 - x * x) * derivative * derivative);
    weights[i] = w;
    weights[n - 1 - i] = w;
  }
  return { nodes, weights };
}

const RULE = gaussLegendreRule(15);

function gaussEstimate(f: (x: number) => number, a: number, b: number): number {
  const mid = (a + b) / 2;
  const halfWidth = (b - a) / 2;
  let sum = 0;
  for (let i = 0; i < RULE.nodes.length; i++) sum += RULE.weights[i]! * f(mid + halfWidth * RULE.nodes[i]!);
  return sum * halfWidth;
}

export interface QuadratureOptions {
  /** Stop bisecting when two estimates differ by less than this fraction of the total. */
  relativeTolerance?: number;
  /** ...or by less than this absolute amount. */
  absoluteTolerance?: number;
  maxDepth?: number;
}

/** ∫_a^b f(x) dx for a smooth f, by adaptive 15-point Gauss–Legendre. */
export function integrate(
  f: (x: number) => number,
  a: number,
  b: number,
  options: QuadratureOptions = {},
): number {
  const relativeTolerance = options.relativeTolerance ?? 1e-13;
  const absoluteTolerance = options.absoluteTolerance ?? 0;
  const maxDepth = options.maxDepth ?? 40;
  const recurse = (lo: number, hi: number, whole: number, depth: number): number => {
    const mid = (lo + hi) / 2;
    const left = gaussEstimate(f, lo, mid);
    const right = gaussEstimate(f, mid, hi);
    const halves = left + right;
    const error = Math.abs(halves - whole);
    if (depth >= maxDepth || error <= Math.max(absoluteTolerance, relativeTolerance * Math.abs(halves))) {
      return halves;
    }
    return recurse(lo, mid, left, depth + 1) + recurse(mid, hi, right, depth + 1);
  };
  return recurse(a, b, gaussEstimate(f, a, b), 0);
}
