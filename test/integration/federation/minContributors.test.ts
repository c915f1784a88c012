// Issue #19: a round's aggregate must sum at least the federation's minimum number of sites
// (default 3) before any SITE decrypts it (with one contributor the "aggregate" is that site's
// update), whatever the coordinator does; and each site's invitation has its own secret.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCoordinatorBundle, readInvitation } from '../../../src-main/federation/federationFiles';
import { MANIFEST_FILE } from '../../../src-main/federation/federationManifest';
import { FederationSite } from '../../../src-main/federation/federationSite';
import { aggregateRound, importUpdate } from '../../../src-main/federation/fileExchange';
import { createFederation } from '../../../src-main/federation/keyCeremony';
import { RoundCoordinator } from '../../../src-main/federation/roundCoordinator';
import { type AggregateHeader, parseBundle, writeBundle } from '../../../src-main/federation/signedBundle';
import { CHEAP_SCRYPT, type Fixture, freshCoordinatorDir, makeFederation } from './federationFixture';

const delta = (seed: number) => [Float32Array.from({ length: 64 }, (_, i) => Math.sin(seed * 7 + i) * 1e-3)];

let fx: Fixture;
const sites = new Map<string, FederationSite>();

beforeAll(async () => {
  fx = await makeFederation(['a', 'b', 'c'], { minContributors: 3 });
  for (const [id, inv] of fx.invitations) sites.set(id, await FederationSite.open(inv));
});

afterAll(() => {
  for (const s of sites.values()) s.close();
  rmSync(fx.root, { recursive: true, force: true });
});

/** A coordinator folder whose manifest copy was edited to allow single-site rounds. */
function laxCoordinator(): RoundCoordinator {
  const dir = freshCoordinatorDir(fx);
  const file = join(dir, MANIFEST_FILE);
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  manifest.minContributors = 1;
  writeFileSync(file, JSON.stringify(manifest));
  return new RoundCoordinator(readCoordinatorBundle(dir), { minSites: 1 });
}

function updateFile(siteId: string, index: number): string {
  const file = join(fx.root, `${siteId}-${index}.update`);
  writeFileSync(file, sites.get(siteId)!.encryptUpdate(1, delta(index), 100 + index).bytes);
  return file;
}

describe('minimum contributors per round', () => {
  it('fed init writes a minimum of 3 by default and refuses one the sites cannot reach', async () => {
    const created = await createFederation({
      siteIds: ['a', 'b', 'c'],
      outDir: join(fx.root, 'default-min'),
      passphrase: 'long enough passphrase',
      scryptCost: CHEAP_SCRYPT,
    });
    expect(JSON.parse(readFileSync(created.manifestFile, 'utf8')).minContributors).toBe(3);
    await expect(
      createFederation({
        siteIds: ['a', 'b'],
        outDir: join(fx.root, 'two'),
        passphrase: 'long enough passphrase',
      }),
    ).rejects.toMatchObject({ code: 'fed.min-contributors' });
  });

  it('the coordinator will not be configured below the federation minimum', () => {
    expect(
      () => new RoundCoordinator(readCoordinatorBundle(freshCoordinatorDir(fx)), { minSites: 1 }),
    ).toThrow(/minimum of 3 contributors/);
  });

  it('a site refuses, before decrypting, an aggregate of one site that a lax coordinator published', async () => {
    const coordinator = laxCoordinator();
    try {
      await importUpdate(coordinator, updateFile('a', 1));
      await aggregateRound(coordinator, 1);
      const aggregate = coordinator.aggregateBundle(1)!;
      expect(parseBundle(aggregate).header).toMatchObject({ contributors: [{ siteId: 'a' }] });
      expect(() => sites.get('b')!.decryptAggregate(aggregate, 1)).toThrow(
        expect.objectContaining({ code: 'fed.too-few-contributors' }),
      );
    } finally {
      coordinator.close();
    }
  });

  it('a site refuses an aggregate whose extra contributors the coordinator invented', async () => {
    const coordinator = laxCoordinator();
    try {
      await importUpdate(coordinator, updateFile('a', 2));
      await aggregateRound(coordinator, 1);
      const real = parseBundle(coordinator.aggregateBundle(1)!);
      const header = real.header as AggregateHeader;
      const { signature: _s, payloadSha256: _p, payloadBytes: _b, ...unsigned } = header;
      const forged = writeBundle<AggregateHeader>(
        {
          ...unsigned,
          contributors: [
            ...header.contributors,
            { siteId: 'b', examples: 1, updateSha256: 'b'.repeat(64) },
            {
              siteId: 'c',
              examples: 1,
              updateSha256: 'c'.repeat(64),
              updateHeader: header.contributors[0]!.updateHeader!,
            },
          ],
        },
        real.payload,
        readCoordinatorBundle(fx.created.coordinatorDir).keyPem,
      );
      expect(() => sites.get('b')!.decryptAggregate(forged, 1)).toThrow(
        expect.objectContaining({ code: 'fed.too-few-contributors' }),
      );
    } finally {
      coordinator.close();
    }
  });

  it('decrypts a round that three sites really contributed to', async () => {
    const coordinator = new RoundCoordinator(readCoordinatorBundle(freshCoordinatorDir(fx)));
    try {
      for (const [i, id] of ['a', 'b', 'c'].entries())
        await importUpdate(coordinator, updateFile(id, 10 + i));
      const aggregate =
        coordinator.aggregateBundle(1) ??
        (await aggregateRound(coordinator, 1), coordinator.aggregateBundle(1)!);
      const decrypted = sites.get('b')!.decryptAggregate(aggregate, 1);
      expect(decrypted.header.contributors.map((c) => c.siteId)).toEqual(['a', 'b', 'c']);
    } finally {
      coordinator.close();
    }
  });
});

describe('per-site invitation secrets', () => {
  it('seals each invitation with its own secret: one site’s secret does not open another’s', async () => {
    const created = await createFederation({
      siteIds: ['a', 'b', 'c'],
      outDir: join(fx.root, 'per-site'),
      scryptCost: CHEAP_SCRYPT,
    });
    const secrets = [...created.siteSecrets.values()];
    expect(new Set(secrets).size).toBe(3);
    for (const secret of secrets) expect(secret).toMatch(/^[A-Z2-7]{4}(-[A-Z2-7]{4}){5}$/);
    expect(readInvitation(created.invitations.get('a')!, created.siteSecrets.get('a')!).siteId).toBe('a');
    expect(() => readInvitation(created.invitations.get('b')!, created.siteSecrets.get('a')!)).toThrow(
      /passphrase does not open/,
    );
  });
});
