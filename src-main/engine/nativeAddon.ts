/**
 * Loads the C++ N-API addon built from native/ (confidant_native.node: batched SGEMM through
 * OpenBLAS or Accelerate). Loading fails softly: a machine without a compiler or a BLAS
 * still runs Confidant on the wasm backend, and `confidant doctor` shows the reason and
 * the fix from here.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface NativeAddon {
  /**
   * For each i: c[i·m·n …] = op(A_i)·op(B_i), row-major, A_i at a[aOffsets[i]] (m×k, or k×m
   * when transposeA), B_i at b[bOffsets[i]] (k×n, or n×k). Works on the arrays' memory.
   */
  gemmBatch(
    a: Float32Array,
    b: Float32Array,
    c: Float32Array,
    m: number,
    n: number,
    k: number,
    transposeA: boolean,
    transposeB: boolean,
    aOffsets: Float64Array,
    bOffsets: Float64Array,
  ): void;
  /** The BLAS's thread count (0 where the BLAS manages threads itself, as Accelerate does). */
  getThreads(): number;
  setThreads(threads: number): void;
  /**
   * out[i] = f(x[i]); op 0 exp, 1 log, 2 tanh, 3 sqrt, 4 rsqrt, 5 neg, 6 square, 7 sigmoid,
   * 8 GELU (tanh approximation).
   */
  unary(op: number, x: Float32Array, out: Float32Array): void;
  /**
   * out = a op b (0 add, 1 sub, 2 mul, 3 div, 4 pow, 5 maximum, 6 minimum, 7 squared
   * difference, 8 GELU gradient: a the GELU's input, b the upstream gradient) over `outShape`, with per-dimension element strides for a and b (0 where
   * that operand broadcasts).
   */
  binary(
    op: number,
    a: Float32Array,
    b: Float32Array,
    out: Float32Array,
    outShape: Float64Array,
    aStrides: Float64Array,
    bStrides: Float64Array,
  ): void;
  /** As binary, into a Uint8Array (tfjs's bool): op 0 ==, 1 !=, 2 <, 3 <=, 4 >, 5 >=. */
  compare(
    op: number,
    a: Float32Array,
    b: Float32Array,
    out: Uint8Array,
    outShape: Float64Array,
    aStrides: Float64Array,
    bStrides: Float64Array,
  ): void;
  /** Softmax of each row of `n` elements (max-subtracted). */
  softmax(x: Float32Array, out: Float32Array, n: number): void;
  /**
   * x viewed as [outer, size, inner] reduced over the middle axis into out [outer, inner]:
   * op 0 sum, 1 mean (accumulated in float64), 2 max, 3 min (NaN propagates).
   */
  reduce(op: number, x: Float32Array, out: Float32Array, outer: number, size: number, inner: number): void;
  /** out = x (shape inShape) with its axes permuted: out axis d is input axis perm[d]. */
  transpose(x: Float32Array, out: Float32Array, inShape: Float64Array, perm: Float64Array): void;
  /**
   * x viewed as [outer, axisSize, inner]; out [outer, indices.length, inner] = x[:, indices, :].
   * Throws a RangeError on an index outside [0, axisSize).
   */
  gather(
    x: Float32Array,
    indices: Int32Array,
    out: Float32Array,
    outer: number,
    axisSize: number,
    inner: number,
  ): void;
  /** LayerNorm of each row of n: (x − mean)/sqrt(var + eps)·gamma + beta (float64 statistics). */
  layerNorm(
    x: Float32Array,
    gamma: Float32Array,
    beta: Float32Array,
    out: Float32Array,
    n: number,
    eps: number,
  ): void;
  /** Gradients of layerNorm for the upstream gradient dy: dx, and dgamma/dbeta summed over rows. */
  layerNormGrad(
    x: Float32Array,
    gamma: Float32Array,
    dy: Float32Array,
    dx: Float32Array,
    dgamma: Float32Array,
    dbeta: Float32Array,
    n: number,
    eps: number,
  ): void;
  /** out[r] = x[r, targets[r]] − log Σ_j exp(x[r, j]) for x [rows, n]; throws on a target outside [0, n). */
  logProbRows(x: Float32Array, targets: Int32Array, out: Float32Array, n: number): void;
  /** Its gradient: dx[r, j] = dy[r]·([j = targets[r]] − softmax(x[r])_j). */
  logProbRowsGrad(x: Float32Array, targets: Int32Array, dy: Float32Array, dx: Float32Array, n: number): void;
  /** Which BLAS, e.g. "OpenBLAS DYNAMIC_ARCH NO_AFFINITY Zen MAX_THREADS=64". */
  blasInfo(): string;
}

export type NativeAddonStatus =
  { available: true; addon: NativeAddon; path: string } | { available: false; reason: string; fix: string };

const ADDON_RELATIVE = join('native', 'build', 'Release', 'confidant_native.node');

const BUILD_FIX =
  'build it with `npm run native:build` (or `npx node-gyp rebuild -C native`) in the Confidant folder (needs a C++ ' +
  'compiler, Python 3 and a BLAS: `apt-get install build-essential libopenblas-dev` on ' +
  'Debian/Ubuntu, Xcode command-line tools on macOS, Visual Studio Build Tools and OpenBLAS ' +
  'with OPENBLAS_ROOT set on Windows); Confidant runs on the wasm backend meanwhile';

let cached: NativeAddonStatus | undefined;

/** The addon, loaded once; never throws. CONFIDANT_NATIVE_ADDON may name the .node file. */
export function loadNativeAddon(): NativeAddonStatus {
  cached ??= tryLoad();
  return cached;
}

function tryLoad(): NativeAddonStatus {
  const path = process.env.CONFIDANT_NATIVE_ADDON || findAddon();
  if (!path) {
    return { available: false, reason: 'the native addon is not built', fix: BUILD_FIX };
  }
  try {
    const addon = createRequire(import.meta.url)(path) as Partial<NativeAddon>;
    const required = [
      'gemmBatch',
      'binary',
      'compare',
      'softmax',
      'reduce',
      'transpose',
      'gather',
      'layerNorm',
      'layerNormGrad',
      'logProbRows',
      'logProbRowsGrad',
    ] as const;
    if (required.some((name) => typeof addon[name] !== 'function')) {
      return {
        available: false,
        reason: `${path} is not this version's Confidant addon (an old build?)`,
        fix: BUILD_FIX,
      };
    }
    return { available: true, addon: addon as NativeAddon, path };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      available: false,
      reason: `the native addon did not load (${message.split('\n')[0]})`,
      fix: /libopenblas|cannot open shared object/i.test(message)
        ? 'install the BLAS it was built against (`apt-get install libopenblas0` on Debian/Ubuntu) or rebuild: ' +
          BUILD_FIX
        : BUILD_FIX,
    };
  }
}

/** native/build/Release/confidant_native.node in the nearest folder above this module. */
function findAddon(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, ADDON_RELATIVE);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}
