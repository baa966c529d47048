// Where the access token lives: sessionStorage of this tab. Why: it survives a reload (so the
// dashboard does not log people out on F5), it is gone when the tab closes, and another tab or
// site cannot read it. It is never a cookie, so the browser never sends it on its own (nothing to
// forge cross-site), and never in a URL (URLs end up in history and logs). Script on this origin
// could read it, which is why the gateway's CSP allows only this origin's bundled scripts.
import type { TokenResponse, User } from "./types";

const KEY = "storefleet.session";

export interface Session {
  token: string;
  user: User;
  expiresAt: number;
}

type Listener = (session: Session | null) => void;
const listeners = new Set<Listener>();

export function readSession(): Session | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

export function saveSession(response: TokenResponse): Session {
  const session: Session = {
    token: response.access_token,
    user: response.user,
    expiresAt: Date.now() + response.expires_in * 1000,
  };
  sessionStorage.setItem(KEY, JSON.stringify(session));
  listeners.forEach((listener) => listener(session));
  return session;
}

export function clearSession(): void {
  sessionStorage.removeItem(KEY);
  listeners.forEach((listener) => listener(null));
}

export function onSessionChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
