// `confidant doctor --json` reports every backend in BACKEND_ORDER as {name, available,
// matmulGflops, detail}; the native backend is measured when its addon loads, and when it
// cannot load Confidant still chooses a working backend and doctor says why and how to fix it.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { BACKEND_ORDER } from '../../../src-main/engine/backendNames';
import { loadNativeAddon } from '../../../src-main/engine/nativeAddon';
import { runCli } from '../../helpers/runCli';

const Report = z.object({
  backends: z.array(
    z.object({
      name: z.enum(BACKEND_ORDER),
      available: z.boolean(),
      matmulGflops: z.number().positive().nullable(),
      detail: z.string().min(1),
    }),
  ),
  selectedBackend: z.enum(BACKEND_ORDER),
});

async function doctor(env: NodeJS.ProcessEnv = {}) {
  const { code, stdout, stderr } = await runCli(['doctor', '--json'], {
    env: { CONFIDANT_HOME: '/tmp/confidant-doctor-engine', ...env },
  });
  expect(code, stderr).toBe(0);
  return Report.parse(JSON.parse(stdout));
}

describe('doctor and the backends', () => {
  it.skipIf(!loadNativeAddon().available)('measures the native backend and prefers it to wasm', async () => {
    const report = await doctor();
    expect(report.backends.map((b) => b.name)).toEqual([...BACKEND_ORDER]);
    const native = report.backends.find((b) => b.name === 'native');
    expect(native?.available).toBe(true);
    expect(native?.detail).toMatch(/OpenBLAS|Accelerate|CBLAS/);
    expect(native?.matmulGflops).toBeGreaterThan(0);
    expect(['tensorflow', 'webgpu', 'native']).toContain(report.selectedBackend);
  });

  it('says why the native addon is missing and how to build it, and still runs on wasm', async () => {
    const report = await doctor({ CONFIDANT_NATIVE_ADDON: '/nonexistent/confidant_native.node' });
    const native = report.backends.find((b) => b.name === 'native');
    expect(native?.available).toBe(false);
    expect(native?.matmulGflops).toBeNull();
    expect(native?.detail).toMatch(/did not load/);
    expect(native?.detail).toMatch(/node-gyp rebuild -C native/);
    expect(report.backends.find((b) => b.name === 'wasm')?.available).toBe(true);
    expect(['tensorflow', 'webgpu', 'wasm']).toContain(report.selectedBackend);
  });
});
