/**
 * A matmul micro-benchmark: GFLOP/s of an n×n fp32 matrix product on the active tfjs
 * backend (2n³ floating-point operations per product). Used by `confidant doctor` to show
 * how fast each backend is on this machine; the real benchmarks live in bench/.
 */
import * as tf from '@tensorflow/tfjs';

export interface MatmulMeasurement {
  size: number;
  gflops: number;
}

export async function measureMatmulGflops(size = 256, minSeconds = 0.25): Promise<MatmulMeasurement> {
  const a = tf.randomNormal([size, size], 0, 1, 'float32', 1);
  const b = tf.randomNormal([size, size], 0, 1, 'float32', 2);
  try {
    await tf.matMul(a, b).data(); // warm-up: kernel compilation, first allocation
    let runs = 0;
    const start = performance.now();
    let elapsed = 0;
    while (elapsed < minSeconds * 1000 || runs < 3) {
      const c = tf.matMul(a, b);
      await c.data(); // forces completion on asynchronous (GPU) backends
      c.dispose();
      runs += 1;
      elapsed = performance.now() - start;
    }
    const flops = 2 * size ** 3 * runs;
    return { size, gflops: flops / (elapsed / 1000) / 1e9 };
  } finally {
    a.dispose();
    b.dispose();
  }
}
