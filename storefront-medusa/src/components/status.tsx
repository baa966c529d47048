// Shared loading and error states: every error offers a way to try again.
import { AlertTriangle, Loader2, RotateCw } from "lucide-react";
import { MedusaError } from "../lib/api/client";

export function Loading({ label = "Loading" }: { label?: string }) {
  return (
    <div role="status" className="flex items-center justify-center gap-2 py-16 text-zinc-500">
      <Loader2 className="size-5 animate-spin" aria-hidden />
      <span>{label}…</span>
    </div>
  );
}

export function errorMessage(error: unknown): string {
  if (error instanceof MedusaError || error instanceof Error) return error.message;
  return "Something went wrong.";
}

export function ErrorState({ error, onRetry, title = "Something went wrong" }: { error: unknown; onRetry?: () => void; title?: string }) {
  return (
    <div role="alert" className="mx-auto my-8 max-w-md rounded-lg border border-red-200 bg-red-50 p-4 text-sm text-red-900">
      <div className="flex items-start gap-2">
        <AlertTriangle className="mt-0.5 size-4 shrink-0" aria-hidden />
        <div className="flex-1">
          <p className="font-medium">{title}</p>
          <p className="mt-1">{errorMessage(error)}</p>
          {onRetry && (
            <button
              type="button"
              onClick={onRetry}
              className="mt-3 inline-flex items-center gap-1 rounded-md bg-red-900 px-3 py-1.5 text-white hover:bg-red-800"
            >
              <RotateCw className="size-3.5" aria-hidden /> Try again
            </button>
          )}
        </div>
      </div>
    </div>
  );
}
