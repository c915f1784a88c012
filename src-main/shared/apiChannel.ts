/** The IPC channels the preload and the main process use: calls, and pushed events. */
export const API_CHANNEL = 'confidant:call';
export const API_EVENT_CHANNEL = 'confidant:event';
