// The calls behind the screens of issue #22, as the screens drive them, without a browser:
// export a run's adapter (refused without the plaintext confirmation, then written by a job
// and logged), find a patient by id, forget them by retraining (a job) and read the
// certificate from both the source run and the new run; simulate a 3-site federation.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHandler } from '../../../src-main/app/apiHandler';
import type { ApiCallName, ApiRequest, ApiResponse } from '../../../src-main/shared/api';
import type { Job } from '../../../src-main/shared/apiSchemas';

let directory: string;
let handler: ReturnType<typeof createApiHandler>;

async function call<K extends ApiCallName>(name: K, request: ApiRequest<K>): Promise<ApiResponse<K>> {
  const result = await handler(name, request);
  if (!result.ok) throw new Error(`${name}: ${result.error.code}: ${result.error.message}`);
  return result.value as ApiResponse<K>;
}

async function finished(job: Job): Promise<Job> {
  for (;;) {
    const now = await call('jobs.get', { jobId: job.id });
    if (now.status !== 'running') return now;
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'confidant-screens-'));
  handler = createApiHandler({
    version: '0.0.0-test',
    dataDirectory: { path: join(directory, 'store'), source: 'flag' },
    kdfCost: { N: 2 ** 12, r: 8, p: 1 },
  });
  await call('store.unlock', { passphrase: 'a long test passphrase', create: true });
});

afterAll(async () => {
  await handler?.dispose();
  rmSync(directory, { recursive: true, force: true });
});

