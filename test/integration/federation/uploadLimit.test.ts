// The coordinator caps an upload at what the CKKS parameters and the federation's adapter
// layout imply (issue #19: it used to buffer up to 2 GiB per upload).
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoordinatorClient } from '../../../src-main/federation/coordinatorClient';
import { startCoordinatorServer } from '../../../src-main/federation/coordinatorServer';
import { readCoordinatorBundle } from '../../../src-main/federation/federationFiles';
import { FederationSite } from '../../../src-main/federation/federationSite';
import { importUpdate } from '../../../src-main/federation/fileExchange';
import { RoundCoordinator } from '../../../src-main/federation/roundCoordinator';
import { MAX_ADAPTER_VALUES, maxUpdateBytes } from '../../../src-main/federation/updateSizeLimit';
import { type Fixture, freshCoordinatorDir, makeFederation } from './federationFixture';

const LAYOUT = [4096, 4096];
let fx: Fixture;
let site: FederationSite;

beforeAll(async () => {
  fx = await makeFederation();
  site = await FederationSite.open(fx.invitations.get('a')!);
});
afterAll(() => {
  site.close();
  rmSync(fx.root, { recursive: true, force: true });
});

describe('update upload cap', () => {
  it('fits a real update and is far below 2 GiB once the layout is known', async () => {
    const ckks = fx.invitations.get('a')!.manifest.ckks;
    const update = site.encryptUpdate(
      1,
      LAYOUT.map((n) => new Float32Array(n).fill(1e-3)),
      10,
    );
    const cap = maxUpdateBytes(ckks, 8192);
    expect(update.bytes.length).toBeLessThanOrEqual(cap);
    expect(cap).toBeLessThan(3 * 1024 * 1024); // 2 ciphertexts at N = 8192: about 1.8 MB
    expect(maxUpdateBytes(ckks, null)).toBe(maxUpdateBytes(ckks, MAX_ADAPTER_VALUES));
    expect(maxUpdateBytes(ckks, null)).toBeLessThan(2 ** 31);

    const coordinator = new RoundCoordinator(readCoordinatorBundle(freshCoordinatorDir(fx)));
    const server = await startCoordinatorServer(coordinator, { log: () => {} });
    const client = new CoordinatorClient(server.url, fx.invitations.get('b')!);
    try {
      const file = join(fx.root, 'a.update');
      writeFileSync(file, update.bytes);
      await importUpdate(coordinator, file);
      expect(coordinator.updateSizeLimit()).toBe(cap);
      const oversized = Buffer.alloc(cap + 1024 * 1024, 7);
      await expect(client.submitUpdate(1, oversized)).rejects.toMatchObject({ code: 'fed.too-large' });
    } finally {
      client.close();
      await server.close();
      coordinator.close();
    }
  });
});
