import { Link, useParams, useSearchParams } from "react-router";
import { ErrorState, Loading } from "../components/status";
import { useCollection, useCollections } from "../lib/hooks";
import { ProductGrid } from "./Products";

export function Collections() {
  const collections = useCollections();
  if (collections.error) return <ErrorState error={collections.error} onRetry={() => collections.refetch()} />;
  if (!collections.data) return <Loading label="Loading collections" />;
  return (
    <div>
      <h1 className="mb-6 text-2xl font-semibold">Collections</h1>
      <div className="grid gap-4 sm:grid-cols-2 md:grid-cols-3">
        {collections.data.map((c) => (
          <Link key={c.id} to={`/collections/${encodeURIComponent(c.handle)}`} className="rounded-xl border border-zinc-200 p-6 font-medium hover:border-accent">
            {c.title}
          </Link>
        ))}
      </div>
    </div>
  );
}

export function CollectionPage() {
  const { handle = "" } = useParams();
  const [params, setParams] = useSearchParams();
  const page = Math.max(1, Number(params.get("page")) || 1);
  const collection = useCollection(handle);
  if (collection.error) return <ErrorState error={collection.error} onRetry={() => collection.refetch()} />;
  if (collection.isPending) return <Loading label="Loading collection" />;
  if (!collection.data) return <p className="py-16 text-center text-zinc-500">No such collection.</p>;
  return (
    <div>
      <h1 className="mb-6 text-2xl font-semibold">{collection.data.title}</h1>
      <ProductGrid collectionId={collection.data.id} sort="title-asc" page={page} onPage={(p) => setParams({ page: String(p) })} />
    </div>
  );
}
