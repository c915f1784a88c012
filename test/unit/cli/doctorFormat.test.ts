// Issue #23, item 13: `confidant doctor` said "fastest first" above native 28.7 and wasm 31.6
// GFLOP/s. It now lists backends in the order the automatic choice tries them and says why
// the chosen one was chosen.
import { describe, expect, it } from 'vitest';
import { formatDoctor, type DoctorReport } from '../../../src-main/cli/commands/doctor';

const report: DoctorReport = {
  node: { version: '20.20.0', supported: true, required: '>=20.19.0' },
  platform: { os: 'linux', arch: 'x64', cpus: 2 },
  backends: (
    [
      { name: 'wasm', available: true, matmulGflops: 31.6, detail: 'XNNPACK', automatic: true },
      { name: 'tensorflow', available: false, matmulGflops: null, detail: 'not installed' },
      { name: 'webgpu', available: true, matmulGflops: 2.1, detail: 'llvmpipe (Mesa)', automatic: false },
      { name: 'native', available: true, matmulGflops: 28.7, detail: 'OpenBLAS', automatic: true },
      { name: 'cpu', available: true, matmulGflops: 1.0, detail: 'pure JavaScript', automatic: true },
    ] as const
  ).map((b) => ({ ...b, trainingExecutor: { executor: 'tfjs' as const, reason: 'tfjs path' } })),
  selectedBackend: 'native',
  sqlcipher: { available: true, detail: 'SQLCipher 4' } as DoctorReport['sqlcipher'],
  electron: {
    installed: false,
    version: null,
    detail: 'not downloaded',
  } as unknown as DoctorReport['electron'],
  dataDirectory: { path: '/tmp/x', source: 'flag' },
};

describe('formatDoctor', () => {
  const text = formatDoctor(report);

  it('never claims an order by speed, and lists backends in the automatic order', () => {
    expect(text).not.toMatch(/fastest first/);
    expect(text).toMatch(/in the order the automatic choice tries them/);
    const order = ['tensorflow', 'webgpu', 'native', 'wasm', 'cpu'].map((name) => text.indexOf(`${name} `));
    expect(order.every((at) => at > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it('marks the choice and says why the backends before it were passed over', () => {
    expect(text).toMatch(/native .*28\.7 GFLOP\/s .*<- automatic choice/);
    expect(text).toMatch(/webgpu .*never chosen automatically: software adapter/);
    expect(text).toContain(
      'would use: native (the first available: tensorflow is not available, webgpu is a software adapter)',
    );
  });
});
