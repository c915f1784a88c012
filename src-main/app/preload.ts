/**
 * Preload: exposes the typed API (src-main/shared/api.ts) to the sandboxed renderer as
 * `window.confidant`, and nothing else. Requests are validated on the main side.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { ApiEvent, ConfidantApi } from '../shared/api.js';
import { API_CHANNEL, API_EVENT_CHANNEL } from '../shared/apiChannel.js';

const api: ConfidantApi = {
  call: (name, request) => ipcRenderer.invoke(API_CHANNEL, name, request),
  onEvent(listener) {
    const wrapped = (_event: IpcRendererEvent, payload: ApiEvent) => listener(payload);
    ipcRenderer.on(API_EVENT_CHANNEL, wrapped);
    return () => ipcRenderer.removeListener(API_EVENT_CHANNEL, wrapped);
  },
};

contextBridge.exposeInMainWorld('confidant', api);
