import clsx from "clsx";
import { focusRing } from "./ui";

/** A labelled native select: native is the most accessible choice on every device. */
export function Select({
  id,
  label,
  value,
  options,
  onChange,
}: {
  id: string;
  label: string;
  value: string;
  options: [string, string][];
  onChange: (value: string) => void;
}) {
  return (
    <div className="space-y-1">
      <label htmlFor={id} className="block text-sm font-medium text-slate-800">
        {label}
      </label>
      <select
        id={id}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        className={clsx("block w-full rounded-md border border-slate-400 bg-white px-3 py-2 text-sm", focusRing)}
      >
        {options.map(([optionValue, text]) => (
          <option key={optionValue} value={optionValue}>
            {text}
          </option>
        ))}
      </select>
    </div>
  );
}

/** Previous / next over cursor-paged lists (Kubernetes continue tokens). */
export function Pager({
  page,
  hasNext,
  onPrevious,
  onNext,
}: {
  page: number;
  hasNext: boolean;
  onPrevious: () => void;
  onNext: () => void;
}) {
  return (
    <nav aria-label="Pages" className="mt-3 flex items-center gap-3 text-sm">
      <button type="button" className={clsx("rounded-md border border-slate-300 bg-white px-3 py-2 disabled:text-slate-400", focusRing)} disabled={page === 0} onClick={onPrevious}>
        Previous
      </button>
      <span>Page {page + 1}</span>
      <button type="button" className={clsx("rounded-md border border-slate-300 bg-white px-3 py-2 disabled:text-slate-400", focusRing)} disabled={!hasNext} onClick={onNext}>
        Next
      </button>
    </nav>
  );
}

/** Cursor stack for Pager: cursors[i] is the token that fetches page i. */
export function nextCursors(cursors: (string | null)[], page: number, token: string | null): (string | null)[] {
  const kept = cursors.slice(0, page + 1);
  return token ? [...kept, token] : kept;
}
