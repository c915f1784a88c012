// Matmul GFLOP/s per available tfjs backend at several sizes (2n³ flops per n×n product),
// the machine's theoretical fp32 peak, and the same product in PyTorch as a peer.
//
// Peak = cores × GHz × fp32 flops per cycle per core, where flops per cycle = SIMD fp32
// lanes × 2 (a fused multiply-add is two flops) × FMA units: AVX-512 16 × 2 × 2 = 64,
// AVX2+FMA 8 × 2 × 2 = 32, NEON (4 lanes) 4 × 2 × 2 = 16 … (x86 cores with one AVX-512 FMA
// unit reach half of 64; we assume two). Cores and GHz come from /proc/cpuinfo (Linux).
//
// PyTorch: Debian's /usr/bin/python3 (python3-torch, OpenBLAS) with OMP_NUM_THREADS=2,
// OPENBLAS_NUM_THREADS=2, OMP_WAIT_POLICY=passive, as in DESIGN.md's reference numbers.
// Run: node --import tsx bench/matmul.bench.ts
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { probeBackends } from '../src-main/engine/backendProbe';
import { measureMatmulGflops } from '../src-main/engine/matmulBenchmark';

const sizes = [256, 512, 1024];

function theoreticalPeak(): Record<string, number | string> {
  const cores = availableParallelism();
  if (!existsSync('/proc/cpuinfo')) return { note: 'no /proc/cpuinfo: peak unknown on this OS', cores };
  const info = readFileSync('/proc/cpuinfo', 'utf8');
  const flags = new Set((/^flags\s*:\s*(.*)$/m.exec(info)?.[1] ?? '').split(/\s+/));
  const mhz = Number(/^cpu MHz\s*:\s*([\d.]+)/m.exec(info)?.[1] ?? NaN);
  const model = /^model name\s*:\s*(.*)$/m.exec(info)?.[1] ?? 'unknown';
  const simd = flags.has('avx512f')
    ? 'AVX-512'
    : flags.has('avx2') && flags.has('fma')
      ? 'AVX2+FMA'
      : flags.has('avx')
        ? 'AVX'
        : 'SSE';
  const flopsPerCycle = { 'AVX-512': 64, 'AVX2+FMA': 32, AVX: 16, SSE: 8 }[simd];
  return {
    model,
    cores,
    ghz: Math.round(mhz) / 1000,
    simd,
    flopsPerCycle,
    formula: `${cores} cores × ${(mhz / 1000).toFixed(3)} GHz × ${flopsPerCycle} flops/cycle`,
    gflops: Math.round(cores * (mhz / 1000) * flopsPerCycle * 10) / 10,
  };
}

function pytorchMatmul(): Record<string, number> | string {
  const python = '/usr/bin/python3';
  if (!existsSync(python)) return 'skipped: /usr/bin/python3 not found';
  const script = `
import json, time, torch
torch.manual_seed(0)
out = {"torch": torch.__version__, "threads": torch.get_num_threads()}
for n in (${sizes.join(', ')}):
    a = torch.randn(n, n); b = torch.randn(n, n)
    a @ b
    runs, start = 0, time.perf_counter()
    while True:
        a @ b
        runs += 1
        elapsed = time.perf_counter() - start
        if elapsed >= 1.0 and runs >= 3:
            break
    out["n%d" % n] = round(2 * n ** 3 * runs / elapsed / 1e9, 2)
print(json.dumps(out))
`;
  const result = spawnSync(python, ['-c', script], {
    encoding: 'utf8',
    env: { ...process.env, OMP_NUM_THREADS: '2', OPENBLAS_NUM_THREADS: '2', OMP_WAIT_POLICY: 'passive' },
    timeout: 120_000,
  });
  if (result.status !== 0) {
    const why = (result.stderr || result.error?.message || '').trim().split('\n').pop();
    return `skipped: PyTorch did not run (${why})`;
  }
  return JSON.parse(result.stdout) as Record<string, number>;
}

const out: Record<string, Record<string, number | string> | string> = {};
for (const status of await probeBackends()) {
  if (!status.available) {
    out[status.name] = `unavailable: ${status.detail}`;
    continue;
  }
  await tf.setBackend(status.name);
  const row: Record<string, number | string> = { detail: status.detail };
  const slow = status.name === 'cpu' || status.automatic === false; // pure JS, or a software GPU
  for (const size of sizes) {
    if (slow && size > 512) continue; // minutes at ~1 GFLOP/s
    row[`n${size}`] = Math.round((await measureMatmulGflops(size, 1)).gflops * 100) / 100;
  }
  out[status.name] = row;
}
process.stdout.write(
  JSON.stringify({ unit: 'GFLOP/s', matmul: out, pytorch: pytorchMatmul(), peak: theoreticalPeak() }),
);
process.stdout.write('\n');
