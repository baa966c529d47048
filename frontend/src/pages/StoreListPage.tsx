import { Link } from "react-router-dom";
import type { Store } from "../api/types";
import { ENGINE_NAMES, PhaseBadge } from "../components/PhaseBadge";
import { SimulatedBadge } from "../components/SimulatedBadge";
import { Button, Empty, ErrorState, Loading, PageTitle, ScrollRegion, focusRing } from "../components/ui";
import { age, progress } from "../lib/format";
import { useStoreList } from "../hooks/useStores";

export function StoreProgress({ store }: { store: Store }) {
  if (store.phase === "Ready" || (store.steps ?? []).length === 0) return <span className="text-slate-500">—</span>;
  const { current, total } = progress(store.steps ?? []);
  return (
    <span>
      step {current} of {total}
    </span>
  );
}

export function StoreRows({ stores, showTenant = false }: { stores: Store[]; showTenant?: boolean }) {
  return (
    <ScrollRegion label="Stores">
      <table className="min-w-full divide-y divide-slate-200 text-sm">
        <thead className="bg-slate-50 text-left text-slate-700">
          <tr>
            <th scope="col" className="px-3 py-2 font-medium">Store</th>
            {showTenant && <th scope="col" className="px-3 py-2 font-medium">Tenant</th>}
            <th scope="col" className="px-3 py-2 font-medium">Phase</th>
            <th scope="col" className="px-3 py-2 font-medium">Progress</th>
            <th scope="col" className="px-3 py-2 font-medium">Engine</th>
            <th scope="col" className="px-3 py-2 font-medium">URL</th>
            <th scope="col" className="px-3 py-2 font-medium">Age</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {stores.map((store) => (
            <tr key={`${store.tenant ?? ""}/${store.id}`} data-testid="store-row" data-store={store.id}>
              <td className="px-3 py-2">
                {showTenant ? (
                  <span className="font-medium">{store.display_name}</span>
                ) : (
                  <Link to={`/stores/${encodeURIComponent(store.id)}`} className={`font-medium text-indigo-800 underline ${focusRing}`}>
                    {store.display_name}
                  </Link>
                )}
                <div className="text-xs text-slate-600">{store.id}</div>
              </td>
              {showTenant && <td className="px-3 py-2">{store.tenant}</td>}
              <td className="px-3 py-2">
                <PhaseBadge phase={store.phase} />
                <SimulatedBadge store={store} />
              </td>
              <td className="px-3 py-2 whitespace-nowrap">
                <StoreProgress store={store} />
              </td>
              <td className="px-3 py-2">{ENGINE_NAMES[store.engine]}</td>
              <td className="px-3 py-2">
                {store.url ? (
                  <a href={store.url} target="_blank" rel="noreferrer noopener" className={`text-indigo-800 underline ${focusRing}`}>
                    {store.url.replace(/^https?:\/\//, "")}
                  </a>
                ) : (
                  <span className="text-slate-500">—</span>
                )}
              </td>
              <td className="px-3 py-2 whitespace-nowrap">{age(store.created_at)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollRegion>
  );
}

export function StoreListPage() {
  const list = useStoreList();
  return (
    <>
      <PageTitle
        actions={
          <Button asChild>
            <Link to="/stores/new">New store</Link>
          </Button>
        }
      >
        My stores
      </PageTitle>
      {list.isPending ? (
        <Loading what="your stores" />
      ) : list.isError ? (
        <ErrorState error={list.error} retry={() => void list.refetch()} />
      ) : list.data.items.length === 0 ? (
        <Empty title="You have no stores yet.">
          <p>Create one: it is ready in a few minutes.</p>
          <Button asChild className="mt-3">
            <Link to="/stores/new">Create your first store</Link>
          </Button>
        </Empty>
      ) : (
        <StoreRows stores={list.data.items} />
      )}
    </>
  );
}
