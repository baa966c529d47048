// How times, durations and phases read to a person.
import type { Phase, StoreStep } from "../api/types";

export function age(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return "—";
  const seconds = Math.max(0, Math.round((now - new Date(iso).getTime()) / 1000));
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86400)}d`;
}

export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "";
  if (ms < 1000) return `${ms} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}

export function seconds(value: number | null | undefined): string {
  return value === null || value === undefined ? "—" : duration(Math.round(value * 1000));
}

export function dateTime(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleString() : "—";
}

export const PHASE_WORDS: Record<Phase, string> = {
  Requested: "Waiting for the operator to pick it up",
  Provisioning: "Being set up",
  Ready: "Ready: open for business",
  Failed: "Setup failed",
  Deleting: "Being deleted",
};

/** "install-release" → "Install release". */
export function stepTitle(name: string): string {
  const words = name.replace(/([a-z])([A-Z])/g, "$1 $2").replace(/[-_]+/g, " ").toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** "step 3 of 7", counting finished steps plus the running one. */
export function progress(steps: StoreStep[]): { current: number; total: number } {
  const total = steps.length;
  const running = steps.findIndex((step) => step.state === "Running");
  const done = steps.filter((step) => step.state === "Succeeded" || step.state === "Skipped").length;
  return { current: running >= 0 ? running + 1 : done, total };
}

/** "HelmInstallFailed" → "Helm install failed". */
export function reasonWords(reason: string | null | undefined): string {
  if (!reason) return "";
  const words = reason.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
