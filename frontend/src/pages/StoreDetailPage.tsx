import { useNavigate, useParams } from "react-router-dom";
import { ApiError } from "../api/client";
import type { Store } from "../api/types";
import { Credentials } from "../components/Credentials";
import { DeleteStoreDialog } from "../components/DeleteStoreDialog";
import { ENGINE_NAMES, PhaseBadge } from "../components/PhaseBadge";
import { SimulatedBadge } from "../components/SimulatedBadge";
import { StoreSteps } from "../components/StoreSteps";
import { Button, Card, ErrorState, Loading, PageTitle, focusRing } from "../components/ui";
import { PHASE_WORDS, dateTime, progress, reasonWords } from "../lib/format";
import { useDeleteStore, useRetryStore, useStore, useStoreEvents, useStoreStream } from "../hooks/useStores";
import { NotFoundPage } from "./NotFoundPage";

type UrlRow = { key: string; label: string; url: string | null | undefined; note?: string };

function Urls({ store }: { store: Store }) {
  const medusa = store.engine === "medusa";
  const urls: UrlRow[] = [
    { key: "shop", label: "Shop", url: store.url },
    // The Medusa image carries no admin UI: /admin is Medusa's admin REST API, which answers a
    // browser with 401 until it signs in there with the credentials below.
    medusa
      ? { key: "admin", label: "Admin API", url: store.admin_url, note: "Medusa's admin REST API: sign in with POST /admin/auth and the credentials below" }
      : { key: "admin", label: "Admin", url: store.admin_url },
    ...(medusa && store.storefront ? [{ key: "storefront", label: "Storefront", url: store.storefront_url }] : []),
  ];
  return (
    <dl className="space-y-2 text-sm">
      {urls.map(({ key, label, url, note }) => (
        <div key={key} className="flex flex-wrap gap-2">
          <dt className="w-24 font-medium text-slate-800">{label}</dt>
          <dd className="min-w-0 wrap-anywhere" data-testid={`url-${key}`}>
            {url ? (
              <a href={url} target="_blank" rel="noreferrer noopener" className={`text-indigo-800 underline ${focusRing}`}>
                {url}
              </a>
            ) : (
              <span className="text-slate-600">not yet known</span>
            )}
            {url && note && <p className="text-slate-600">{note}</p>}
          </dd>
        </div>
      ))}
    </dl>
  );
}

function Conditions({ store }: { store: Store }) {
  if ((store.conditions ?? []).length === 0) return null;
  return (
    <ul className="mt-3 space-y-1 text-sm text-slate-700 wrap-anywhere">
      {(store.conditions ?? []).map((condition) => (
        <li key={condition.type}>
          <span className="font-medium text-slate-800">{condition.type}</span>:{" "}
          {condition.status === "True" ? "yes" : condition.status === "False" ? "no" : "unknown"}
          {condition.reason && ` — ${reasonWords(condition.reason)}`}
          {condition.message && `: ${condition.message}`}
        </li>
      ))}
    </ul>
  );
}

function Timeline({ storeId }: { storeId: string }) {
  const events = useStoreEvents(storeId, true);
  if (events.isPending) return <Loading what="the timeline" />;
  if (events.isError) return <ErrorState error={events.error} retry={() => void events.refetch()} />;
  const items = [
    ...events.data.history.map((entry) => ({
      key: `h-${entry.time}-${entry.phase}`,
      time: entry.time,
      title: entry.reason && entry.reason !== entry.phase ? `${entry.phase}: ${reasonWords(entry.reason)}` : entry.phase,
      message: entry.message,
      warning: entry.phase === "Failed",
    })),
    ...events.data.events.map((event, index) => ({
      key: `e-${index}-${event.time ?? ""}`,
      time: event.time ?? "",
      title: `${reasonWords(event.reason)}${event.count > 1 ? ` (×${event.count})` : ""}`,
      message: `${event.message} — ${event.source}`,
      warning: event.type === "Warning",
    })),
  ].sort((a, b) => b.time.localeCompare(a.time));
  if (items.length === 0) return <p className="text-sm text-slate-700">Nothing has happened yet.</p>;
  return (
    <ol className="space-y-3 text-sm" aria-label="Timeline">
      {items.map((item) => (
        <li key={item.key} className="border-l-2 border-slate-200 pl-3 wrap-anywhere">
          <p className={item.warning ? "font-medium text-red-800" : "font-medium text-slate-900"}>{item.title}</p>
          <p className="text-slate-700">{item.message}</p>
          <p className="text-xs text-slate-600">{dateTime(item.time)}</p>
        </li>
      ))}
    </ol>
  );
}

