import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useSearchParams } from "react-router-dom";
import { admin, type AdminStoreFilters } from "../../api/endpoints";
import { ENGINES, PHASES, type Engine, type Phase } from "../../api/types";
import { ENGINE_NAMES } from "../../components/PhaseBadge";
import { Pager, Select, nextCursors } from "../../components/Select";
import { Button, Empty, ErrorState, Field, Input, Loading, PageTitle } from "../../components/ui";
import { StoreRows } from "../StoreListPage";

export function AdminStoresPage() {
  const [params, setParams] = useSearchParams();
  const filters: AdminStoreFilters = {
    phase: (params.get("phase") ?? "") as Phase | "",
    engine: (params.get("engine") ?? "") as Engine | "",
    tenant: params.get("tenant") ?? "",
    q: params.get("q") ?? "",
  };
  const [text, setText] = useState(filters.q ?? "");
  const [tenant, setTenant] = useState(filters.tenant ?? "");
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [page, setPage] = useState(0);
  const stores = useQuery({
    queryKey: ["admin", "stores", filters, cursors[page]],
    queryFn: () => admin.stores(filters, cursors[page] ?? null),
    placeholderData: keepPreviousData,
    refetchInterval: 5000,
  });
  const update = (changes: Partial<Record<keyof AdminStoreFilters, string>>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      if (value) next.set(key, value);
      else next.delete(key);
    }
    setParams(next, { replace: true });
    setCursors([null]);
    setPage(0);
  };
  const applyText = (event: FormEvent) => {
    event.preventDefault();
    update({ q: text.trim(), tenant: tenant.trim().toLowerCase() });
  };
  return (
    <>
      <PageTitle>All stores</PageTitle>
      <form onSubmit={applyText} className="mb-4 grid gap-3 sm:grid-cols-2 lg:grid-cols-5" aria-label="Filters">
        <Select
          id="filter-phase"
          label="Phase"
          value={filters.phase ?? ""}
          options={[["", "Any phase"], ...PHASES.map((phase): [string, string] => [phase, phase])]}
          onChange={(phase) => update({ phase })}
        />
        <Select
          id="filter-engine"
          label="Engine"
          value={filters.engine ?? ""}
          options={[["", "Any engine"], ...ENGINES.map((engine): [string, string] => [engine, ENGINE_NAMES[engine]])]}
          onChange={(engine) => update({ engine })}
        />
        <Field id="filter-tenant" label="Tenant">
          <Input id="filter-tenant" value={tenant} onChange={(e) => setTenant(e.target.value)} />
        </Field>
        <Field id="filter-text" label="Search">
          <Input id="filter-text" type="search" value={text} placeholder="name or display name" onChange={(e) => setText(e.target.value)} />
        </Field>
        <div className="flex items-end">
          <Button type="submit" variant="secondary" className="w-full">
            Apply filters
          </Button>
        </div>
      </form>
      {stores.isPending ? (
        <Loading what="stores" />
      ) : stores.isError ? (
        <ErrorState error={stores.error} retry={() => void stores.refetch()} />
      ) : stores.data.items.length === 0 ? (
        <Empty title="No stores match these filters." />
      ) : (
        <StoreRows stores={stores.data.items} showTenant />
      )}
      <Pager
        page={page}
        hasNext={Boolean(stores.data?.continue_token)}
        onPrevious={() => setPage((p) => Math.max(0, p - 1))}
        onNext={() => {
          setCursors((current) => nextCursors(current, page, stores.data?.continue_token ?? null));
          setPage((p) => p + 1);
        }}
      />
    </>
  );
}
