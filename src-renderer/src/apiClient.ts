/**
 * The renderer's only door to the engine: the typed API that the Electron preload exposes
 * as `window.confidant`. When the page runs outside Electron without a bridge (a static
 * preview), calls fail with a clear "not connected" result instead of throwing.
 */
import type {
  ApiCallName,
  ApiRequest,
  ApiResponse,
  ApiResult,
  ConfidantApi,
} from '../../src-main/shared/api';

declare global {
  interface Window {
    confidant?: ConfidantApi;
  }
}

export function isConnected(): boolean {
  return typeof window !== 'undefined' && window.confidant !== undefined;
}

export async function call<K extends ApiCallName>(
  name: K,
  request: ApiRequest<K>,
): Promise<ApiResult<ApiResponse<K>>> {
  if (!window.confidant) {
    return {
      ok: false,
      error: {
        code: 'api.not-connected',
        message: 'This page is not connected to the Confidant engine.',
        hint: 'Open it from the desktop app or from `confidant serve`.',
      },
    };
  }
  return window.confidant.call(name, request);
}
