// `confidant serve` as a user runs it (from source through tsx): it prints a loopback link
// with the session token, and the engine behind it runs a training job in a worker thread
// and streams its progress over the WebSocket. Stops cleanly on SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

let child: ChildProcess;
let home: string;
let base = '';
let token = '';

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'confidant-serve-'));
  child = spawn(process.execPath, ['--import', 'tsx', resolve('src-main/cli/main.ts'), 'serve'], {
    env: { ...process.env, CONFIDANT_HOME: home },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await new Promise<string>((resolveUrl, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const match = /http:\/\/127\.0\.0\.1:\d+\/#token=[\w-]+/.exec(out);
      if (match) resolveUrl(match[0]);
    });
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}`)));
  });
  [base, token] = url.split('/#token=') as [string, string];
});

afterAll(() => {
  child?.kill('SIGTERM');
  rmSync(home, { recursive: true, force: true });
});

async function call(name: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${base}/api/call/${name}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const result = (await res.json()) as { ok: boolean; value?: Record<string, unknown>; error?: unknown };
  if (!result.ok) throw new Error(`${name}: ${JSON.stringify(result.error)}`);
  return result.value!;
}

describe('confidant serve', () => {
  it('runs a training job in a worker and streams its progress', async () => {
    expect(await call('store.status', {})).toMatchObject({ directory: home, exists: false, unlocked: false });
    await call('store.unlock', { passphrase: 'serve test passphrase', create: true });
    const project = await call('projects.create', { name: 'p' });
    const imported = await call('datasets.synthesize', { projectId: project.id, name: 'n', records: 30 });
    const dataset = imported.dataset as { id: number };
    const ws = new WebSocket(`${base.replace('http', 'ws')}/api/events?token=${token}`);
    await new Promise((r) => ws.on('open', r));
    const stages: string[] = [];
    const finished = new Promise<Record<string, unknown>>((resolveJob) =>
      ws.on('message', (data) => {
        const event = JSON.parse(String(data)) as {
          type: string;
          stage?: string;
          job?: Record<string, unknown>;
        };
        if (event.type === 'job.progress') stages.push(event.stage!);
        if (event.type === 'job.status' && event.job!.status !== 'running') resolveJob(event.job!);
      }),
    );
    await call('train.start', {
      datasetId: dataset.id,
      model: 'bundled',
      privacy: 'none',
      steps: 2,
      maxSequenceLength: 32,
      expectedBatchSize: 4,
      microBatchSize: 4,
    });
    const job = await finished;
    ws.close();
    expect(job.error).toBeUndefined();
    expect(job.status).toBe('succeeded');
    expect(stages).toContain('step');
    expect(stages.at(-1)).toBe('finished');
  });
});
