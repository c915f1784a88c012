/**
 * Encrypts a vector into CKKS ciphertexts, adds ciphertext vectors, and decrypts. Sites hold
 * the secret key and encrypt symmetrically: SEAL then serialises the ciphertext's random
 * polynomial as a seed, which halves the bytes on the wire; the ciphertext is as secure as a
 * public-key one (both are RLWE samples). The coordinator only adds (no key needed).
 * Every ciphertext is saved with SEAL's zstd compression.
 */
import type { SecretKey } from 'node-seal/implementation/secret-key.js';
import type { CipherText } from 'node-seal/implementation/cipher-text.js';
import { ConfidantError } from '../shared/confidantError.js';
import { chunk, chunkCount } from './adapterPacking.js';
import { maxAbsSlotValue } from './ckksParameters.js';
import type { CkksRuntime } from './sealRuntime.js';

export function loadSecretKey(runtime: CkksRuntime, bytes: Uint8Array): SecretKey {
  const key = runtime.seal.SecretKey();
  try {
    key.loadArray(runtime.context, bytes);
  } catch (error) {
    key.delete();
    throw new ConfidantError(
      'fed.bad-secret-key',
      'the CKKS secret key does not match the federation parameters',
      {
        hint: 'use the invitation created for this federation',
        cause: error,
      },
    );
  }
  return key;
}

export function encryptVector(
  runtime: CkksRuntime,
  secretKey: SecretKey,
  values: Float64Array,
): Uint8Array[] {
  const limit = maxAbsSlotValue(runtime.params);
  let maxAbs = 0;
  for (const v of values) {
    const a = Math.abs(v);
    if (!(a <= limit)) maxAbs = Number.isFinite(a) ? Math.max(maxAbs, a) : Infinity;
  }
  if (maxAbs > 0) {
    throw new ConfidantError(
      'fed.value-out-of-range',
      `an update value has magnitude ${maxAbs}, over the ${limit} the CKKS parameters can sum safely`,
      { hint: 'the adapter delta diverged (NaN or huge values); check the local training run' },
    );
  }
  const { seal, context, encoder, slotCount, scale, compression } = runtime;
  // node-seal's Encryptor needs a valid public key even for symmetric encryption: derive it.
  const keyGenerator = seal.KeyGenerator(context, secretKey);
  const publicKey = keyGenerator.createPublicKey();
  const encryptor = seal.Encryptor(context, publicKey, secretKey);
  const plain = seal.PlainText();
  const out: Uint8Array[] = [];
  try {
    for (let i = 0; i < chunkCount(values.length, slotCount); i++) {
      encoder.encode(chunk(values, i, slotCount), scale, plain);
      const serializable = encryptor.encryptSymmetricSerializable(plain);
      out.push(serializable.saveArray(compression));
      serializable.delete();
    }
  } finally {
    plain.delete();
    encryptor.delete();
    publicKey.delete();
    keyGenerator.delete();
  }
  return out;
}

function loadCiphertext(runtime: CkksRuntime, bytes: Uint8Array, into: CipherText, what: string): void {
  try {
    into.loadArray(runtime.context, bytes);
  } catch (error) {
    throw new ConfidantError('fed.bad-ciphertext', `${what} is not a valid ciphertext for this federation`, {
      hint: 'the file or upload was damaged or made for another federation',
      cause: error,
    });
  }
}

/**
 * Loads every ciphertext of an update and checks it can be summed with the others: a fresh
 * two-component ciphertext at the top level, with the federation's scale. One bad ciphertext
 * would otherwise make the whole round's aggregation fail.
 */
export function validateCiphertexts(
  runtime: CkksRuntime,
  ciphertexts: readonly Uint8Array[],
  onValid?: (index: number, cipher: CipherText) => void,
): void {
  const cipher = runtime.seal.CipherText();
  const dataPrimes = runtime.params.coeffModulusBits.length - 1;
  try {
    ciphertexts.forEach((bytes, i) => {
      loadCiphertext(runtime, bytes, cipher, `ciphertext ${i}`);
      const ok =
        cipher.size === 2 &&
        cipher.coeffModulusSize === dataPrimes &&
        cipher.polyModulusDegree === runtime.params.polyModulusDegree &&
        Math.abs(cipher.scale / runtime.scale - 1) < 1e-9;
      if (!ok) {
        throw new ConfidantError(
          'fed.bad-ciphertext',
          `ciphertext ${i} does not fit the federation's parameters (size ${cipher.size}, ${cipher.coeffModulusSize} primes, scale 2^${Math.log2(cipher.scale).toFixed(1)})`,
          { hint: 'the site must encrypt with the parameters from its invitation' },
        );
      }
      onValid?.(i, cipher);
    });
  } finally {
    cipher.delete();
  }
}

