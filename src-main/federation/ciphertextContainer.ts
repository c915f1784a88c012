/**
 * The byte layout of a list of serialised ciphertexts: "CFCT", u32 version (1), u32 count,
 * then per ciphertext u32 length + SEAL's compressed serialisation. Little-endian.
 */
import { ConfidantError } from '../shared/confidantError.js';

const MAGIC = Buffer.from('CFCT', 'ascii');

export function packCiphertexts(ciphertexts: readonly Uint8Array[]): Buffer {
  const size = 12 + ciphertexts.reduce((n, c) => n + 4 + c.length, 0);
  const out = Buffer.allocUnsafe(size);
  MAGIC.copy(out, 0);
  out.writeUInt32LE(1, 4);
  out.writeUInt32LE(ciphertexts.length, 8);
  let offset = 12;
  for (const c of ciphertexts) {
    out.writeUInt32LE(c.length, offset);
    out.set(c, offset + 4);
    offset += 4 + c.length;
  }
  return out;
}

function damaged(detail: string): ConfidantError {
  return new ConfidantError('fed.bad-ciphertext', `the ciphertext payload is damaged: ${detail}`, {
    hint: 'transfer the file again; it was truncated or altered',
  });
}

/** Views (no copies) of the ciphertexts in a packed payload. */
export function unpackCiphertexts(payload: Uint8Array): Uint8Array[] {
  const buf = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  if (buf.length < 12 || !buf.subarray(0, 4).equals(MAGIC)) throw damaged('no CFCT header');
  if (buf.readUInt32LE(4) !== 1) throw damaged(`unknown version ${buf.readUInt32LE(4)}`);
  const count = buf.readUInt32LE(8);
  const out: Uint8Array[] = [];
  let offset = 12;
  for (let i = 0; i < count; i++) {
    if (offset + 4 > buf.length) throw damaged(`ciphertext ${i} is missing`);
    const len = buf.readUInt32LE(offset);
    if (offset + 4 + len > buf.length) throw damaged(`ciphertext ${i} is truncated`);
    out.push(buf.subarray(offset + 4, offset + 4 + len));
    offset += 4 + len;
  }
  if (offset !== buf.length) throw damaged(`${buf.length - offset} trailing bytes`);
  return out;
}
