/** The IPC channel the preload and the main process use for every API call. */
export const API_CHANNEL = 'confidant:call';
