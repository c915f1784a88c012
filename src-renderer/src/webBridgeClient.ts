/**
 * The typed API over the loopback web bridge (`confidant serve`, browser tests): calls are
 * POSTs with the session token, events arrive on a WebSocket. The token comes in the URL
 * fragment (#token=...), is kept in sessionStorage for reloads and removed from the address bar.
 */
import { ApiEventSchema, type ApiEvent, type ConfidantApi } from '../../src-main/shared/api';

const TOKEN_KEY = 'confidant.bridgeToken';

export function bridgeTokenFromLocation(): string | null {
  const match = /(?:^|[#&])token=([A-Za-z0-9_-]+)/.exec(window.location.hash);
  if (match?.[1]) {
    sessionStorage.setItem(TOKEN_KEY, match[1]);
    history.replaceState(null, '', window.location.pathname + window.location.search);
    return match[1];
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

export function createWebBridgeClient(token: string): ConfidantApi {
  const listeners = new Set<(event: ApiEvent) => void>();
  let socket: WebSocket | null = null;

  function ensureSocket(): void {
    if (socket) return;
    socket = new WebSocket(`ws://${window.location.host}/api/events?token=${encodeURIComponent(token)}`);
    socket.onmessage = (message) => {
      const parsed = ApiEventSchema.safeParse(JSON.parse(String(message.data)));
      if (parsed.success) for (const listener of listeners) listener(parsed.data);
    };
    socket.onclose = () => {
      socket = null;
    };
  }

  return {
    async call(name, request) {
      try {
        const response = await fetch(`/api/call/${name}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
          body: JSON.stringify(request),
        });
        if (!response.ok) {
          return {
            ok: false,
            error: {
              code: `bridge.http-${response.status}`,
              message:
                response.status === 401
                  ? 'This session has expired.'
                  : `The engine refused the call (${response.status}).`,
              hint: 'Open the link that `confidant serve` printed.',
            },
          };
        }
        return await response.json();
      } catch {
        return {
          ok: false,
          error: {
            code: 'bridge.unreachable',
            message: 'The Confidant engine is not running.',
            hint: 'Start `confidant serve` again.',
          },
        };
      }
    },
    onEvent(listener) {
      listeners.add(listener);
      ensureSocket();
      return () => listeners.delete(listener);
    },
  };
}
