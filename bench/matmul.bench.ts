// Matmul GFLOP/s per available tfjs backend at several sizes (2n³ flops per n×n product).
import * as tf from '@tensorflow/tfjs';
import { probeBackends } from '../src-main/engine/backendProbe';
import { measureMatmulGflops } from '../src-main/engine/matmulBenchmark';

const sizes = [256, 512, 1024];
const out: Record<string, Record<string, number> | string> = {};
for (const status of await probeBackends()) {
  if (!status.available) {
    out[status.name] = `unavailable: ${status.detail}`;
    continue;
  }
  await tf.setBackend(status.name);
  const row: Record<string, number> = {};
  for (const size of sizes) {
    if (status.name === 'cpu' && size > 512) continue; // minutes on the pure-JS backend
    row[`n${size}`] = Math.round((await measureMatmulGflops(size, 1)).gflops * 100) / 100;
  }
  out[status.name] = row;
}
process.stdout.write(JSON.stringify({ unit: 'GFLOP/s', matmul: out }));
