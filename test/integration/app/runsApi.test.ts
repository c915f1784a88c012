// The runs list of the UI (issue #23, item 3): every run with its verdict, renaming runs,
// datasets and projects (names are labels: the privacy ledger keeps counting the same ε), and
// one signed report comparing two runs, as the CLI's `report --runs 1,2` does.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
  directory = mkdtempSync(join(tmpdir(), 'confidant-runs-'));
  handler = createApiHandler({
    version: '0.0.0-test',
    dataDirectory: { path: join(directory, 'store'), source: 'flag' },
    kdfCost: { N: 2 ** 12, r: 8, p: 1 },
  });
  await call('store.unlock', { passphrase: 'a long test passphrase for runs', create: true });
});

afterAll(async () => {
  await handler?.dispose();
  rmSync(directory, { recursive: true, force: true });
});

const tiny = { steps: 2, maxSequenceLength: 32, expectedBatchSize: 4, microBatchSize: 4 };

describe('runs in the UI', () => {
  let projectId = 0;
  let datasetId = 0;
  const runIds: number[] = [];

  it('lists two finished runs with their state and no verdict before an audit', async () => {
    projectId = (await call('projects.create', { name: 'Ward 9' })).id;
    const imported = await call('datasets.synthesize', { projectId, name: 'notes', records: 40, seed: 2 });
    datasetId = imported.dataset!.id;
    await call('privacy.setBudget', { datasetId, epsilon: 20, delta: 1e-4 });
    for (const privacy of ['8', '3'] as const) {
      const done = await finished(
        await call('train.start', { datasetId, model: 'bundled', privacy, ...tiny }),
      );
      expect(done.error).toBeUndefined();
      expect(done.status).toBe('succeeded');
      runIds.push(done.runId!);
    }
    const runs = await call('runs.list', { projectId });
    expect(runs.map((r) => [r.id, r.status, r.verdict, r.refused])).toEqual(
      runIds.map((id) => [id, 'completed', null, false]),
    );
  });

  it('lists a run refused before its first step as refused, without a Resume that would fail again', async () => {
    const refused = await finished(
      await call('train.start', { datasetId, model: 'bundled', privacy: 'none', ...tiny }),
    );
    expect(refused.status).toBe('failed');
    expect(refused.error?.code).toBe('privacy.budget-exceeded');
    const runs = await call('runs.list', { projectId });
    const run = runs.find((r) => !runIds.includes(r.id));
    expect(run).toMatchObject({ status: 'cancelled', refused: true, resumable: false });
    const [dataset] = await call('datasets.list', { projectId });
    expect(dataset!.subjectCount).toBeGreaterThan(0);
    expect(dataset!.subjectCount).toBeLessThanOrEqual(dataset!.recordCount);
  });

  it('renames a run, a dataset and a project without changing what the ledger counts', async () => {
    const spent = (await call('privacy.budget', { datasetId })).spentEpsilon;
    expect(spent).toBeGreaterThan(0);
    const run = await call('runs.rename', { runId: runIds[1]!, name: 'DP ε=3, first try' });
    expect(run).toMatchObject({ id: runIds[1], name: 'DP ε=3, first try', status: 'completed' });
    expect((await call('datasets.rename', { datasetId, name: 'ward 9 notes' })).name).toBe('ward 9 notes');
    expect((await call('projects.rename', { projectId, name: 'Ward 9 (2026)' })).name).toBe('Ward 9 (2026)');
    expect((await call('privacy.budget', { datasetId })).spentEpsilon).toBe(spent);
    expect((await call('runs.get', { runId: runIds[1]! })).summary?.privacy.epsilon).toBeGreaterThan(0);

    await call('projects.create', { name: 'Other' });
    const clash = await handler('projects.rename', { projectId, name: 'Other' });
    expect(clash).toMatchObject({ ok: false, error: { code: 'project.exists' } });
    await call('datasets.synthesize', { projectId, name: 'second', records: 10, seed: 1 });
    const taken = await handler('datasets.rename', { datasetId, name: 'second' });
    expect(taken).toMatchObject({ ok: false, error: { code: 'dataset.exists' } });
  });

  it('exports one signed report comparing both runs', async () => {
    const done = await finished(await call('report.export', { runId: runIds[0]!, alsoRunIds: [runIds[1]!] }));
    expect(done.error).toBeUndefined();
    expect(done.result?.runIds).toBe(runIds.join(','));
    const json = JSON.parse(readFileSync(String(done.result!.jsonPath), 'utf8')) as {
      report?: { runs?: unknown[] };
      runs?: unknown[];
    };
    const runs = json.runs ?? json.report?.runs;
    expect(runs).toHaveLength(2);
    expect((runs as Array<{ training: { runId: number } }>).map((r) => r.training.runId)).toEqual(runIds);
    const verified = await call('report.verify', { kind: 'path', path: String(done.result!.pdfPath) });
    expect(verified.valid).toBe(true);
  });
});
