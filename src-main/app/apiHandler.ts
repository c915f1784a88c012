/**
 * The engine side of the typed API: one function that validates a call against the
 * contract (src-main/shared/api.ts) and runs it. Both doors use it: the Electron main
 * process (ipcMain) and the web bridge (loopback HTTP). It never imports Electron.
 * Nothing is thrown across the boundary: every outcome is an ApiResult. Progress events
 * of jobs reach the doors through `subscribe`.
 */
import { API_CALLS, type ApiCallName, type ApiEvent, type ApiResult } from '../shared/api.js';
import { apiErrorOf } from '../shared/apiError.js';
import type { CallImplementations } from './api/callImplementations.js';
import { dataCalls } from './api/dataCalls.js';
import { jobCalls } from './api/jobCalls.js';
import { storeCalls } from './api/storeCalls.js';
import { workflowCalls } from './api/workflowCalls.js';
import { modelLibraryCalls } from './api/modelLibraryCalls.js';
import { EngineSession, type SessionOptions } from './engineSession.js';

export type ApiContext = SessionOptions;

export interface ApiHandler {
  (name: unknown, request: unknown): Promise<ApiResult<unknown>>;
  /** Job progress and status events for the UI; returns the unsubscribe function. */
  subscribe?(listener: (event: ApiEvent) => void): () => void;
  /** Stops running jobs and closes the store. */
  dispose?(): Promise<void>;
}

export function createApiHandler(
  context: ApiContext,
): ApiHandler & Required<Pick<ApiHandler, 'subscribe' | 'dispose'>> {
  const session = new EngineSession(context);
  // typed as every call of the contract: a call without an implementation does not compile
  const implementations: CallImplementations<ApiCallName> = {
    ...storeCalls(session),
    ...dataCalls(session),
    ...jobCalls(session),
    ...workflowCalls(session),
    ...modelLibraryCalls(session),
  };
  const lookup = implementations as unknown as Record<ApiCallName, (request: unknown) => unknown>;

  const handler = async (name: unknown, request: unknown): Promise<ApiResult<unknown>> => {
    if (typeof name !== 'string' || !Object.hasOwn(API_CALLS, name)) {
      return { ok: false, error: { code: 'api.unknown-call', message: `Unknown API call: ${String(name)}` } };
    }
    const call = API_CALLS[name as ApiCallName];
    const parsed = call.request.safeParse(request ?? {});
    if (!parsed.success) {
      return {
        ok: false,
        error: {
          code: 'api.invalid-request',
          message: `Invalid request for ${name}: ${parsed.error.issues
            .map((i) => `${i.path.map(String).join('.') || '(request)'}: ${i.message}`)
            .join('; ')}`,
        },
      };
    }
    try {
      const value = call.response.parse(await lookup[name as ApiCallName](parsed.data));
      return { ok: true, value };
    } catch (error) {
      if (!(error instanceof Error && error.name === 'ConfidantError')) {
        process.stderr.write(
          `confidant: ${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
        );
      }
      return { ok: false, error: apiErrorOf(error) };
    }
  };
  return Object.assign(handler, {
    subscribe: (listener: (event: ApiEvent) => void) => session.subscribe(listener),
    dispose: () => session.dispose(),
  });
}
