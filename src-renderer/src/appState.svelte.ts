/**
 * The renderer's shared state: the store status, the chosen project, dataset, model and run,
 * and the jobs the engine reports. Screens read it and call `refresh…` after changing
 * something; job events from the engine keep `jobs` current.
 */
import type { ApiCallName, ApiRequest, ApiResponse } from '../../src-main/shared/api';
import type {
  ApiErrorView,
  Dataset,
  Job,
  ModelSource,
  Project,
  Run,
  StoreStatus,
} from '../../src-main/shared/apiSchemas';
import { call, onEvent } from './apiClient';

export const app = $state({
  status: null as StoreStatus | null,
  projects: [] as Project[],
  projectId: null as number | null,
  datasets: [] as Dataset[],
  datasetId: null as number | null,
  model: 'bundled' as ModelSource,
  runs: [] as Run[],
  runId: null as number | null,
  jobs: {} as Record<string, Job>,
  /** A job's start message when it carried warnings (e.g. notes truncated): later progress must not hide it. */
  jobNotes: {} as Record<string, string>,
  screen: 'projects',
});

/** Calls the engine; on failure returns null and hands the error to `onError`. */
export async function request<K extends ApiCallName>(
  name: K,
  body: ApiRequest<K>,
  onError: (error: ApiErrorView) => void,
): Promise<ApiResponse<K> | null> {
  const result = await call(name, body);
  if (result.ok) return result.value;
  onError(result.error);
  return null;
}

const ignore = () => undefined;

export async function refreshProjects(): Promise<void> {
  app.projects = (await request('projects.list', {}, ignore)) ?? [];
  if (app.projectId === null && app.projects.length > 0) app.projectId = app.projects[0]!.id;
}

export async function refreshDatasets(): Promise<void> {
  if (app.projectId === null) {
    app.datasets = [];
    return;
  }
  app.datasets = (await request('datasets.list', { projectId: app.projectId }, ignore)) ?? [];
  if (!app.datasets.some((d) => d.id === app.datasetId)) app.datasetId = app.datasets.at(-1)?.id ?? null;
}

export async function refreshRuns(): Promise<void> {
  if (app.projectId === null) {
    app.runs = [];
    return;
  }
  app.runs = (await request('runs.list', { projectId: app.projectId }, ignore)) ?? [];
  if (!app.runs.some((r) => r.id === app.runId)) {
    app.runId = app.runs.filter((r) => r.status === 'completed').at(-1)?.id ?? app.runs.at(-1)?.id ?? null;
  }
}

export async function refreshJobs(): Promise<void> {
  const jobs = (await request('jobs.list', {}, ignore)) ?? [];
  app.jobs = Object.fromEntries(jobs.map((j) => [j.id, j]));
}

export async function refreshAll(): Promise<void> {
  await refreshProjects();
  await Promise.all([refreshDatasets(), refreshRuns(), refreshJobs()]);
}

/** Keeps `app.jobs` current from the engine's events; returns the unsubscribe function. */
export function followJobs(): () => void {
  return onEvent((event) => {
    if (event.type === 'job.status') {
      const before = app.jobs[event.job.id];
      app.jobs[event.job.id] = event.job;
      if (before?.status === 'running' && event.job.status !== 'running') void refreshRuns();
      else if (!before && event.job.runId !== null) void refreshRuns();
      return;
    }
    const job = app.jobs[event.jobId];
    if (!job) return;
    job.stage = event.stage;
    if (event.stage === 'started' && event.message && /\.\s+\S/.test(event.message)) {
      app.jobNotes[event.jobId] = event.message;
    }
    if (event.fraction !== null) job.fraction = event.fraction;
    if (event.message !== undefined) job.message = event.message;
    if (event.metrics) {
      job.metrics = { ...job.metrics, ...event.metrics };
      const m = event.metrics;
      if (m.evalLoss !== undefined || m.trainLoss !== undefined) {
        job.history.push({
          step: m.step ?? 0,
          trainLoss: m.trainLoss ?? null,
          evalLoss: m.evalLoss ?? null,
          epsilon: m.epsilon ?? null,
        });
      }
    }
  });
}

/** The newest job of a kind (optionally for one run). */
export function latestJob(kind: Job['kind'], runId?: number | null): Job | null {
  const jobs = Object.values(app.jobs).filter(
    (j) => j.kind === kind && (runId === undefined || runId === null || j.runId === runId),
  );
  return jobs.sort((a, b) => a.startedAt.localeCompare(b.startedAt)).at(-1) ?? null;
}

export function currentProject(): Project | null {
  return app.projects.find((p) => p.id === app.projectId) ?? null;
}

export function currentDataset(): Dataset | null {
  return app.datasets.find((d) => d.id === app.datasetId) ?? null;
}

export function currentRun(): Run | null {
  return app.runs.find((r) => r.id === app.runId) ?? null;
}
