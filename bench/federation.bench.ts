// One federated round at scale: 3 sites encrypt 1M-parameter LoRA deltas (n_i-weighted, CKKS
// N = 8192, 4096 slots, 245 ciphertexts each), upload them to the coordinator over HTTPS with
// mutual TLS on loopback, the coordinator sums the ciphertexts, and every site downloads and
// decrypts the aggregate. Everything runs in this one process, so the sites' work is serial
// here; `criticalPathMs` is the round's latency when each site is its own machine.
// Target (issue #9): encrypt + upload + aggregate + decrypt < 10 s on 2 cores. Run twice: with
// SEAL's zstd on the wire (the default) and without compression (`withoutCompression`).
// Run: node --import tsx bench/federation.bench.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CKKS_PARAMETERS } from '../src-main/federation/ckksParameters';
import { CoordinatorClient } from '../src-main/federation/coordinatorClient';
import { startCoordinatorServer } from '../src-main/federation/coordinatorServer';
import { maxRelativeError, plaintextFedAvg } from '../src-main/federation/fedAverage';
import { readCoordinatorBundle, readInvitation } from '../src-main/federation/federationFiles';
import { FederationSite } from '../src-main/federation/federationSite';
import { createFederation } from '../src-main/federation/keyCeremony';
import { RoundCoordinator } from '../src-main/federation/roundCoordinator';
import { SyntheticDeltaTrainer, loraLayout } from '../src-main/federation/syntheticDeltaTrainer';

const PARAMETERS = 1_000_000;
const SITES = ['a', 'b', 'c'];
const EXAMPLES = [1200, 800, 2000];

async function runRound(wireCompression: 'zstd' | 'none'): Promise<Record<string, unknown>> {
  const root = mkdtempSync(join(tmpdir(), 'confidant-fed-bench-'));
  try {
    const passphrase = 'benchmark passphrase';
    const created = await createFederation({
      siteIds: SITES,
      outDir: join(root, 'fed'),
      passphrase,
      scryptCost: { N: 1024, r: 8, p: 1 },
      ckks: { ...DEFAULT_CKKS_PARAMETERS, wireCompression },
    });
    // ≈ 1M parameters in LoRA shapes: rank 8 on 768→2304 (c_attn of GPT-2 small) is 24 576 per layer.
    const layers = Math.ceil(PARAMETERS / (8 * 768 + 2304 * 8));
    const layout = loraLayout(layers, 768, 2304, 8);
    const parameters = layout.reduce((n, l) => n + l, 0);
    const sites = await Promise.all(
      SITES.map(async (id) => FederationSite.open(readInvitation(created.invitations.get(id)!, passphrase))),
    );
    const deltas = await Promise.all(
      SITES.map((id, i) =>
        new SyntheticDeltaTrainer({
          seed: `bench/${id}`,
          layout,
          examples: EXAMPLES[i]!,
          samplingRate: 0.01,
          noiseMultiplier: 1,
          clipNorm: 1,
          stepsPerRound: 100,
        })
          .train(1, null)
          .then((r) => r.delta),
      ),
    );
    const coordinator = new RoundCoordinator(readCoordinatorBundle(created.coordinatorDir), {});
    const server = await startCoordinatorServer(coordinator, { log: () => {} });
    const clients = SITES.map(
      (id) => new CoordinatorClient(server.url, readInvitation(created.invitations.get(id)!, passphrase)),
    );

    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const encrypted = sites.map((site, i) => site.encryptUpdate(1, deltas[i]!, EXAMPLES[i]!));
    const t1 = performance.now();
    const uploadMs: number[] = [];
    await Promise.all(
      clients.map(async (c, i) => {
        const s = performance.now();
        await c.submitUpdate(1, encrypted[i]!.bytes);
        uploadMs.push(performance.now() - s);
      }),
    );
    const t2 = performance.now();
    const downloads: { fetchMs: number; decryptMs: number; average: Float32Array[] }[] = [];
    for (const [i, c] of clients.entries()) {
      const s = performance.now();
      const bundle = (await c.fetchAggregate(1))!;
      const fetchMs = performance.now() - s;
      const d = sites[i]!.decryptAggregate(bundle, 1);
      downloads.push({ fetchMs, decryptMs: d.decryptMs, average: d.average });
    }
    const t3 = performance.now();
    const cpu = process.cpuUsage(cpu0);

    const reference = plaintextFedAvg(deltas.map((delta, i) => ({ delta, examples: EXAMPLES[i]! })));
    const aggregation = coordinator.aggregations.get(1)!;
    const encryptMs = encrypted.map((e) => e.encryptMs);
    const maxOf = (xs: number[]): number => Math.max(...xs);
    const result = {
      benchmark: 'federation',
      parameters,
      sites: SITES.length,
      cores: availableParallelism(),
      ckks: coordinator.bundle.manifest.ckks,
      ciphertextsPerUpdate: encrypted[0]!.header.ciphertextCount,
      updateBytes: encrypted[0]!.bytes.length,
      aggregateBytes: aggregation.aggregateBytes,
      bytesOnWire: server.traffic.receivedBytes + server.traffic.sentBytes,
      maxRelativeError: maxOf(downloads.map((d) => maxRelativeError(d.average, reference))),
      encryptMsPerSite: encryptMs.map((x) => Math.round(x)),
      uploadAndAggregateMs: Math.round(t2 - t1),
      aggregateMs: Math.round(aggregation.aggregateMs),
      fetchMsPerSite: downloads.map((d) => Math.round(d.fetchMs)),
      decryptMsPerSite: downloads.map((d) => Math.round(d.decryptMs)),
      totalMs: Math.round(t3 - t0),
      /** CPU time of the whole round (all sites and the coordinator), robust to other load. */
      totalCpuMs: Math.round((cpu.user + cpu.system) / 1000),
      criticalPathMs: Math.round(
        maxOf(encryptMs) + (t2 - t1) + maxOf(downloads.map((d) => d.fetchMs + d.decryptMs)),
      ),
      targetMs: 10_000,
    };
    for (const c of clients) c.close();
    for (const s of sites) s.close();
    await server.close();
    coordinator.close();
    return result;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

const withZstd = await runRound('zstd');
const plain = await runRound('none');
const {
  totalMs,
  totalCpuMs,
  criticalPathMs,
  updateBytes,
  aggregateBytes,
  aggregateMs,
  encryptMsPerSite,
  decryptMsPerSite,
} = plain;
process.stdout.write(
  `${JSON.stringify({
    ...withZstd,
    loadAverage1m: loadavg()[0],
    withoutCompression: {
      totalMs,
      totalCpuMs,
      criticalPathMs,
      updateBytes,
      aggregateBytes,
      aggregateMs,
      encryptMsPerSite,
      decryptMsPerSite,
    },
  })}\n`,
);
