// CKKS (Cheon, Kim, Kim, Song 2017) aggregation of n_i-weighted LoRA deltas against plaintext
// FedAvg (McMahan et al. 2017) computed in float64. Requirement: relative error ≤ 1e-6
// (max |error| / max |reference|) across the magnitudes a LoRA round produces.
import { describe, expect, it } from 'vitest';
import { flattenScaled, unflatten } from '../../../src-main/federation/adapterPacking';
import { DEFAULT_CKKS_PARAMETERS } from '../../../src-main/federation/ckksParameters';
import {
  decryptVector,
  encryptVector,
  sumCiphertextVectors,
  validateCiphertexts,
} from '../../../src-main/federation/ckksVectors';
import { maxRelativeError, plaintextFedAvg } from '../../../src-main/federation/fedAverage';
import { ckksRuntime } from '../../../src-main/federation/sealRuntime';
import { isConfidantError } from '../../../src-main/shared/confidantError';

function seededDelta(seed: number, layout: number[], scale: number): Float32Array[] {
  let s = seed >>> 0;
  const next = (): number => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x9e3779b9) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
  return layout.map((n) => Float32Array.from({ length: n }, () => next() * 2 * scale));
}

async function encryptedFedAvg(deltas: Float32Array[][], examples: number[]): Promise<Float32Array[]> {
  const runtime = await ckksRuntime(DEFAULT_CKKS_PARAMETERS);
  const keyGenerator = runtime.seal.KeyGenerator(runtime.context);
  const secretKey = keyGenerator.secretKey();
  const layout = (deltas[0] as Float32Array[]).map((t) => t.length);
  const encrypted = deltas.map((d, i) =>
    encryptVector(runtime, secretKey, flattenScaled(d, examples[i] as number)),
  );
  const sum = sumCiphertextVectors(runtime, encrypted);
  const total = examples.reduce((a, b) => a + b, 0);
  const values = decryptVector(
    runtime,
    secretKey,
    sum,
    layout.reduce((a, b) => a + b, 0),
  ).map((v) => v / total);
  secretKey.delete();
  keyGenerator.delete();
  return unflatten(values, layout);
}

describe('CKKS aggregation vs plaintext FedAvg', () => {
  // Two LoRA layers A [8, 256], B [768, 8] plus a ragged tensor: spans 3 ciphertexts of 4096 slots.
  const layout = [2048, 6144, 8192, 777];

  it.each([
    { name: 'typical LoRA round (|Δ| ~ 1e-3, n ~ 1e3)', scale: 1e-3, examples: [1200, 800, 2000] },
    { name: 'tiny deltas, tiny sites (|Δ| ~ 1e-7, n ~ 1)', scale: 1e-7, examples: [1, 2, 3] },
    {
      name: 'large deltas, large sites (|Δ| ~ 1, n ~ 1e6)',
      scale: 1,
      examples: [1_000_000, 250_000, 3_000_000],
    },
  ])('matches within 1e-6 relative: $name', async ({ scale, examples }) => {
    const deltas = examples.map((_, i) => seededDelta(1000 + i, layout, scale));
    const got = await encryptedFedAvg(deltas, examples);
    const reference = plaintextFedAvg(deltas.map((delta, i) => ({ delta, examples: examples[i] as number })));
    const error = maxRelativeError(got, reference);
    expect(error).toBeLessThanOrEqual(1e-6);
    // The check can fail: an unweighted mean is far from the weighted one.
    const unweighted = plaintextFedAvg(deltas.map((delta) => ({ delta, examples: 1 })));
    expect(maxRelativeError(got, unweighted)).toBeGreaterThan(1e-3);
  });

  it('symmetric (seeded) site ciphertexts are about half the size of the summed one', async () => {
    const runtime = await ckksRuntime(DEFAULT_CKKS_PARAMETERS);
    const keyGenerator = runtime.seal.KeyGenerator(runtime.context);
    const secretKey = keyGenerator.secretKey();
    const c = encryptVector(runtime, secretKey, new Float64Array(runtime.slotCount).fill(0.5));
    const s = sumCiphertextVectors(runtime, [c, c]);
    // 2 data primes × 8192 coefficients × 8 bytes = 131 072 bytes per polynomial.
    expect((c[0] as Uint8Array).length).toBeGreaterThan(131_072 * 0.9);
    expect((c[0] as Uint8Array).length).toBeLessThan(131_072 * 1.05);
    expect((s[0] as Uint8Array).length).toBeGreaterThan(2 * 131_072 * 0.9);
    secretKey.delete();
    keyGenerator.delete();
  });

  it('refuses a non-finite value instead of encrypting garbage', async () => {
    const runtime = await ckksRuntime(DEFAULT_CKKS_PARAMETERS);
    const keyGenerator = runtime.seal.KeyGenerator(runtime.context);
    const secretKey = keyGenerator.secretKey();
    let caught: unknown;
    try {
      encryptVector(runtime, secretKey, Float64Array.from([1, Number.NaN]));
    } catch (error) {
      caught = error;
    }
    expect(isConfidantError(caught) && caught.code).toBe('fed.value-out-of-range');
    secretKey.delete();
    keyGenerator.delete();
  });

  it('the coordinator refuses, before summing, a ciphertext at another scale or a damaged one', async () => {
    const runtime = await ckksRuntime(DEFAULT_CKKS_PARAMETERS);
    const other = await ckksRuntime({ ...DEFAULT_CKKS_PARAMETERS, scaleBits: 50 });
    const keyGenerator = runtime.seal.KeyGenerator(runtime.context);
    const secretKey = keyGenerator.secretKey();
    const good = encryptVector(runtime, secretKey, new Float64Array(10).fill(1));
    expect(() => validateCiphertexts(runtime, good)).not.toThrow();
    const wrongScale = encryptVector(other, secretKey, new Float64Array(10).fill(1));
    expect(() => validateCiphertexts(runtime, wrongScale)).toThrow(/scale 2\^50/);
    const damaged = Uint8Array.from(good[0] as Uint8Array).subarray(0, 1000);
    expect(() => validateCiphertexts(runtime, [damaged])).toThrow(/not a valid ciphertext/);
    secretKey.delete();
    keyGenerator.delete();
  });

  it('SEAL refuses parameters above the 128-bit bound', async () => {
    await expect(
      ckksRuntime({ ...DEFAULT_CKKS_PARAMETERS, coeffModulusBits: [60, 60, 60, 60] }),
    ).rejects.toMatchObject({ code: 'fed.insecure-parameters' });
  });
});
