import { Search } from "lucide-react";
import { type FormEvent, useState } from "react";
import { useSearchParams } from "react-router";
import { ProductCard } from "../components/ProductCard";
import { ErrorState, Loading } from "../components/status";
import { PRODUCT_SORTS, type ProductSort } from "../lib/api/store-api";
import { useCart } from "../lib/cart/cart-context";
import { useCollections, useProducts } from "../lib/hooks";

export const PAGE_SIZE = 8;
const SORT_LABELS: Record<ProductSort, string> = {
  newest: "Newest",
  oldest: "Oldest",
  "title-asc": "Name A–Z",
  "title-desc": "Name Z–A",
};

export function ProductGrid({ q, collectionId, sort, page, onPage }: {
  q?: string; collectionId?: string; sort: ProductSort; page: number; onPage: (page: number) => void;
}) {
  const { region, regionError, refetchRegion } = useCart();
  const products = useProducts({ q, collectionIds: collectionId ? [collectionId] : undefined, sort, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE });
  if (regionError) return <ErrorState error={regionError} onRetry={refetchRegion} />;
  if (products.error) return <ErrorState error={products.error} onRetry={() => products.refetch()} title="Products could not be loaded" />;
  if (!products.data || !region) return <Loading label="Loading products" />;
  const pages = Math.max(1, Math.ceil(products.data.count / PAGE_SIZE));
  return (
    <div>
      {products.data.products.length === 0 ? (
        <p className="py-16 text-center text-zinc-500">No products match.</p>
      ) : (
        <div className="grid grid-cols-2 gap-6 md:grid-cols-4" data-testid="product-grid">
          {products.data.products.map((p) => (
            <ProductCard key={p.id} product={p} currency={region.currency_code} />
          ))}
        </div>
      )}
      {pages > 1 && (
        <nav aria-label="Pages" className="mt-8 flex items-center justify-center gap-4 text-sm">
          <button type="button" disabled={page <= 1} onClick={() => onPage(page - 1)} className="rounded border px-3 py-1 disabled:opacity-40">Previous</button>
          <span>Page {page} of {pages}</span>
          <button type="button" disabled={page >= pages} onClick={() => onPage(page + 1)} className="rounded border px-3 py-1 disabled:opacity-40">Next</button>
        </nav>
      )}
    </div>
  );
}

export function Products() {
  const [params, setParams] = useSearchParams();
  const q = params.get("q") ?? "";
  const collectionId = params.get("collection") ?? "";
  const sort = (params.get("sort") as ProductSort) in PRODUCT_SORTS ? (params.get("sort") as ProductSort) : "newest";
  const page = Math.max(1, Number(params.get("page")) || 1);
  const [text, setText] = useState(q);
  const collections = useCollections();
  const update = (changes: Record<string, string>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) v ? next.set(k, v) : next.delete(k);
    if (!("page" in changes)) next.delete("page");
    setParams(next);
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    update({ q: text.trim() });
  };
  return (
    <div>
      <h1 className="mb-6 text-2xl font-semibold">Shop</h1>
      <div className="mb-6 flex flex-wrap items-center gap-3">
        <form onSubmit={submit} role="search" className="flex flex-1 items-center gap-2 rounded-md border border-zinc-300 px-3">
          <Search className="size-4 text-zinc-400" aria-hidden />
          <input type="search" value={text} onChange={(e) => setText(e.target.value)} placeholder="Search products" aria-label="Search products" className="w-full py-2 outline-none" />
        </form>
        <select aria-label="Collection" value={collectionId} onChange={(e) => update({ collection: e.target.value })} className="rounded-md border border-zinc-300 px-2 py-2">
          <option value="">All collections</option>
          {collections.data?.map((c) => <option key={c.id} value={c.id}>{c.title}</option>)}
        </select>
        <select aria-label="Sort" value={sort} onChange={(e) => update({ sort: e.target.value })} className="rounded-md border border-zinc-300 px-2 py-2">
          {(Object.keys(SORT_LABELS) as ProductSort[]).map((s) => <option key={s} value={s}>{SORT_LABELS[s]}</option>)}
        </select>
      </div>
      <ProductGrid q={q} collectionId={collectionId} sort={sort} page={page} onPage={(p) => update({ page: String(p) })} />
    </div>
  );
}