/**
 * The coordinator's running sum: each update is validated and added as it arrives, so
 * publishing the round only saves the sum. Modular addition is exact, so the result is
 * bit-identical to summing all updates at the end, in any order.
 */
export class CiphertextAccumulator {
  private readonly parts: CipherText[] = [];
  private readonly added: string[] = [];

  constructor(private readonly runtime: CkksRuntime) {}

  /** Who has been added, sorted. */
  get members(): string[] {
    return [...this.added].sort();
  }

  /** Validates and adds one update. If it throws, the accumulator is unusable: dispose it. */
  add(member: string, ciphertexts: readonly Uint8Array[]): void {
    if (this.added.length > 0 && ciphertexts.length !== this.parts.length) {
      throw new ConfidantError(
        'fed.layout-mismatch',
        `update ${member} has ${ciphertexts.length} ciphertexts, not ${this.parts.length}`,
      );
    }
    const first = this.added.length === 0;
    validateCiphertexts(this.runtime, ciphertexts, (i, cipher) => {
      if (first) this.parts.push(cipher.clone());
      else this.runtime.evaluator.add(this.parts[i] as CipherText, cipher, this.parts[i] as CipherText);
    });
    this.added.push(member);
  }

  save(): Uint8Array[] {
    return this.parts.map((c) => c.saveArray(this.runtime.compression));
  }

  dispose(): void {
    for (const c of this.parts) c.delete();
    this.parts.length = 0;
  }
}

/** Slot-wise sum of several ciphertext vectors (all of the same length). */
export function sumCiphertextVectors(
  runtime: CkksRuntime,
  vectors: readonly (readonly Uint8Array[])[],
): Uint8Array[] {
  const first = vectors[0];
  if (!first) throw new ConfidantError('fed.nothing-to-aggregate', 'no update to aggregate');
  for (const v of vectors) {
    if (v.length !== first.length) {
      throw new ConfidantError(
        'fed.layout-mismatch',
        `updates have different ciphertext counts (${first.length} and ${v.length})`,
        { hint: 'every site must train the same adapter' },
      );
    }
  }
  const { seal, evaluator, compression } = runtime;
  const acc = seal.CipherText();
  const next = seal.CipherText();
  const out: Uint8Array[] = [];
  try {
    for (let i = 0; i < first.length; i++) {
      loadCiphertext(runtime, first[i] as Uint8Array, acc, `ciphertext ${i} of update 1`);
      for (let s = 1; s < vectors.length; s++) {
        loadCiphertext(
          runtime,
          (vectors[s] as Uint8Array[])[i] as Uint8Array,
          next,
          `ciphertext ${i} of update ${s + 1}`,
        );
        evaluator.add(acc, next, acc);
      }
      out.push(acc.saveArray(compression));
    }
  } finally {
    acc.delete();
    next.delete();
  }
  return out;
}

export function decryptVector(
  runtime: CkksRuntime,
  secretKey: SecretKey,
  ciphertexts: readonly Uint8Array[],
  length: number,
): Float64Array {
  const { seal, context, encoder, slotCount } = runtime;
  if (length > ciphertexts.length * slotCount) {
    throw new ConfidantError(
      'fed.layout-mismatch',
      `${ciphertexts.length} ciphertexts cannot hold ${length} values`,
    );
  }
  const decryptor = seal.Decryptor(context, secretKey);
  const cipher = seal.CipherText();
  const plain = seal.PlainText();
  const out = new Float64Array(length);
  try {
    ciphertexts.forEach((bytes, i) => {
      if (i * slotCount >= length) return;
      loadCiphertext(runtime, bytes, cipher, `ciphertext ${i}`);
      decryptor.decrypt(cipher, plain);
      const slots = encoder.decode(plain);
      out.set(slots.subarray(0, Math.min(slotCount, length - i * slotCount)), i * slotCount);
    });
  } finally {
    plain.delete();
    cipher.delete();
    decryptor.delete();
  }
  return out;
}
