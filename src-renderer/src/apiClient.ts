/**
 * The renderer's only door to the engine: the typed API, exposed as `window.confidant` by
 * the Electron preload, or reached through the loopback web bridge when the page was opened
 * from `confidant serve`. A static preview with neither gets a clear "not connected" result.
 */
import type {
  ApiCallName,
  ApiEvent,
  ApiRequest,
  ApiResponse,
  ApiResult,
  ConfidantApi,
} from '../../src-main/shared/api';
import { bridgeTokenFromLocation, createWebBridgeClient } from './webBridgeClient';

declare global {
  interface Window {
    confidant?: ConfidantApi;
  }
}

let api: ConfidantApi | null | undefined;

function resolveApi(): ConfidantApi | null {
  if (api === undefined) {
    const token = window.confidant ? null : bridgeTokenFromLocation();
    api = window.confidant ?? (token ? createWebBridgeClient(token) : null);
  }
  return api;
}

export function isConnected(): boolean {
  return resolveApi() !== null;
}

export async function call<K extends ApiCallName>(
  name: K,
  request: ApiRequest<K>,
): Promise<ApiResult<ApiResponse<K>>> {
  const connected = resolveApi();
  if (!connected) {
    return {
      ok: false,
      error: {
        code: 'api.not-connected',
        message: 'This page is not connected to the Confidant engine.',
        hint: 'Open it from the desktop app or from the link `confidant serve` prints.',
      },
    };
  }
  return connected.call(name, request);
}

export function onEvent(listener: (event: ApiEvent) => void): () => void {
  return resolveApi()?.onEvent(listener) ?? (() => undefined);
}
