/**
 * The federation's certificate authority: an ECDSA P-256 CA and the leaf certificates of the
 * coordinator and of each site (X.509, RFC 5280). Node 20 cannot issue certificates, so the
 * keys are made with node:crypto and the certificates are signed by the `openssl` command
 * (OpenSSL ≥ 1.1.1), run in a private temporary folder that is removed afterwards.
 * A leaf's common name is its identity: the site id, or "coordinator".
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate, createPrivateKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfidantError } from '../shared/confidantError.js';

export interface KeyAndCertificate {
  readonly keyPem: string;
  readonly certPem: string;
}

export const COORDINATOR_NAME = 'coordinator';

function newKeyPem(): string {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
    type: 'pkcs8',
    format: 'pem',
  }) as string;
}

/**
 * The environment for a child process: this one's, without any variable that holds a
 * passphrase or secret (CONFIDANT_PASSPHRASE, CONFIDANT_NEW_PASSPHRASE,
 * CONFIDANT_FED_PASSPHRASE, …), which a child has no use for and could leak.
 */
export function childEnvironment(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(env).filter(([name]) => !/^CONFIDANT_.*(PASSPHRASE|SECRET|KEY)/.test(name)),
  );
}

function openssl(args: string[], cwd: string): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: childEnvironment() });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    const missing = (error as { code?: string }).code === 'ENOENT';
    throw new ConfidantError(
      'fed.openssl-failed',
      missing ? 'the `openssl` command is not installed' : `openssl failed: ${stderr ?? String(error)}`,
      {
        hint: missing
          ? 'install OpenSSL (Debian: apt-get install openssl) and run `confidant fed init` again'
          : 'report this as a bug with the text above',
      },
    );
  }
}

/** Issues the CA and every leaf in one private temporary folder. The CA key is returned only to the caller. */
export function issueFederationCertificates(
  federationId: string,
  siteIds: readonly string[],
  coordinatorHosts: readonly string[],
  validityDays = 825,
): { ca: KeyAndCertificate; coordinator: KeyAndCertificate; sites: Map<string, KeyAndCertificate> } {
  const dir = mkdtempSync(join(tmpdir(), 'confidant-fed-ca-'));
  try {
    const caKey = newKeyPem();
    writeFileSync(join(dir, 'ca.key'), caKey, { mode: 0o600 });
    openssl(
      [
        'req',
        '-x509',
        '-new',
        '-key',
        'ca.key',
        '-sha256',
        '-days',
        String(validityDays + 1),
        '-subj',
        `/O=Confidant federation ${federationId}/CN=Confidant federation CA`,
        '-addext',
        'basicConstraints=critical,CA:TRUE,pathlen:0',
        '-addext',
        'keyUsage=critical,keyCertSign,cRLSign',
        '-out',
        'ca.crt',
      ],
      dir,
    );
    const caCert = readFileSync(join(dir, 'ca.crt'), 'utf8');
    const issueLeaf = (name: string, altNames: string): KeyAndCertificate => {
      const keyPem = newKeyPem();
      writeFileSync(join(dir, 'leaf.key'), keyPem, { mode: 0o600 });
      writeFileSync(
        join(dir, 'leaf.ext'),
        [
          'basicConstraints=critical,CA:FALSE',
          'keyUsage=critical,digitalSignature',
          'extendedKeyUsage=serverAuth,clientAuth',
          `subjectAltName=${altNames}`,
          '',
        ].join('\n'),
      );
      openssl(
        [
          'req',
          '-new',
          '-key',
          'leaf.key',
          '-subj',
          `/O=Confidant federation ${federationId}/CN=${name}`,
          '-out',
          'leaf.csr',
        ],
        dir,
      );
      openssl(
        [
          'x509',
          '-req',
          '-in',
          'leaf.csr',
          '-CA',
          'ca.crt',
          '-CAkey',
          'ca.key',
          '-set_serial',
          `0x${randomBytes(16)
            .toString('hex')
            .replace(/^[89a-f]/, '1')}`,
          '-days',
          String(validityDays),
          '-sha256',
          '-extfile',
          'leaf.ext',
          '-out',
          'leaf.crt',
        ],
        dir,
      );
      return { keyPem, certPem: readFileSync(join(dir, 'leaf.crt'), 'utf8') };
    };
    const hostNames = coordinatorHosts.map((h) => (/^[\d.]+$|:/.test(h) ? `IP:${h}` : `DNS:${h}`)).join(',');
    const coordinator = issueLeaf(COORDINATOR_NAME, hostNames);
    const sites = new Map(siteIds.map((id) => [id, issueLeaf(id, `DNS:${id}.site.confidant.invalid`)]));
    return { ca: { keyPem: caKey, certPem: caCert }, coordinator, sites };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The common name of a certificate's subject. */
export function commonName(cert: X509Certificate): string | null {
  const match = /(?:^|\n)CN=([^\n]+)/.exec(cert.subject);
  return match?.[1] ?? null;
}

/** Checks that `certPem` was issued by the CA and names `expectedName`; returns the certificate. */
export function verifyLeaf(certPem: string, caCertPem: string, expectedName: string): X509Certificate {
  const cert = new X509Certificate(certPem);
  const ca = new X509Certificate(caCertPem);
  const now = Date.now();
  const ok =
    cert.checkIssued(ca) &&
    cert.verify(ca.publicKey) &&
    commonName(cert) === expectedName &&
    Date.parse(cert.validFrom) <= now &&
    now <= Date.parse(cert.validTo);
  if (!ok) {
    throw new ConfidantError(
      'fed.bad-certificate',
      `the certificate of "${expectedName}" was not issued by this federation's CA, names someone else, or has expired`,
      {
        hint: 'use the invitation and bundles created together by `confidant fed init`',
      },
    );
  }
  return cert;
}

/** Throws unless the PEM key belongs to the certificate. */
export function assertKeyMatches(keyPem: string, cert: X509Certificate, what: string): void {
  const publicFromKey = createPrivateKey(keyPem);
  if (!cert.checkPrivateKey(publicFromKey)) {
    throw new ConfidantError(
      'fed.bad-certificate',
      `the private key of ${what} does not match its certificate`,
      {
        hint: 'the invitation or bundle was assembled from different ceremonies',
      },
    );
  }
}
