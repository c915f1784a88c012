// Air-gapped rounds carry the same signed, encrypted bundles as files. The same three updates
// aggregated online (HTTPS, mutual TLS) and through files give a byte-identical CKKS aggregate,
// equal to plaintext FedAvg (McMahan et al. 2017) within 1e-6.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoordinatorClient } from '../../../src-main/federation/coordinatorClient';
import { startCoordinatorServer } from '../../../src-main/federation/coordinatorServer';
import { maxRelativeError, plaintextFedAvg } from '../../../src-main/federation/fedAverage';
import { readCoordinatorBundle } from '../../../src-main/federation/federationFiles';
import { FederationSite } from '../../../src-main/federation/federationSite';
import {
  aggregateRound,
  exportAggregate,
  importAggregate,
  importUpdate,
} from '../../../src-main/federation/fileExchange';
import { RoundCoordinator } from '../../../src-main/federation/roundCoordinator';
import { bundleId, parseBundle } from '../../../src-main/federation/signedBundle';
import { SiteState } from '../../../src-main/federation/siteState';
import { SyntheticDeltaTrainer } from '../../../src-main/federation/syntheticDeltaTrainer';
import { type Fixture, freshCoordinatorDir, makeFederation } from './federationFixture';

const EXAMPLES: Record<string, number> = { a: 300, b: 3000, c: 1700 };
let fx: Fixture;
const sites = new Map<string, FederationSite>();

beforeAll(async () => {
  fx = await makeFederation();
  for (const [id, inv] of fx.invitations) sites.set(id, await FederationSite.open(inv));
});

afterAll(() => {
  for (const s of sites.values()) s.close();
  rmSync(fx.root, { recursive: true, force: true });
});

describe('air-gapped federation', () => {
  it('gives the same aggregate as the online path for the same updates', async () => {
    const deltas = new Map<string, Float32Array[]>();
    const files = new Map<string, string>();
    const updates = new Map<string, Buffer>();
    for (const id of ['a', 'b', 'c']) {
      const trainer = new SyntheticDeltaTrainer({
        seed: `air/${id}`,
        layout: [4096, 2000],
        examples: EXAMPLES[id]!,
        samplingRate: 0.02,
        noiseMultiplier: 0.9,
        clipNorm: 1,
        stepsPerRound: 50,
      });
      const delta = (await trainer.train(1, null)).delta;
      deltas.set(id, delta);
      updates.set(id, sites.get(id)!.encryptUpdate(1, delta, EXAMPLES[id]!).bytes);
      files.set(id, join(fx.root, `${id}-round1.update`));
      writeFileSync(files.get(id)!, updates.get(id)!);
    }

    // Online.
    const online = new RoundCoordinator(readCoordinatorBundle(freshCoordinatorDir(fx)));
    const server = await startCoordinatorServer(online, { log: () => {} });
    let onlineAggregate: Buffer;
    try {
      for (const id of ['c', 'a', 'b']) {
        const client = new CoordinatorClient(server.url, fx.invitations.get(id)!);
        await client.submitUpdate(1, updates.get(id)!);
        client.close();
      }
      const client = new CoordinatorClient(server.url, fx.invitations.get('a')!);
      onlineAggregate = (await client.fetchAggregate(1))!;
      client.close();
    } finally {
      await server.close();
      online.close();
    }

    // Files: import (in another order), then aggregate and export in a new process-like
    // coordinator (as `fed aggregate` runs), so the sum is computed from the stored updates
    // rather than the running in-memory sum the online coordinator kept.
    const offlineDir = freshCoordinatorDir(fx);
    const aggregateFile = join(fx.root, 'round1.aggregate');
    const importer = new RoundCoordinator(readCoordinatorBundle(offlineDir));
    try {
      for (const id of ['b', 'c', 'a']) {
        const accepted = await importUpdate(importer, files.get(id)!);
        expect(accepted.aggregated).toBe(false);
      }
      await expect(importUpdate(importer, files.get('a')!)).rejects.toMatchObject({ code: 'fed.replayed' });
    } finally {
      importer.close();
    }
    const aggregator = new RoundCoordinator(readCoordinatorBundle(offlineDir));
    try {
      await aggregateRound(aggregator, 1);
      exportAggregate(aggregator, 1, aggregateFile);
    } finally {
      aggregator.close();
    }

    const on = parseBundle(onlineAggregate);
    const off = parseBundle(readFileSync(aggregateFile));
    expect(off.header.payloadSha256).toBe(on.header.payloadSha256);
    expect(off.payload.equals(on.payload)).toBe(true);

    const stateDir = join(fx.root, 'state-b');
    mkdirSync(stateDir);
    const state = SiteState.open(stateDir, sites.get('b')!.federationId, 'b');
    state.recordSent(1, bundleId(updates.get('b')!), EXAMPLES.b!);
    // A site refuses an altered aggregate file (a flipped ciphertext byte, or an edited Σ n_i).
    const bytes = readFileSync(aggregateFile);
    const flipped = Buffer.from(bytes);
    flipped[flipped.length - 7] = (flipped[flipped.length - 7] as number) ^ 0x10;
    writeFileSync(join(fx.root, 'flipped.aggregate'), flipped);
    expect(() =>
      importAggregate({ site: sites.get('b')!, state, file: join(fx.root, 'flipped.aggregate') }),
    ).toThrow(/altered after signing/);
    const total = bytes.toString('latin1').replace('"totalExamples":5000', '"totalExamples":5001');
    writeFileSync(join(fx.root, 'edited.aggregate'), Buffer.from(total, 'latin1'));
    expect(() =>
      importAggregate({ site: sites.get('b')!, state, file: join(fx.root, 'edited.aggregate') }),
    ).toThrow(/signature/);
    expect(state.json.applied).toEqual([]);
    const imported = importAggregate({ site: sites.get('b')!, state, file: aggregateFile });
    const reference = plaintextFedAvg(
      ['a', 'b', 'c'].map((id) => ({ delta: deltas.get(id)!, examples: EXAMPLES[id]! })),
    );
    expect(imported.contributed).toBe(true);
    expect(maxRelativeError(imported.average, reference)).toBeLessThanOrEqual(1e-6);
    expect(
      maxRelativeError(sites.get('a')!.decryptAggregate(onlineAggregate, 1).average, imported.average),
    ).toBe(0);
    expect(maxRelativeError(state.globalAdapter()!, imported.average)).toBe(0);
    expect(() => importAggregate({ site: sites.get('b')!, state, file: aggregateFile })).toThrow(
      /already applied/,
    );
  });
});
