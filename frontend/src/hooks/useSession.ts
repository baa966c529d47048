import { useSyncExternalStore } from "react";
import { onSessionChange, readSession, type Session } from "../api/session";

let cached: Session | null = readSession();
onSessionChange((session) => {
  cached = session;
});

/** The current session (or null), re-rendering on log-in and log-out. */
export function useSession(): Session | null {
  return useSyncExternalStore(
    (notify) => onSessionChange(() => notify()),
    () => cached,
    () => null,
  );
}
