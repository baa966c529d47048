import { keepPreviousData, useQuery } from "@tanstack/react-query";
import clsx from "clsx";
import { useState, type FormEvent } from "react";
import { useSearchParams } from "react-router-dom";
import { admin, type AuditFilters } from "../../api/endpoints";
import { Select } from "../../components/Select";
import { Button, Empty, ErrorState, Field, Input, Loading, PageTitle } from "../../components/ui";
import { dateTime, reasonWords } from "../../lib/format";

const SECURITY_TYPES = ["AccountLocked", "LoginFailed", "UserRegistered"];

export function AuditPage() {
  const [params, setParams] = useSearchParams();
  const filters: AuditFilters = {
    category: (params.get("category") ?? "") as AuditFilters["category"],
    type: params.get("type") ?? "",
    tenant: params.get("tenant") ?? "",
  };
  const [type, setType] = useState(filters.type ?? "");
  const [tenant, setTenant] = useState(filters.tenant ?? "");
  const audit = useQuery({
    queryKey: ["admin", "audit", filters],
    queryFn: () => admin.audit(filters),
    placeholderData: keepPreviousData,
    refetchInterval: 5000,
  });
  const update = (changes: Record<string, string>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      if (value) next.set(key, value);
      else next.delete(key);
    }
    setParams(next, { replace: true });
  };
  const apply = (event: FormEvent) => {
    event.preventDefault();
    update({ type: type.trim(), tenant: tenant.trim().toLowerCase() });
  };
  return (
    <>
      <PageTitle>Audit log</PageTitle>
      <form onSubmit={apply} className="mb-4 grid gap-3 sm:grid-cols-2 lg:grid-cols-4" aria-label="Filters">
        <Select
          id="filter-category"
          label="Category"
          value={filters.category ?? ""}
          options={[["", "Everything"], ["store", "Store lifecycle"], ["security", "Security"]]}
          onChange={(category) => update({ category })}
        />
        <Field id="filter-type" label="Event type" hint={`e.g. ${SECURITY_TYPES.slice(0, 3).join(", ")}`}>
          <Input id="filter-type" value={type} aria-describedby="filter-type-hint" onChange={(e) => setType(e.target.value)} />
        </Field>
        <Field id="filter-tenant" label="Tenant">
          <Input id="filter-tenant" value={tenant} onChange={(e) => setTenant(e.target.value)} />
        </Field>
        <div className="flex items-end">
          <Button type="submit" variant="secondary" className="w-full">
            Apply filters
          </Button>
        </div>
      </form>
      {audit.isPending ? (
        <Loading what="the audit log" />
      ) : audit.isError ? (
        <ErrorState error={audit.error} retry={() => void audit.refetch()} />
      ) : audit.data.items.length === 0 ? (
        <Empty title="Nothing recorded for these filters.">Kubernetes keeps events for about an hour.</Empty>
      ) : (
        <ol className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white" aria-label="Audit entries">
          {audit.data.items.map((entry, index) => (
            <li key={`${entry.time ?? ""}-${index}`} className="px-4 py-3 text-sm" data-testid="audit-entry" data-type={entry.type}>
              <div className="flex flex-wrap items-baseline justify-between gap-2">
                <p className={clsx("font-medium", entry.severity === "Warning" ? "text-red-800" : "text-slate-900")}>
                  {reasonWords(entry.type)}
                  {entry.count > 1 && ` (×${entry.count})`}
                </p>
                <p className="text-xs text-slate-600">{dateTime(entry.time)}</p>
              </div>
              <p className="wrap-anywhere text-slate-700">{entry.message}</p>
              <p className="text-xs text-slate-600">
                {entry.category} · {entry.source}
                {entry.tenant && ` · tenant ${entry.tenant}`}
                {entry.store && ` · store ${entry.store}`}
              </p>
            </li>
          ))}
        </ol>
      )}
      {audit.data?.truncated && <p className="mt-2 text-sm text-slate-700">More entries matched; narrow the filters.</p>}
    </>
  );
}
