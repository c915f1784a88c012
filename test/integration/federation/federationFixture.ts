/** Shared set-up for the federation integration tests: one ceremony, fresh coordinator folders. */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFederation, type CreatedFederation } from '../../../src-main/federation/keyCeremony';
import { readInvitation } from '../../../src-main/federation/federationFiles';
import type { Invitation } from '../../../src-main/federation/federationManifest';
import { ckksRuntime } from '../../../src-main/federation/sealRuntime';
import { COORDINATOR_KEY_FILE, MANIFEST_FILE } from '../../../src-main/federation/federationManifest';

export const PASSPHRASE = 'integration-test passphrase';
export const CHEAP_SCRYPT = { N: 1024, r: 8, p: 1 };

export interface Fixture {
  root: string;
  created: CreatedFederation;
  invitations: Map<string, Invitation>;
}

/**
 * A federation of `siteIds`; minimum contributors 2 unless given (the drop-out tests
 * aggregate two of three sites; the minimum itself is tested in minContributors.test.ts).
 */
export async function makeFederation(
  siteIds = ['a', 'b', 'c'],
  options: { minContributors?: number } = {},
): Promise<Fixture> {
  const root = mkdtempSync(join(tmpdir(), 'confidant-fed-test-'));
  const created = await createFederation({
    siteIds,
    outDir: join(root, 'federation'),
    passphrase: PASSPHRASE,
    scryptCost: CHEAP_SCRYPT,
    minContributors: options.minContributors ?? 2,
  });
  const invitations = new Map(
    siteIds.map((id) => [id, readInvitation(created.invitations.get(id)!, PASSPHRASE)]),
  );
  return { root, created, invitations };
}

let counter = 0;
/** A copy of the coordinator bundle with no state yet (one per test). */
export function freshCoordinatorDir(fixture: Fixture): string {
  const dir = join(fixture.root, `coordinator-${++counter}`);
  mkdirSync(dir);
  for (const f of [MANIFEST_FILE, COORDINATOR_KEY_FILE])
    copyFileSync(join(fixture.created.coordinatorDir, f), join(dir, f));
  return dir;
}

/** Every serialisation of the CKKS secret key an implementation might store, as search needles. */
export async function secretKeyNeedles(invitation: Invitation): Promise<Buffer[]> {
  const runtime = await ckksRuntime(invitation.manifest.ckks);
  const saved = Buffer.from(invitation.ckksSecretKey, 'base64');
  const key = runtime.seal.SecretKey();
  key.loadArray(runtime.context, saved);
  const raw = Buffer.from(key.saveArray(runtime.seal.ComprModeType.none));
  key.delete();
  const needles: Buffer[] = [];
  for (const form of [saved, raw]) {
    for (const at of [0.25, 0.5, 0.75]) {
      const start = Math.floor((form.length * at) / 3) * 3;
      const window = form.subarray(start, start + 48);
      needles.push(Buffer.from(window));
      needles.push(Buffer.from(form.toString('base64').slice((start / 3) * 4, (start / 3) * 4 + 64)));
      needles.push(Buffer.from(window.toString('hex')));
    }
  }
  return needles;
}

/** Files under `dir` (recursively) that contain any needle. */
export function filesContaining(dir: string, needles: readonly Buffer[]): string[] {
  const hits: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) hits.push(...filesContaining(path, needles));
    else {
      const bytes = readFileSync(path);
      if (needles.some((n) => bytes.includes(n))) hits.push(path);
    }
  }
  return hits;
}
