// Online rounds over HTTPS with mutual TLS (RFC 8446) between a coordinator and three sites
// on loopback: FedAvg (McMahan et al. 2017) under CKKS (Cheon et al. 2017) within 1e-6 of the
// plaintext reference; certificates from another CA refused; tampered, replayed, mis-attributed
// and late updates rejected with their reasons; a dropped site; a coordinator restart mid-round;
// and no CKKS secret key anywhere in the coordinator's folder.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoordinatorClient } from '../../../src-main/federation/coordinatorClient';
import { startCoordinatorServer } from '../../../src-main/federation/coordinatorServer';
import { maxRelativeError, plaintextFedAvg } from '../../../src-main/federation/fedAverage';
import { readCoordinatorBundle } from '../../../src-main/federation/federationFiles';
import { FederationSite } from '../../../src-main/federation/federationSite';
import type { LocalTrainer } from '../../../src-main/federation/localTrainer';
import { RoundCoordinator, type RoundPolicy } from '../../../src-main/federation/roundCoordinator';
import { runSiteRounds } from '../../../src-main/federation/siteRounds';
import { SiteState } from '../../../src-main/federation/siteState';
import { SyntheticDeltaTrainer } from '../../../src-main/federation/syntheticDeltaTrainer';
import {
  type Fixture,
  filesContaining,
  freshCoordinatorDir,
  makeFederation,
  secretKeyNeedles,
} from './federationFixture';

const LAYOUT = [512, 1536, 700];
const EXAMPLES: Record<string, number> = { a: 1200, b: 800, c: 2000 };

function trainer(siteId: string, seen: (Float32Array[] | null)[] = []): LocalTrainer {
  const inner = new SyntheticDeltaTrainer({
    seed: `test/${siteId}`,
    layout: LAYOUT,
    examples: EXAMPLES[siteId]!,
    samplingRate: 0.05,
    noiseMultiplier: 1.1,
    clipNorm: 1,
    stepsPerRound: 20,
  });
  return {
    train: (round, global) => {
      seen.push(global ? global.map((t) => Float32Array.from(t)) : null);
      return inner.train(round, global);
    },
  };
}

let fx: Fixture;
const sites = new Map<string, FederationSite>();
const coordinatorDirs: string[] = [];

async function startCoordinator(policy: Partial<RoundPolicy> = {}, dir = freshCoordinatorDir(fx)) {
  coordinatorDirs.push(dir);
  const coordinator = new RoundCoordinator(readCoordinatorBundle(dir), policy);
  const server = await startCoordinatorServer(coordinator, { tickMs: 50, log: () => {} });
  return { dir, coordinator, server };
}

function client(url: string, siteId: string): CoordinatorClient {
  return new CoordinatorClient(url, fx.invitations.get(siteId)!);
}

async function rejection(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
  return 'accepted';
}

beforeAll(async () => {
  fx = await makeFederation();
  for (const [id, inv] of fx.invitations) sites.set(id, await FederationSite.open(inv));
});

afterAll(() => {
  for (const s of sites.values()) s.close();
  rmSync(fx.root, { recursive: true, force: true });
});

