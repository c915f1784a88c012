/**
 * Runs long work (training, audits, reports, generation) off the main thread, one worker
 * thread per job, and keeps what the UI needs to show it: status, the latest progress, a
 * bounded history of loss/ε points, the result or the error. Every change is pushed as a
 * typed API event. Cancelling terminates the worker; a cancelled training run can be
 * resumed from its latest checkpoint (the trainer's ledger is written ahead).
 */
import { randomUUID } from 'node:crypto';
import type { Worker } from 'node:worker_threads';
import type { ApiEvent } from '../../shared/api.js';
import type { Job, JobKind } from '../../shared/apiSchemas.js';
import { WorkerMessageSchema, type JobSpec, type WorkerInit } from './jobProtocol.js';
import { startJobWorker } from './workerLauncher.js';

const MAX_HISTORY = 2_000;
const MAX_FINISHED_JOBS = 50;

export interface JobRunnerOptions {
  emit: (event: ApiEvent) => void;
  /** Called once a job stopped because it was cancelled (e.g. to mark its run cancelled). */
  onCancelled?: (job: Job) => void;
  /** Test seam: how a worker is started. */
  startWorker?: (init: WorkerInit) => Worker;
}

interface Entry {
  job: Job;
  worker: Worker;
  cancelling: boolean;
  settled: Promise<Job>;
}

export class JobRunner {
  private readonly entries = new Map<string, Entry>();
  private readonly startWorker: (init: WorkerInit) => Worker;

  constructor(private readonly options: JobRunnerOptions) {
    this.startWorker = options.startWorker ?? startJobWorker;
  }

  start(kind: JobKind, label: string, init: WorkerInit, runId: number | null = null): Job {
    const job: Job = {
      id: randomUUID(),
      kind,
      status: 'running',
      runId,
      label,
      startedAt: new Date().toISOString(),
      finishedAt: null,
      stage: 'starting',
      fraction: null,
      metrics: {},
      history: [],
    };
    const worker = this.startWorker(init);
    let resolveSettled: (job: Job) => void = () => undefined;
    const settled = new Promise<Job>((resolve) => (resolveSettled = resolve));
    const entry: Entry = { job, worker, cancelling: false, settled };
    this.entries.set(job.id, entry);

    const finish = (status: Job['status'], patch: Partial<Job> = {}) => {
      if (job.status !== 'running') return;
      Object.assign(job, patch, { status, finishedAt: new Date().toISOString() });
      this.emitStatus(job);
      if (status === 'cancelled') this.options.onCancelled?.(job);
      this.prune();
      resolveSettled(job);
    };

    worker.on('message', (raw: unknown) => {
      const parsed = WorkerMessageSchema.safeParse(raw);
      if (!parsed.success || job.status !== 'running') return;
      const message = parsed.data;
      switch (message.type) {
        case 'progress': {
          job.stage = message.stage;
          if (message.fraction !== null) job.fraction = message.fraction;
          if (message.message !== undefined) job.message = message.message;
          if (message.metrics) Object.assign(job.metrics, message.metrics);
          if (message.point) {
            job.history.push(message.point);
            if (job.history.length > MAX_HISTORY) job.history.splice(0, job.history.length - MAX_HISTORY);
          }
          this.options.emit({
            type: 'job.progress',
            jobId: job.id,
            kind: job.kind,
            stage: message.stage,
            fraction: message.fraction,
            ...(message.message !== undefined ? { message: message.message } : {}),
            ...(message.metrics ? { metrics: message.metrics } : {}),
          });
          return;
        }
        case 'run':
          job.runId = message.runId;
          this.emitStatus(job);
          return;
        case 'done':
          finish('succeeded', { result: message.result, fraction: 1, stage: 'done' });
          void worker.terminate();
          return;
        case 'error':
          finish('failed', { error: message.error, stage: 'failed' });
          void worker.terminate();
          return;
      }
    });
    worker.on('error', (error) => {
      finish(entry.cancelling ? 'cancelled' : 'failed', {
        stage: 'failed',
        error: { code: 'job.crashed', message: `The job stopped unexpectedly: ${error.message}` },
      });
    });
    worker.on('exit', () => {
      if (entry.cancelling) finish('cancelled', { stage: 'cancelled' });
      else
        finish('failed', {
          stage: 'failed',
          error: { code: 'job.crashed', message: 'The job stopped before it reported a result.' },
        });
    });
    this.emitStatus(job);
    return job;
  }

  /** Stops a running job; resolves once it has stopped. Finished jobs are returned as they are. */
  async cancel(jobId: string): Promise<Job | undefined> {
    const entry = this.entries.get(jobId);
    if (!entry) return undefined;
    if (entry.job.status !== 'running') return entry.job;
    entry.cancelling = true;
    await entry.worker.terminate();
    return entry.settled;
  }

  get(jobId: string): Job | undefined {
    return this.entries.get(jobId)?.job;
  }

  /** Resolves when the job has finished (any status). */
  wait(jobId: string): Promise<Job> | undefined {
    return this.entries.get(jobId)?.settled;
  }

  list(): Job[] {
    return [...this.entries.values()].map((e) => e.job);
  }

  /** Ids of the training runs a running job works on. */
  activeRunIds(): Set<number> {
    const ids = new Set<number>();
    for (const { job } of this.entries.values()) {
      if (job.status === 'running' && job.runId !== null) ids.add(job.runId);
    }
    return ids;
  }

  hasRunning(kind?: JobKind): boolean {
    return this.list().some((job) => job.status === 'running' && (kind === undefined || job.kind === kind));
  }

  /** Terminates every running job (app quit, store locked). */
  async stopAll(): Promise<void> {
    await Promise.all(
      this.list()
        .filter((job) => job.status === 'running')
        .map((job) => this.cancel(job.id)),
    );
  }

  private emitStatus(job: Job): void {
    this.options.emit({ type: 'job.status', job: structuredClone(job) });
  }

  private prune(): void {
    const finished = this.list().filter((job) => job.status !== 'running');
    for (const job of finished.slice(0, Math.max(0, finished.length - MAX_FINISHED_JOBS))) {
      this.entries.delete(job.id);
    }
  }
}

export type { JobSpec };
