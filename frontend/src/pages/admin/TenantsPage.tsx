import { keepPreviousData, useQuery } from "@tanstack/react-query";
import clsx from "clsx";
import { useState } from "react";
import { admin } from "../../api/endpoints";
import { Pager, nextCursors } from "../../components/Select";
import { Empty, ErrorState, Loading, PageTitle, ScrollRegion } from "../../components/ui";
import { age } from "../../lib/format";

export function TenantsPage() {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [page, setPage] = useState(0);
  const tenants = useQuery({
    queryKey: ["admin", "tenants", cursors[page]],
    queryFn: () => admin.tenants(cursors[page] ?? null),
    placeholderData: keepPreviousData,
  });
  return (
    <>
      <PageTitle>Tenants</PageTitle>
      {tenants.isPending ? (
        <Loading what="tenants" />
      ) : tenants.isError ? (
        <ErrorState error={tenants.error} retry={() => void tenants.refetch()} />
      ) : tenants.data.items.length === 0 ? (
        <Empty title="No tenants yet." />
      ) : (
        <ScrollRegion label="Tenants">
          <table className="min-w-full divide-y divide-slate-200 text-sm">
            <thead className="bg-slate-50 text-left text-slate-700">
              <tr>
                <th scope="col" className="px-3 py-2 font-medium">Tenant</th>
                <th scope="col" className="px-3 py-2 font-medium">Owner</th>
                <th scope="col" className="px-3 py-2 font-medium">Stores / quota</th>
                <th scope="col" className="px-3 py-2 font-medium">Ready</th>
                <th scope="col" className="px-3 py-2 font-medium">Age</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {tenants.data.items.map((tenant) => {
                const used = tenant.store_count ?? 0;
                const full = used >= tenant.store_limit;
                return (
                  <tr key={tenant.name} data-testid="tenant-row">
                    <td className="px-3 py-2">
                      <span className="font-medium">{tenant.display_name}</span>
                      <div className="text-xs text-slate-600">{tenant.name}</div>
                    </td>
                    <td className="px-3 py-2 wrap-anywhere">{tenant.email ?? tenant.owners.join(", ")}</td>
                    <td className={clsx("px-3 py-2 whitespace-nowrap", full && "font-medium text-red-800")}>
                      {tenant.store_count ?? "—"} / {tenant.store_limit}
                      {full && " (full)"}
                    </td>
                    <td className="px-3 py-2">{tenant.ready === "True" ? "yes" : tenant.ready === "False" ? "no" : "—"}</td>
                    <td className="px-3 py-2">{age(tenant.created_at)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </ScrollRegion>
      )}
      <Pager
        page={page}
        hasNext={Boolean(tenants.data?.continue_token)}
        onPrevious={() => setPage((p) => Math.max(0, p - 1))}
        onNext={() => {
          setCursors((current) => nextCursors(current, page, tenants.data?.continue_token ?? null));
          setPage((p) => p + 1);
        }}
      />
    </>
  );
}
