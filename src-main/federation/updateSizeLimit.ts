/**
 * The largest update upload the CKKS parameters allow (issue #19: the coordinator buffered up
 * to 2 GiB per upload). An update is ceil(values / slots) ciphertexts; a fresh ciphertext is
 * 2 polynomials of N coefficients per prime (at most every prime of the modulus), 8 bytes
 * each, plus SEAL's header; zstd never makes it meaningfully larger. Once the federation's
 * adapter layout is known (the first stored update), the cap is that layout's size; before
 * it, the layout of at most MAX_ADAPTER_VALUES values, never above ABSOLUTE_MAX_UPDATE_BYTES.
 */
import type { CkksParameters } from './ckksParameters.js';

/** The most adapter values an update may carry before any layout is known (16 M). */
export const MAX_ADAPTER_VALUES = 16 * 1024 * 1024;
/** Never buffer more than this (2 GiB), whatever the parameters. */
export const ABSOLUTE_MAX_UPDATE_BYTES = 2 ** 31;
/** Room for the signed header (JSON with the layout) and the container framing. */
const HEADER_ALLOWANCE = 1024 * 1024;

export function maxCiphertextBytes(params: CkksParameters): number {
  const raw = 2 * params.polyModulusDegree * params.coeffModulusBits.length * 8;
  return Math.ceil(raw * 1.01) + 4096;
}

/** The cap for an update of `values` adapter values (null: the layout is not known yet). */
export function maxUpdateBytes(params: CkksParameters, values: number | null): number {
  const slots = params.polyModulusDegree / 2;
  const ciphertexts = Math.max(1, Math.ceil((values ?? MAX_ADAPTER_VALUES) / slots));
  return Math.min(
    ABSOLUTE_MAX_UPDATE_BYTES,
    HEADER_ALLOWANCE + ciphertexts * (maxCiphertextBytes(params) + 4),
  );
}
