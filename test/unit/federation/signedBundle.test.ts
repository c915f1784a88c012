// Signed bundles: ECDSA P-256 / SHA-256 (FIPS 186-4) over the canonical JSON header
// (RFC 8785), which carries SHA-256 of the ciphertext bytes.
import { describe, expect, it } from 'vitest';
import { packCiphertexts, unpackCiphertexts } from '../../../src-main/federation/ciphertextContainer';
import { issueFederationCertificates, verifyLeaf } from '../../../src-main/federation/federationCa';
import {
  type UpdateHeader,
  parseBundle,
  verifyBundle,
  writeBundle,
} from '../../../src-main/federation/signedBundle';

const certs = issueFederationCertificates('fed-0123456789abcdef', ['a', 'b'], ['localhost']);
const other = issueFederationCertificates('fed-fedcba9876543210', ['a'], ['localhost']);
const siteA = certs.sites.get('a')!;
const siteB = certs.sites.get('b')!;

function update(keyPem: string, payload = packCiphertexts([Buffer.from('c0'), Buffer.from('c1')])): Buffer {
  return writeBundle<UpdateHeader>(
    {
      kind: 'update',
      version: 1,
      federationId: 'fed-0123456789abcdef',
      round: 1,
      siteId: 'a',
      examples: 10,
      nonce: '0'.repeat(32),
      layout: [3],
      valueCount: 3,
      ciphertextCount: 2,
      createdAt: '2026-01-01T00:00:00.000Z',
    },
    payload,
    keyPem,
  );
}

function codeOf(fn: () => void): string | undefined {
  try {
    fn();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

describe('federation CA', () => {
  it('issues leaves that verify against their CA only, named by their common name', () => {
    expect(() => verifyLeaf(siteA.certPem, certs.ca.certPem, 'a')).not.toThrow();
    expect(codeOf(() => verifyLeaf(siteA.certPem, certs.ca.certPem, 'b'))).toBe('fed.bad-certificate');
    expect(codeOf(() => verifyLeaf(other.sites.get('a')!.certPem, certs.ca.certPem, 'a'))).toBe(
      'fed.bad-certificate',
    );
  });
});

describe('signed bundle', () => {
  it('round-trips and verifies with the signer certificate', () => {
    const bytes = update(siteA.keyPem);
    const parsed = parseBundle(bytes);
    expect(parsed.header.kind).toBe('update');
    expect(() => verifyBundle(parsed, siteA.certPem, 'site a')).not.toThrow();
    expect(unpackCiphertexts(parsed.payload).map((c) => Buffer.from(c).toString())).toEqual(['c0', 'c1']);
  });

  it('detects a flipped ciphertext byte as tampering', () => {
    const bytes = update(siteA.keyPem);
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 0x01;
    expect(codeOf(() => verifyBundle(parseBundle(bytes), siteA.certPem, 'site a'))).toBe('fed.tampered');
  });

  it('detects an edited header (another round) and a signature by another key', () => {
    const bytes = update(siteA.keyPem);
    const text = bytes.toString('latin1').replace('"round":1', '"round":2');
    expect(
      codeOf(() => verifyBundle(parseBundle(Buffer.from(text, 'latin1')), siteA.certPem, 'site a')),
    ).toBe('fed.bad-signature');
    expect(codeOf(() => verifyBundle(parseBundle(update(siteB.keyPem)), siteA.certPem, 'site a'))).toBe(
      'fed.bad-signature',
    );
  });

  it('refuses a truncated payload and a non-bundle', () => {
    expect(codeOf(() => unpackCiphertexts(packCiphertexts([Buffer.from('abc')]).subarray(0, 15)))).toBe(
      'fed.bad-ciphertext',
    );
    expect(codeOf(() => parseBundle(Buffer.from('hello world, not a bundle')))).toBe('fed.bad-bundle');
  });
});
