/**
 * The typed API between the UI and the engine: one contract, exposed by the Electron
 * preload (contextBridge) and by the web bridge (loopback HTTP + WebSocket). Each call
 * names its request and response schemas; both sides validate with zod at the boundary.
 * This file must stay free of Node and DOM imports: the renderer compiles it too.
 */
import { z } from 'zod';
import { AppInfoSchema } from './appInfo.js';

export const API_CALLS = {
  appInfo: { request: z.object({}).strict(), response: AppInfoSchema },
} as const;

export type ApiCallName = keyof typeof API_CALLS;
export type ApiRequest<K extends ApiCallName> = z.input<(typeof API_CALLS)[K]['request']>;
export type ApiResponse<K extends ApiCallName> = z.output<(typeof API_CALLS)[K]['response']>;

/**
 * Progress of long work (training, audits, reports, federation rounds), pushed to the UI.
 * Each job kind adds its own typed fields in `metrics` (loss, ε spent, tokens/s, ...).
 */
export const ApiEventSchema = z.object({
  type: z.literal('job.progress'),
  jobId: z.string(),
  kind: z.string(),
  stage: z.string(),
  /** 0..1, or null when the total is unknown. */
  fraction: z.number().min(0).max(1).nullable(),
  message: z.string().optional(),
  metrics: z.record(z.string(), z.number()).optional(),
});

export type ApiEvent = z.infer<typeof ApiEventSchema>;

/** A call's outcome as it crosses a process boundary: nothing is thrown across it. */
export type ApiResult<T> =
  { ok: true; value: T } | { ok: false; error: { code: string; message: string; hint?: string } };

/** What the preload exposes as `window.confidant`, and what the web bridge client implements. */
export interface ConfidantApi {
  call<K extends ApiCallName>(name: K, request: ApiRequest<K>): Promise<ApiResult<ApiResponse<K>>>;
  /** Subscribes to progress events; returns the unsubscribe function. */
  onEvent(listener: (event: ApiEvent) => void): () => void;
}
