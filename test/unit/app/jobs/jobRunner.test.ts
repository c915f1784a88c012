// The job runner with a fake worker: progress becomes typed events and a bounded history,
// a result or an error settles the job once, a worker that dies without a word is a
// failure, and cancelling terminates the worker and reports the job as cancelled.
import { EventEmitter } from 'node:events';
import type { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { JobRunner } from '../../../../src-main/app/jobs/jobRunner';
import type { WorkerInit, WorkerMessage } from '../../../../src-main/app/jobs/jobProtocol';
import type { ApiEvent } from '../../../../src-main/shared/api';
import { ApiEventSchema } from '../../../../src-main/shared/api';
import type { Job } from '../../../../src-main/shared/apiSchemas';

class FakeWorker extends EventEmitter {
  terminated = false;
  send(message: WorkerMessage | Record<string, unknown>) {
    this.emit('message', message);
  }
  terminate(): Promise<number> {
    this.terminated = true;
    queueMicrotask(() => this.emit('exit', 1));
    return Promise.resolve(1);
  }
}

const init: WorkerInit = {
  store: { directory: '/tmp/none', passphrase: 'x' },
  backend: 'auto',
  spec: { kind: 'audit', runId: 1 },
};

function setUp() {
  const events: ApiEvent[] = [];
  const cancelled: Job[] = [];
  const workers: FakeWorker[] = [];
  const runner = new JobRunner({
    emit: (e) => events.push(e),
    onCancelled: (job) => cancelled.push(job),
    startWorker: () => {
      const worker = new FakeWorker();
      workers.push(worker);
      return worker as unknown as Worker;
    },
  });
  return { runner, events, cancelled, workers };
}

describe('job runner', () => {
  it('turns worker progress into valid events and settles once with the result', async () => {
    const { runner, events, workers } = setUp();
    const job = runner.start('train', 'Training', init);
    const worker = workers[0]!;
    worker.send({ type: 'run', runId: 7 });
    worker.send({
      type: 'progress',
      stage: 'eval',
      fraction: 0.5,
      metrics: { step: 2, evalLoss: 2.5 },
      point: { step: 2, trainLoss: null, evalLoss: 2.5, epsilon: null },
    });
    worker.send({ type: 'progress', stage: 'bogus', fraction: 7 }); // invalid: ignored
    worker.send({ type: 'done', result: { runId: 7 } });
    worker.send({ type: 'error', error: { code: 'late', message: 'after the result' } });
    const done = await runner.wait(job.id)!;
    expect(done).toMatchObject({ status: 'succeeded', runId: 7, result: { runId: 7 }, fraction: 1 });
    expect(done.history).toEqual([{ step: 2, trainLoss: null, evalLoss: 2.5, epsilon: null }]);
    expect(done.error).toBeUndefined();
    for (const event of events) expect(ApiEventSchema.safeParse(event).success).toBe(true);
    expect(events.filter((e) => e.type === 'job.progress')).toHaveLength(1);
    const statuses = events.flatMap((e) => (e.type === 'job.status' ? [e.job.status] : []));
    expect(statuses).toEqual(['running', 'running', 'succeeded']);
    expect(worker.terminated).toBe(true);
    expect(runner.activeRunIds().size).toBe(0);
  });

  it('keeps the error of a failed job', async () => {
    const { runner, workers } = setUp();
    const job = runner.start('report', 'Report', init);
    workers[0]!.send({ type: 'error', error: { code: 'report.x', message: 'no', hint: 'do this' } });
    expect(await runner.wait(job.id)).toMatchObject({
      status: 'failed',
      error: { code: 'report.x', hint: 'do this' },
    });
  });

  it('reports a worker that exits without a result as a crash', async () => {
    const { runner, workers } = setUp();
    const job = runner.start('audit', 'Audit', init);
    workers[0]!.emit('exit', 1);
    expect(await runner.wait(job.id)).toMatchObject({ status: 'failed', error: { code: 'job.crashed' } });
  });

  it('cancels by terminating the worker, and tells the session which run stopped', async () => {
    const { runner, workers, cancelled } = setUp();
    const job = runner.start('train', 'Training', init);
    workers[0]!.send({ type: 'run', runId: 3 });
    expect([...runner.activeRunIds()]).toEqual([3]);
    const stopped = await runner.cancel(job.id);
    expect(workers[0]!.terminated).toBe(true);
    expect(stopped).toMatchObject({ status: 'cancelled', runId: 3 });
    expect(cancelled.map((j) => j.runId)).toEqual([3]);
    expect(runner.hasRunning()).toBe(false);
    // cancelling a finished job changes nothing
    expect(await runner.cancel(job.id)).toMatchObject({ status: 'cancelled' });
    expect(cancelled).toHaveLength(1);
  });

  it('bounds the history of a long run', () => {
    const { runner, workers } = setUp();
    const job = runner.start('train', 'Training', init);
    for (let step = 1; step <= 2_100; step += 1) {
      workers[0]!.send({
        type: 'progress',
        stage: 'step',
        fraction: null,
        point: { step, trainLoss: 1, evalLoss: null, epsilon: null },
      });
    }
    const history = runner.get(job.id)!.history;
    expect(history).toHaveLength(2_000);
    expect(history[0]!.step).toBe(101);
  });
});