export function StoreDetailPage() {
  const { id = "" } = useParams();
  const query = useStore(id);
  const store = query.data;
  useStoreStream(id, store?.phase, store?.deleting ?? false);
  const remove = useDeleteStore(id);
  const navigate = useNavigate();
  const retry = useRetryStore(id);

  if (query.isPending) return <Loading what="the store" />;
  if (query.isError) {
    if (query.error instanceof ApiError && query.error.status === 404) return <NotFoundPage what="store" />;
    return <ErrorState error={query.error} retry={() => void query.refetch()} />;
  }
  if (!store) return <NotFoundPage what="store" />;
  const moving = store.phase === "Requested" || store.phase === "Provisioning";
  const { current, total } = progress(store.steps ?? []);
  return (
    <>
      <PageTitle
        actions={
          <>
            <PhaseBadge phase={store.phase} />
            <SimulatedBadge store={store} />
          </>
        }
      >{store.display_name}</PageTitle>
      <div className="grid gap-4 lg:grid-cols-3">
        <div className="space-y-4 lg:col-span-2">
          <Card>
            <h2 className="mb-1 font-semibold">Status</h2>
            <p className="text-sm text-slate-800" role="status" aria-live="polite" data-testid="phase-words">
              {PHASE_WORDS[store.phase]}
              {moving && total > 0 && ` — step ${current} of ${total}`}
              {/* The place itself is in the message below: exact near the front, a bound further back. */}
              {store.queue_position ? " — waiting in the queue" : ""}
            </p>
            {store.message && <p className="mt-1 text-sm text-slate-700">{store.message}</p>}
            <Conditions store={store} />
          </Card>
          <Card>
            <h2 className="mb-3 font-semibold">Progress</h2>
            <StoreSteps steps={store.steps ?? []} />
          </Card>
          <Card>
            <h2 className="mb-3 font-semibold">Timeline</h2>
            <Timeline storeId={id} />
          </Card>
        </div>
        <div className="space-y-4">
          <Card>
            <h2 className="mb-3 font-semibold">Addresses</h2>
            <p className="mb-2 text-sm text-slate-700">
              {ENGINE_NAMES[store.engine]}
              {store.theme ? `, theme ${store.theme}` : ""}
              {store.engine === "medusa" ? (store.storefront ? ", with storefront" : ", API only") : ""} · id{" "}
              <span className="font-mono">{store.id}</span>
            </p>
            <Urls store={store} />
          </Card>
          <Card>
            <h2 className="mb-3 font-semibold">Admin login</h2>
            <Credentials storeId={id} available={store.phase === "Ready" && !store.deleting} />
          </Card>
          <Card>
            <h2 className="mb-3 font-semibold">Actions</h2>
            <div className="flex flex-wrap gap-2">
              {store.phase === "Failed" && !store.deleting && (
                <Button onClick={() => retry.mutate()} disabled={retry.isPending}>
                  {retry.isPending ? "Retrying…" : "Retry"}
                </Button>
              )}
              {!store.deleting && (
                <DeleteStoreDialog storeId={store.id} provisioning={moving} busy={remove.isPending} onConfirm={() => remove.mutate(undefined, { onSuccess: () => navigate("/") })} />
              )}
              {store.deleting && <p className="text-sm text-slate-700">Deletion requested; the store goes away once cleaned up.</p>}
            </div>
            {(remove.error ?? retry.error) && (
              <p role="alert" className="mt-2 text-sm text-red-700">
                {(remove.error ?? retry.error)?.message}
              </p>
            )}
          </Card>
        </div>
      </div>
    </>
  );
}