describe('online federation over mutual TLS', () => {
  it('three sites, two rounds: the decrypted aggregate is plaintext FedAvg within 1e-6, and feeds round 2', async () => {
    const { coordinator, server } = await startCoordinator({ maxRounds: 2 });
    const seen = new Map<string, (Float32Array[] | null)[]>();
    try {
      const reports = await Promise.all(
        ['a', 'b', 'c'].map((id) => {
          seen.set(id, []);
          const c = client(server.url, id);
          return runSiteRounds({
            site: sites.get(id)!,
            client: c,
            trainer: trainer(id, seen.get(id)),
            rounds: 2,
            pollMs: 20,
          }).finally(() => c.close());
        }),
      );
      for (const round of [1, 2]) {
        const perSite = reports.map((r) => r.find((x) => x.round === round)!);
        const reference = plaintextFedAvg(perSite.map((x) => ({ delta: x.delta, examples: x.examples })));
        for (const x of perSite) {
          expect(x.outcome).toBe('contributed');
          expect(x.contributors).toEqual(['a', 'b', 'c']);
          expect(x.totalExamples).toBe(4000);
          expect(maxRelativeError(x.average!, reference)).toBeLessThanOrEqual(1e-6);
        }
      }
      // Round 2 starts from round 1's aggregate; ε composes over both rounds.
      const r1 = reports[0]!.find((x) => x.round === 1)!;
      expect(seen.get('b')![0]).toBeNull();
      expect(maxRelativeError(seen.get('b')![1]!, r1.average!)).toBeLessThanOrEqual(1e-6);
      const eps = reports[0]!.map((x) => x.privacy.epsilon);
      expect(eps[1]!).toBeGreaterThan(eps[0]!);
      expect(coordinator.status().finished).toBe(true);
      expect(server.traffic.receivedBytes).toBeGreaterThan(0);
    } finally {
      await server.close();
      coordinator.close();
    }
  });

  it('refuses a site whose certificate comes from another CA (and accepts a real one)', async () => {
    const { coordinator, server } = await startCoordinator();
    const intruderFx = await makeFederation(['a', 'b']);
    try {
      const impostor = intruderFx.invitations.get('a')!;
      // Trusts this federation's coordinator, but presents a certificate from another CA.
      const ours = fx.invitations.get('a')!.manifest;
      const hybrid = {
        ...impostor,
        manifest: {
          ...impostor.manifest,
          caCertPem: ours.caCertPem,
          coordinatorCertPem: ours.coordinatorCertPem,
        },
      };
      const bad = new CoordinatorClient(server.url, hybrid);
      const error = await bad.status().catch((e: unknown) => e as Error & { code?: string });
      expect((error as { code?: string }).code).toBe('fed.coordinator-unreachable');
      bad.close();
      // The server refused the handshake because of the client's certificate.
      await new Promise((r) => setTimeout(r, 100));
      expect(server.refusedHandshakes.join('\n')).toMatch(/certificate/i);
      const good = client(server.url, 'a');
      expect((await good.status()).round).toBe(1);
      good.close();
      expect(coordinator.status().received).toEqual([]);
    } finally {
      rmSync(intruderFx.root, { recursive: true, force: true });
      await server.close();
      coordinator.close();
    }
  });

  it('rejects tampered, mis-signed, mis-attributed, replayed and late updates, each with its reason', async () => {
    const { coordinator, server } = await startCoordinator({ quorum: 2 });
    const [ca, cb, cc] = ['a', 'b', 'c'].map((id) => client(server.url, id));
    try {
      const delta = (await trainer('a').train(1, null)).delta;
      const update = sites.get('a')!.encryptUpdate(1, delta, 1200).bytes;
      const tampered = Buffer.from(update);
      tampered[tampered.length - 100] = (tampered[tampered.length - 100] as number) ^ 0xff;
      expect(await rejection(ca!.submitUpdate(1, tampered))).toBe('fed.tampered');
      const resigned = Buffer.from(
        update.toString('latin1').replace('"examples":1200', '"examples":9999'),
        'latin1',
      );
      expect(await rejection(ca!.submitUpdate(1, resigned))).toBe('fed.bad-signature');
      expect(await rejection(cb!.submitUpdate(1, update))).toBe('fed.site-mismatch');
      expect(await rejection(ca!.submitUpdate(1, update))).toBe('accepted');
      expect(await rejection(ca!.submitUpdate(1, update))).toBe('fed.replayed');
      // A second, freshly signed update from a for the same round is a replay too.
      expect(await rejection(ca!.submitUpdate(1, sites.get('a')!.encryptUpdate(1, delta, 1200).bytes))).toBe(
        'fed.replayed',
      );
      const b1 = sites.get('b')!.encryptUpdate(1, (await trainer('b').train(1, null)).delta, 800).bytes;
      expect(await rejection(cb!.submitUpdate(1, b1))).toBe('accepted'); // quorum 2: round 1 aggregated
      const c1 = sites.get('c')!.encryptUpdate(1, (await trainer('c').train(1, null)).delta, 2000).bytes;
      expect(await rejection(cc!.submitUpdate(1, c1))).toBe('fed.late');
      expect(await rejection(cc!.submitUpdate(3, sites.get('c')!.encryptUpdate(3, delta, 5).bytes))).toBe(
        'fed.round-not-open',
      );
      const codes = coordinator.state.rejections().map((r) => r.code);
      expect(codes).toEqual([
        'fed.tampered',
        'fed.bad-signature',
        'fed.site-mismatch',
        'fed.replayed',
        'fed.replayed',
        'fed.late',
        'fed.round-not-open',
      ]);
      expect(coordinator.state.rejections()[0]!.reason).toMatch(/altered after signing/);
    } finally {
      for (const c of [ca, cb, cc]) c!.close();
      await server.close();
      coordinator.close();
    }
  });

  it('a site that drops out: after the deadline the others are aggregated with renormalised weights', async () => {
    const { coordinator, server } = await startCoordinator({ quorum: 3, minSites: 2, roundDeadlineMs: 1500 });
    try {
      const reports = await Promise.all(
        ['a', 'b'].map((id) => {
          const c = client(server.url, id);
          return runSiteRounds({
            site: sites.get(id)!,
            client: c,
            trainer: trainer(id),
            rounds: 1,
            pollMs: 50,
          }).finally(() => c.close());
        }),
      );
      const [ra, rb] = reports.map((r) => r[0]!);
      expect(ra!.contributors).toEqual(['a', 'b']);
      expect(ra!.totalExamples).toBe(2000);
      const present = plaintextFedAvg([ra!, rb!].map((x) => ({ delta: x.delta, examples: x.examples })));
      expect(maxRelativeError(ra!.average!, present)).toBeLessThanOrEqual(1e-6);
      // Not the weights of the full federation (which would include c's 2000 examples).
      const withC = plaintextFedAvg([
        ra!,
        rb!,
        { delta: (await trainer('c').train(1, null)).delta, examples: 2000 },
      ]);
      expect(maxRelativeError(ra!.average!, withC)).toBeGreaterThan(0.1);
      expect(coordinator.status().round).toBe(2);
    } finally {
      await server.close();
      coordinator.close();
    }
  });

  it('a coordinator restarted mid-round keeps the updates it acknowledged', async () => {
    const first = await startCoordinator();
    const deltas = new Map<string, Float32Array[]>();
    for (const id of ['a', 'b', 'c']) deltas.set(id, (await trainer(id).train(1, null)).delta);
    const updates = new Map(
      ['a', 'b', 'c'].map((id) => [
        id,
        sites.get(id)!.encryptUpdate(1, deltas.get(id)!, EXAMPLES[id]!).bytes,
      ]),
    );
    for (const id of ['a', 'b']) {
      const c = client(first.server.url, id);
      await c.submitUpdate(1, updates.get(id)!);
      c.close();
    }
    await first.server.close();
    first.coordinator.close();

    const second = await startCoordinator({}, first.dir);
    try {
      expect(second.coordinator.status()).toMatchObject({ round: 1, state: 'open', received: ['a', 'b'] });
      const ca = client(second.server.url, 'a');
      expect(await rejection(ca.submitUpdate(1, updates.get('a')!))).toBe('fed.replayed');
      const cc = client(second.server.url, 'c');
      await cc.submitUpdate(1, updates.get('c')!);
      const aggregate = sites.get('a')!.decryptAggregate((await ca.fetchAggregate(1))!, 1);
      const reference = plaintextFedAvg(
        ['a', 'b', 'c'].map((id) => ({ delta: deltas.get(id)!, examples: EXAMPLES[id]! })),
      );
      expect(aggregate.header.contributors.map((c) => c.siteId)).toEqual(['a', 'b', 'c']);
      expect(maxRelativeError(aggregate.average, reference)).toBeLessThanOrEqual(1e-6);
      ca.close();
      cc.close();
    } finally {
      await second.server.close();
      second.coordinator.close();
    }
  });

  it('a site restarted after sending its update waits for the aggregate without training (or spending ε) again', async () => {
    const { coordinator, server } = await startCoordinator({ quorum: 2 });
    const stateDir = join(fx.root, 'site-a-state');
    const calls: (Float32Array[] | null)[] = [];
    const ca = client(server.url, 'a');
    const cb = client(server.url, 'b');
    try {
      const first = runSiteRounds({
        site: sites.get('a')!,
        client: ca,
        trainer: trainer('a', calls),
        rounds: 1,
        pollMs: 20,
        aggregateTimeoutMs: 300,
        state: SiteState.open(stateDir, sites.get('a')!.federationId, 'a'),
      });
      await expect(first).rejects.toMatchObject({ code: 'fed.aggregate-timeout' });
      expect(calls).toHaveLength(1);
      const [again, b] = await Promise.all([
        runSiteRounds({
          site: sites.get('a')!,
          client: ca,
          trainer: trainer('a', calls),
          rounds: 1,
          pollMs: 20,
          state: SiteState.open(stateDir, sites.get('a')!.federationId, 'a'),
        }),
        runSiteRounds({ site: sites.get('b')!, client: cb, trainer: trainer('b'), rounds: 1, pollMs: 20 }),
      ]);
      expect(calls).toHaveLength(1);
      expect(again[0]).toMatchObject({ round: 1, outcome: 'contributed', contributors: ['a', 'b'] });
      expect(again[0]!.privacy.epsilon).toBeCloseTo(b[0]!.privacy.epsilon, 12); // one round of the same schedule
      expect(maxRelativeError(again[0]!.average!, b[0]!.average!)).toBe(0);
    } finally {
      ca.close();
      cb.close();
      await server.close();
      coordinator.close();
    }
  });

  it('no CKKS secret key in any coordinator folder or its SQLite state (the search itself finds a planted copy)', async () => {
    const needles = await secretKeyNeedles(fx.invitations.get('a')!);
    expect(coordinatorDirs.length).toBeGreaterThanOrEqual(4);
    for (const dir of [fx.created.coordinatorDir, ...coordinatorDirs])
      expect(filesContaining(dir, needles)).toEqual([]);
    // Positive control: the search finds the key when it is there, raw or as base64.
    const planted = join(fx.root, 'planted');
    writeFileSync(planted, JSON.stringify({ key: fx.invitations.get('a')!.ckksSecretKey }));
    expect(filesContaining(fx.root, needles)).toContain(planted);
    rmSync(planted);
  });
});
