import clsx from "clsx";
import type { StoreStep } from "../api/types";
import { duration, stepTitle } from "../lib/format";

const marks: Record<string, { symbol: string; colour: string; words: string }> = {
  Pending: { symbol: "○", colour: "text-slate-500", words: "waiting" },
  Running: { symbol: "◐", colour: "text-amber-700", words: "running" },
  Succeeded: { symbol: "✓", colour: "text-emerald-700", words: "done" },
  Failed: { symbol: "✕", colour: "text-red-700", words: "failed" },
  Skipped: { symbol: "–", colour: "text-slate-500", words: "skipped" },
};

/** Each provisioning step, its state in words and its duration; the running one is animated. */
export function StoreSteps({ steps }: { steps: StoreStep[] }) {
  if (steps.length === 0) return <p className="text-sm text-slate-700">Waiting for the operator to start.</p>;
  return (
    <ol className="space-y-2" aria-label="Provisioning steps">
      {steps.map((step, index) => {
        const mark = marks[step.state] ?? { symbol: "?", colour: "text-slate-500", words: step.state.toLowerCase() };
        return (
          <li key={step.name} data-testid="step" data-state={step.state} className="flex items-start gap-3 text-sm">
            <span
              aria-hidden="true"
              className={clsx(
                "mt-0.5 inline-flex h-5 w-5 shrink-0 items-center justify-center font-bold",
                mark.colour,
                step.state === "Running" && "motion-safe:animate-spin",
              )}
            >
              {mark.symbol}
            </span>
            <div className="min-w-0 flex-1">
              <div className="flex flex-wrap justify-between gap-x-3">
                <span className="font-medium">
                  {index + 1}. {stepTitle(step.name)}{" "}
                  <span className={clsx("font-normal", mark.colour)}>({mark.words})</span>
                </span>
                <span className="text-slate-600">{duration(step.duration_ms)}</span>
              </div>
              {step.message && <p className="wrap-anywhere text-slate-700">{step.message}</p>}
            </div>
          </li>
        );
      })}
    </ol>
  );
}
