import clsx from "clsx";
import type { Phase } from "../api/types";

const colours: Record<Phase, string> = {
  Requested: "bg-slate-100 text-slate-800 ring-slate-300",
  Provisioning: "bg-amber-50 text-amber-900 ring-amber-300",
  Ready: "bg-emerald-50 text-emerald-900 ring-emerald-300",
  Failed: "bg-red-50 text-red-900 ring-red-300",
  Deleting: "bg-slate-200 text-slate-800 ring-slate-400",
};

export function PhaseBadge({ phase }: { phase: Phase }) {
  return (
    <span
      data-testid="phase"
      className={clsx("inline-flex items-center rounded-full px-2.5 py-0.5 text-xs font-medium ring-1", colours[phase])}
    >
      {phase}
    </span>
  );
}

export const ENGINE_NAMES = { woocommerce: "WooCommerce", medusa: "Medusa" } as const;
