import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { BACKEND_ORDER, isBackendName, parseBackendName } from '../../../src-main/engine/backendNames';
import { ConfidantError } from '../../../src-main/shared/confidantError';
import { preferredBackend, probeBackends } from '../../../src-main/engine/backendProbe';
import { measureMatmulGflops } from '../../../src-main/engine/matmulBenchmark';

describe('backend probing', () => {
  it('reports every backend in speed order, and the CPU backends always work', async () => {
    const statuses = await probeBackends();
    expect(statuses.map((s) => s.name)).toEqual([...BACKEND_ORDER]);
    expect(statuses.find((s) => s.name === 'cpu')?.available).toBe(true);
    expect(statuses.find((s) => s.name === 'wasm')?.available).toBe(true);
    for (const s of statuses) expect(s.detail.length).toBeGreaterThan(0);
  });

  it('prefers the fastest available backend', () => {
    const make = (available: string[]) =>
      BACKEND_ORDER.map((name) => ({ name, available: available.includes(name), detail: '' }));
    expect(preferredBackend(make(['wasm', 'cpu']))).toBe('wasm');
    expect(preferredBackend(make(['webgpu', 'wasm', 'cpu']))).toBe('webgpu');
    expect(preferredBackend(make(['native', 'wasm', 'cpu']))).toBe('native');
    expect(preferredBackend(make(['cpu']))).toBe('cpu');
    expect(preferredBackend(make([]))).toBe('cpu');
    // a software GPU adapter (Mesa llvmpipe) works but is never the automatic choice
    const software = make(['webgpu', 'wasm', 'cpu']).map((s) =>
      s.name === 'webgpu' ? { ...s, automatic: false } : s,
    );
    expect(preferredBackend(software)).toBe('wasm');
  });

  it('orders the backends tensorflow → webgpu → native → wasm → cpu', () => {
    expect([...BACKEND_ORDER]).toEqual(['tensorflow', 'webgpu', 'native', 'wasm', 'cpu']);
  });

  it('validates backend names', () => {
    expect(isBackendName('wasm')).toBe(true);
    expect(isBackendName('native')).toBe(true);
    expect(isBackendName('cuda')).toBe(false);
    expect(parseBackendName(' WASM ')).toBe('wasm');
    expect(() => parseBackendName('cuda')).toThrow(ConfidantError);
    expect(() => parseBackendName('cuda')).toThrow(/Unknown backend "cuda"/);
  });

  it('wasm and cpu compute the same matmul, and the benchmark reports a positive rate', async () => {
    const a = [
      [1, 2, 3],
      [4, 5, 6],
    ];
    const b = [
      [7, 8],
      [9, 10],
      [11, 12],
    ];
    const results: number[][] = [];
    for (const name of ['cpu', 'wasm']) {
      expect(await tf.setBackend(name)).toBe(true);
      results.push(Array.from(await tf.matMul(a, b).data()));
      const { gflops } = await measureMatmulGflops(64, 0.01);
      expect(gflops).toBeGreaterThan(0);
    }
    expect(results[0]).toEqual([58, 64, 139, 154]);
    expect(results[1]).toEqual(results[0]);
  });
});
