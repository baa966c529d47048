// The store's admin login, fetched only when the owner asks and kept in this component's state:
// never in the query cache, the URL, localStorage or a log. Hiding it forgets it.
import { useState } from "react";
import { stores } from "../api/endpoints";
import type { StoreCredentials } from "../api/types";
import { Button } from "./ui";

function CopyButton({ value, label }: { value: string; label: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied(true);
      setTimeout(() => setCopied(false), 2000);
    } catch {
      setCopied(false);
    }
  };
  return (
    <Button variant="secondary" className="min-h-8 px-2 py-1 text-xs" onClick={copy} aria-label={`Copy ${label}`}>
      {copied ? "Copied" : "Copy"}
    </Button>
  );
}

export function Credentials({ storeId, available }: { storeId: string; available: boolean }) {
  const [credentials, setCredentials] = useState<StoreCredentials | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (!available) return <p className="text-sm text-slate-700">The admin login is shown once the store is ready.</p>;
  const reveal = async () => {
    setBusy(true);
    setError(null);
    try {
      setCredentials(await stores.credentials(storeId));
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : "Could not read the credentials.");
    } finally {
      setBusy(false);
    }
  };
  if (!credentials)
    return (
      <div>
        <Button variant="secondary" onClick={reveal} disabled={busy}>
          {busy ? "Reading…" : "Reveal admin login"}
        </Button>
        {error && (
          <p role="alert" className="mt-2 text-sm text-red-700">
            {error}
          </p>
        )}
      </div>
    );
  const rows: [string, string][] = [
    ["Username", credentials.username],
    ...(credentials.email ? ([["Email", credentials.email]] as [string, string][]) : []),
    ["Password", credentials.password],
  ];
  return (
    <div className="space-y-2">
      <dl className="space-y-2 text-sm">
        {rows.map(([label, value]) => (
          <div key={label} className="flex flex-wrap items-center gap-2">
            <dt className="w-24 font-medium text-slate-800">{label}</dt>
            <dd className="flex min-w-0 flex-wrap items-center gap-2">
              <span className="wrap-anywhere font-mono" data-testid={`credential-${label.toLowerCase()}`}>
                {value}
              </span>
              <CopyButton value={value} label={label.toLowerCase()} />
            </dd>
          </div>
        ))}
      </dl>
      <Button variant="ghost" onClick={() => setCredentials(null)}>
        Hide admin login
      </Button>
    </div>
  );
}
