/**
 * A signing key's fingerprint: SHA-256 of its SubjectPublicKeyInfo DER encoding (RFC 5280),
 * as lowercase hex, the same idea as an SSH or TLS key fingerprint. A private key gives
 * the fingerprint of its public half.
 */
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';

export function keyFingerprint(key: KeyObject): string {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  return createHash('sha256')
    .update(publicKey.export({ format: 'der', type: 'spki' }))
    .digest('hex');
}
