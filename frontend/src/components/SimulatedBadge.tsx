import type { Store } from "../api/types";

const EXPLANATION = "Pods run on a simulated node; nothing is served";

/** Marks a store whose pods were scheduled on a simulated (kwok) node: it looks Ready, but its URLs
 * answer nothing. The operator decides from where the pods landed; null (not yet known) shows nothing. */
export function SimulatedBadge({ store }: { store: Pick<Store, "simulated"> }) {
  if (store.simulated !== true) return null;
  return (
    <span
      data-testid="simulated"
      title={EXPLANATION}
      className="ml-2 inline-flex items-center rounded-full bg-violet-50 px-2.5 py-0.5 text-xs font-medium text-violet-900 ring-1 ring-violet-300"
    >
      Simulated
      <span className="sr-only">: {EXPLANATION}</span>
    </span>
  );
}