describe('adapter export and unlearning over the API', () => {
  let runId = 0;
  let subject = '';
  let datasetId = 0;
  let invitations: Record<string, string> = {};

  it('trains a tiny DP run to work on', async () => {
    const project = await call('projects.create', { name: 'Ward 9' });
    const imported = await call('datasets.synthesize', {
      projectId: project.id,
      name: 'notes',
      records: 60,
      seed: 3,
    });
    datasetId = imported.dataset!.id;
    const preview = await call('datasets.preview', { datasetId, limit: 20 });
    subject = preview.records.find((r) => r.subjectId !== null)!.subjectId!;
    const job = await finished(
      await call('train.start', {
        datasetId,
        model: 'bundled',
        privacy: '8',
        steps: 3,
        maxSequenceLength: 32,
        expectedBatchSize: 4,
        microBatchSize: 4,
      }),
    );
    expect(job.error).toBeUndefined();
    runId = job.runId!;
  });

  it('refuses an export the user did not confirm, then exports and logs it', async () => {
    const refused = await handler('adapter.export', { runId });
    expect(refused).toMatchObject({ ok: false, error: { code: 'api.invalid-request' } });
    const out = join(directory, 'exported');
    const job = await finished(await call('adapter.export', { runId, outDir: out, confirmPlaintext: true }));
    expect(job.error).toBeUndefined();
    expect(job.status).toBe('succeeded');
    expect(job.kind).toBe('export');
    expect(existsSync(join(out, 'adapter_model.safetensors'))).toBe(true);
    expect(JSON.parse(readFileSync(join(out, 'adapter_config.json'), 'utf8'))).toMatchObject({
      peft_type: 'LORA',
    });
    expect(readFileSync(join(out, 'README.md'), 'utf8')).toContain('-differential privacy per record');
    // a second export into the same folder fails in the job, naming the folder; nothing overwritten
    const again = await finished(
      await call('adapter.export', { runId, outDir: out, confirmPlaintext: true }),
    );
    expect(again.status).toBe('failed');
    expect(again.error?.code).toBe('adapter.out-not-empty');
  });

  it('finds a patient by id, never by a name', async () => {
    const found = await call('unlearn.findSubject', { runId, subjectId: subject });
    expect(found).toMatchObject({ found: true, sharded: false });
    expect(found.records).toBeGreaterThan(0);
    expect(await call('unlearn.findSubject', { runId, subjectId: 'P-NOPE' })).toMatchObject({
      found: false,
      records: 0,
    });
    const byName = await handler('unlearn.start', { runId, subjects: ['Jane Doe'], method: 'retrain' });
    expect(byName).toMatchObject({ ok: false, error: { code: 'api.invalid-request' } });
  });

  it('forgets the patient by retraining and shows the certificate on both runs', async () => {
    expect((await call('unlearn.status', { runId })).certificate).toBeNull();
    const job = await finished(
      await call('unlearn.start', { runId, subjects: [subject], method: 'retrain' }),
    );
    expect(job.error).toBeUndefined();
    expect(job.kind).toBe('unlearn');
    const status = await call('unlearn.status', { runId });
    const c = status.certificate!;
    expect(c.runId).toBe(runId);
    expect(c.method).toBe('retrain');
    expect(c.neverSawForgetRecords).toBe(true);
    expect(c.newRunId).not.toBeNull();
    expect((await call('unlearn.status', { runId: c.newRunId! })).certificate?.forgetSetSha256).toBe(
      c.forgetSetSha256,
    );
    const runs = await call('runs.list', {});
    expect(runs.find((r) => r.id === c.newRunId)?.status).toBe('completed');
  });

  it('runs a simulated 3-site federation for one round in a worker and reports it', async () => {
    const job = await finished(
      await call('federation.simulate', { sites: 3, rounds: 1, trainer: 'synthetic' }),
    );
    expect(job.error).toBeUndefined();
    expect(job.kind).toBe('federation');
    const report = JSON.parse(String(job.result!.report));
    expect(report.sites).toHaveLength(3);
    expect(report.rounds).toHaveLength(1);
    expect(report.rounds[0].contributors).toHaveLength(3);
    // CKKS aggregation matches plaintext FedAvg to within its approximation error
    expect(report.rounds[0].maxRelativeError).toBeLessThan(1e-3);
  });

  it('runs the coordinator key ceremony in a worker: one invitation per site, the passphrase never returned', async () => {
    const outDir = join(directory, 'federation');
    const weak = await handler('federation.create', { siteIds: ['a', 'b'], outDir, passphrase: 'short' });
    expect(weak).toMatchObject({ ok: false, error: { code: 'api.invalid-request' } });
    const job = await finished(
      await call('federation.create', {
        siteIds: ['st-marys', 'royal-free', 'leeds'],
        outDir,
        passphrase: 'a long invitation passphrase',
        minContributors: 1, // the offline round below has one site's update
      }),
    );
    expect(job.error).toBeUndefined();
    invitations = JSON.parse(String(job.result!.invitations)) as Record<string, string>;
    expect(Object.keys(invitations).sort()).toEqual(['leeds', 'royal-free', 'st-marys']);
    for (const file of Object.values(invitations)) expect(existsSync(file)).toBe(true);
    // the passphrase never comes back through the API
    expect(JSON.stringify(await call('jobs.list', {}))).not.toContain('a long invitation passphrase');
  });

  it('an air-gapped site trains its round with DP-SGD and writes the encrypted update file', async () => {
    const wrong = await finished(
      await call('federation.siteUpdate', {
        invitationFile: invitations['leeds']!,
        passphrase: 'not the passphrase',
        datasetId,
        round: 1,
      }),
    );
    expect(wrong.status).toBe('failed');
    const outFile = join(directory, 'leeds-round-1.update');
    const job = await finished(
      await call('federation.siteUpdate', {
        invitationFile: invitations['leeds']!,
        passphrase: 'a long invitation passphrase',
        datasetId,
        round: 1,
        outFile,
        steps: 2,
        maxSequenceLength: 32,
        expectedBatchSize: 4,
      }),
    );
    expect(job.error).toBeUndefined();
    expect(job.result).toMatchObject({ siteId: 'leeds', round: 1, outFile });
    expect(Number(job.result!.epsilon)).toBeGreaterThan(0);
    expect(existsSync(outFile)).toBe(true);
    // one update per site and round: a second export of round 1 is refused
    const again = await finished(
      await call('federation.siteUpdate', {
        invitationFile: invitations['leeds']!,
        passphrase: 'a long invitation passphrase',
        datasetId,
        round: 1,
        steps: 2,
        maxSequenceLength: 32,
        expectedBatchSize: 4,
      }),
    );
    expect(again.error?.code).toBe('fed.replayed');
  });

  it('an air-gapped coordinator imports the update file, aggregates and writes the signed aggregate', async () => {
    const coordinatorDir = join(directory, 'federation', 'coordinator');
    const outFile = join(directory, 'round-1.aggregate');
    const missing = await finished(
      await call('federation.aggregate', {
        coordinatorDir,
        updateFiles: [join(directory, 'nope.update')],
        round: 1,
        outFile,
      }),
    );
    expect(missing.status).toBe('failed');
    expect(missing.error?.message).toContain('nope.update');
    const job = await finished(
      await call('federation.aggregate', {
        coordinatorDir,
        updateFiles: [join(directory, 'leeds-round-1.update')],
        round: 1,
        outFile,
      }),
    );
    expect(job.error).toBeUndefined();
    expect(job.result).toMatchObject({ round: 1, contributors: 'leeds', outFile });
    expect(existsSync(outFile)).toBe(true);
  });

  it('the air-gapped site applies the signed aggregate once: its global adapter for the next round', async () => {
    const request = {
      invitationFile: invitations['leeds']!,
      passphrase: 'a long invitation passphrase',
      datasetId,
      aggregateFile: join(directory, 'round-1.aggregate'),
    };
    const job = await finished(await call('federation.siteApply', request));
    expect(job.error).toBeUndefined();
    expect(job.result).toMatchObject({ siteId: 'leeds', round: 1, contributors: 'leeds', contributed: true });
    expect(Number(job.result!.epsilon)).toBeGreaterThan(0);
    const again = await finished(await call('federation.siteApply', request));
    expect(again.error?.code).toBe('fed.replayed');
  });
});
