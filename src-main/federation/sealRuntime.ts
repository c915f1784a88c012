/**
 * Loads Microsoft SEAL compiled to WebAssembly (node-seal 6.0.3; 7.x needs Node 22) once per
 * process and builds a validated CKKS context from a federation's parameters. SEAL refuses
 * parameter sets above the 128-bit coefficient-modulus bound, and so does this module.
 */
import SEAL from 'node-seal';
import type { SEALLibrary } from 'node-seal/implementation/seal.js';
import type { Context } from 'node-seal/implementation/context.js';
import type { CKKSEncoder } from 'node-seal/implementation/ckks-encoder.js';
import type { Evaluator } from 'node-seal/implementation/evaluator.js';
import type { ComprModeType } from 'node-seal/implementation/compr-mode-type.js';
import { ConfidantError } from '../shared/confidantError.js';
import { type CkksParameters, MAX_SITES_LOG2 } from './ckksParameters.js';

export type { SEALLibrary };

let sealPromise: Promise<SEALLibrary> | null = null;

export function loadSeal(): Promise<SEALLibrary> {
  sealPromise ??= SEAL();
  return sealPromise;
}

/** A CKKS context with its encoder and evaluator, for one parameter set. */
export interface CkksRuntime {
  readonly seal: SEALLibrary;
  readonly params: CkksParameters;
  readonly context: Context;
  readonly encoder: CKKSEncoder;
  readonly evaluator: Evaluator;
  readonly slotCount: number;
  readonly scale: number;
  /** SEAL's compression mode for everything saved to disk or the wire (params.wireCompression). */
  readonly compression: ComprModeType;
}

const runtimes = new Map<string, Promise<CkksRuntime>>();

async function buildRuntime(params: CkksParameters): Promise<CkksRuntime> {
  const seal = await loadSeal();
  const maxBits = seal.CoeffModulus.MaxBitCount(params.polyModulusDegree, seal.SecurityLevel.tc128);
  const totalBits = params.coeffModulusBits.reduce((a, b) => a + b, 0);
  if (totalBits > maxBits) {
    throw new ConfidantError(
      'fed.insecure-parameters',
      `the CKKS coefficient modulus has ${totalBits} bits, over the 128-bit-security bound of ${maxBits} bits for N = ${params.polyModulusDegree}`,
      {
        where: { field: 'coeffModulusBits' },
        hint: 'use fewer or smaller primes, or a larger polyModulusDegree',
      },
    );
  }
  const dataBits = totalBits - (params.coeffModulusBits.at(-1) ?? 0);
  if (params.scaleBits + MAX_SITES_LOG2 + 20 >= dataBits) {
    throw new ConfidantError(
      'fed.invalid-parameters',
      `a scale of 2^${params.scaleBits} leaves under 20 bits for values in a ${dataBits}-bit data modulus (summing up to 2^${MAX_SITES_LOG2} sites)`,
      { where: { field: 'scaleBits' }, hint: 'lower scaleBits or add a prime to coeffModulusBits' },
    );
  }
  const parms = seal.EncryptionParameters(seal.SchemeType.ckks);
  parms.setPolyModulusDegree(params.polyModulusDegree);
  parms.setCoeffModulus(
    seal.CoeffModulus.Create(params.polyModulusDegree, Int32Array.from(params.coeffModulusBits)),
  );
  const context = seal.Context(parms, true, seal.SecurityLevel.tc128);
  parms.delete();
  if (!context.parametersSet()) {
    throw new ConfidantError('fed.invalid-parameters', 'SEAL rejected the CKKS parameters', {
      where: { field: 'ckks' },
      hint: 'use the default parameters (N = 8192, 60+60+60 bits, scale 2^60)',
    });
  }
  const encoder = seal.CKKSEncoder(context);
  return {
    seal,
    params,
    context,
    encoder,
    evaluator: seal.Evaluator(context),
    slotCount: encoder.slotCount,
    scale: 2 ** params.scaleBits,
    compression: (params.wireCompression === 'none'
      ? seal.ComprModeType.none
      : seal.ComprModeType.zstd) as ComprModeType,
  };
}

/** One runtime per parameter set per process (contexts are expensive to build). */
export function ckksRuntime(params: CkksParameters): Promise<CkksRuntime> {
  const key = JSON.stringify(params);
  let runtime = runtimes.get(key);
  if (!runtime) {
    runtime = buildRuntime(params);
    runtimes.set(key, runtime);
    runtime.catch(() => runtimes.delete(key));
  }
  return runtime;
}
