// initBackend: explicit choice > CONFIDANT_BACKEND > the fastest available backend; an
// explicit choice that cannot run is a ConfidantError naming the reason and the backends
// that do work, never a silent fallback.
import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { preferredBackend, probeBackends } from '../../../src-main/engine/backendProbe';
import { BACKEND_ENV, initBackend } from '../../../src-main/engine/initBackend';
import { loadNativeAddon } from '../../../src-main/engine/nativeAddon';
import { ConfidantError } from '../../../src-main/shared/confidantError';

const savedEnv = process.env[BACKEND_ENV];
afterEach(() => {
  if (savedEnv === undefined) delete process.env[BACKEND_ENV];
  else process.env[BACKEND_ENV] = savedEnv;
});

describe('initBackend', () => {
  it('activates an explicit choice and reports what it runs on', async () => {
    delete process.env[BACKEND_ENV];
    const active = await initBackend('wasm');
    expect(active.name).toBe('wasm');
    expect(active.detail).toMatch(/XNNPACK, \d+ thread/);
    expect(tf.getBackend()).toBe('wasm');
    // the multi-threaded build runs under Node here: one thread per core (XNNPACK caps at 8)
    const { getThreadsCount } = await import('@tensorflow/tfjs-backend-wasm');
    expect(getThreadsCount()).toBe(Math.min(availableParallelism(), 8));
  });

  it('takes CONFIDANT_BACKEND when no explicit choice is given, and the explicit choice over it', async () => {
    process.env[BACKEND_ENV] = 'cpu';
    expect((await initBackend()).name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect((await initBackend('wasm')).name).toBe('wasm');
  });

  it('rejects an unknown CONFIDANT_BACKEND with the valid names', async () => {
    process.env[BACKEND_ENV] = 'cuda';
    const error = await initBackend().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfidantError);
    expect((error as ConfidantError).code).toBe('backend.unknown');
    expect((error as ConfidantError).describe()).toMatch(
      /CONFIDANT_BACKEND.*cuda[\s\S]*tensorflow, webgpu, native, wasm, cpu/,
    );
  });

  it('refuses an unavailable explicit choice, saying why and listing the available backends', async () => {
    delete process.env[BACKEND_ENV];
    // @tensorflow/tfjs-node cannot be installed here, so the tensorflow backend is never available
    const error = await initBackend('tensorflow').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfidantError);
    const text = (error as ConfidantError).describe();
    expect((error as ConfidantError).code).toBe('backend.unavailable');
    expect(text).toMatch(/The tensorflow backend is not available here: not installed/);
    expect(text).toMatch(/What to do: Choose one of the available backends \([^)]*wasm, cpu\)/);
  });

  it('picks the fastest automatic backend: a hardware GPU, else native when its addon is built, else wasm', async () => {
    delete process.env[BACKEND_ENV];
    const statuses = await probeBackends();
    const active = await initBackend();
    expect(active.name).toBe(preferredBackend(statuses));
    expect(tf.getBackend()).toBe(active.name);
    const webgpu = statuses.find((s) => s.name === 'webgpu');
    if (!(webgpu?.available && webgpu.automatic)) {
      // no GPU, or Mesa's software renderer (this CI box), which the automatic choice skips
      expect(active.name).toBe(loadNativeAddon().available ? 'native' : 'wasm');
    }
  });
});
