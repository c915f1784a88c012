/**
 * Preload: exposes the typed API (src-main/shared/api.ts) to the sandboxed renderer as
 * `window.confidant`, and nothing else. Responses are validated again on the main side.
 */
import { contextBridge, ipcRenderer } from 'electron';
import type { ConfidantApi } from '../shared/api.js';
import { API_CHANNEL } from '../shared/apiChannel.js';

const api: ConfidantApi = {
  call: (name, request) => ipcRenderer.invoke(API_CHANNEL, name, request),
};

contextBridge.exposeInMainWorld('confidant', api);
