/**
 * The engine side of the typed API: one function that validates a call against the
 * contract (src-main/shared/api.ts) and runs it. Both doors use it: the Electron main
 * process (ipcMain) and the web bridge (loopback HTTP). It never imports Electron.
 * Nothing is thrown across the boundary: every outcome is an ApiResult.
 */
import { platform, arch } from 'node:os';
import { API_CALLS, type ApiCallName, type ApiResult } from '../shared/api.js';
import { isConfidantError } from '../shared/confidantError.js';

export interface ApiContext {
  version: string;
}

export type ApiHandler = (name: unknown, request: unknown) => Promise<ApiResult<unknown>>;

export function createApiHandler(context: ApiContext): ApiHandler {
  const implementations: { [K in ApiCallName]: (request: unknown) => Promise<unknown> } = {
    appInfo: async () => ({
      name: 'Confidant',
      version: context.version,
      platform: `${platform()} ${arch()}`,
      airGapped: true,
    }),
  };

  return async (name, request) => {
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
          message: `Invalid request for ${name}: ${parsed.error.message}`,
        },
      };
    }
    try {
      const value = call.response.parse(await implementations[name as ApiCallName](parsed.data));
      return { ok: true, value };
    } catch (error) {
      if (isConfidantError(error)) {
        return {
          ok: false,
          error: {
            code: error.code,
            message: error.describe(),
            ...(error.options.hint ? { hint: error.options.hint } : {}),
          },
        };
      }
      return { ok: false, error: { code: 'internal', message: 'Internal error; see the log for details.' } };
    }
  };
}
