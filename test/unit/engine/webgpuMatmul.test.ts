/**
 * The fused executor's tiled matmul (engine/webgpu/kernels/matmulKernel.ts) against a
 * float64 host product: ragged shapes (not multiples of the 64×64 tile), Bᵀ operands,
 * offsets and leading dimensions, accumulation, and the split-K path that long-K products
 * with few output tiles take. fp32: within 1e-5 · K · max|a|·max|b|.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { GpuRuntime } from '../../../src-main/engine/webgpu/gpuRuntime.js';
import { matmul, PLAIN } from '../../../src-main/engine/webgpu/kernels/matmulKernel.js';

let rt: GpuRuntime | undefined;
beforeAll(async () => {
  try {
    const { newGpuRuntime } = await import('../../../src-main/engine/webgpu/gpuDevice.js');
    rt = await newGpuRuntime();
  } catch (error) {
    if (process.env.CONFIDANT_REQUIRE_WEBGPU === '1') throw error;
  }
});

function values(n: number, seed: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => Math.sin(seed * 1.7 + i * 0.37));
}

describe('webgpu matmul', () => {
  it.each([
    { m: 70, n: 90, k: 33, transB: false, accumulate: false },
    { m: 65, n: 129, k: 200, transB: true, accumulate: true },
    { m: 70, n: 90, k: 16500, transB: true, accumulate: false }, // split over K
    { m: 33, n: 40, k: 17000, transB: false, accumulate: true }, // split over K, accumulated
  ])(
    'C (+)= A·B for m=$m n=$n k=$k transB=$transB accumulate=$accumulate',
    async ({ m, n, k, transB, accumulate }) => {
      if (!rt) return;
      const aOff = 3;
      const a = values(aOff + m * k, 1);
      const b = values(n * k, 2);
      const c0 = values(m * n, 3);
      const A = rt.upload(a, 'a');
      const B = rt.upload(b, 'b');
      const C = rt.upload(c0, 'c');
      const dispatches = matmul(
        rt,
        { ...PLAIN, transB, accumulate },
        { m, n, k, lda: k, aOff, ldb: transB ? k : n, ldc: n },
        { a: A, b: B, c: C },
        'test',
      );
      if (k >= 16384) expect(dispatches).toHaveLength(2);
      rt.run(dispatches);
      const got = await rt.read(C, m * n);
      let worst = 0;
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let s = accumulate ? c0[i * n + j]! : 0;
          for (let q = 0; q < k; q++) s += a[aOff + i * k + q]! * (transB ? b[j * k + q]! : b[q * n + j]!);
          worst = Math.max(worst, Math.abs(s - got[i * n + j]!));
        }
      }
      expect(worst).toBeLessThan(1e-5 * k);
    },
  );
});
