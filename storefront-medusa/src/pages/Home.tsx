import { ArrowRight } from "lucide-react";
import { Link } from "react-router";
import { ProductCard } from "../components/ProductCard";
import { ErrorState, Loading } from "../components/status";
import { config } from "../config";
import { useCart } from "../lib/cart/cart-context";
import { useCollections, useProducts } from "../lib/hooks";

export function Home() {
  const { region, regionError, refetchRegion } = useCart();
  const featured = useProducts({ sort: "newest", limit: 4, offset: 0 });
  const collections = useCollections();
  return (
    <div className="space-y-14">
      <section className="rounded-2xl bg-brand px-8 py-16 text-white">
        <p className="text-sm uppercase tracking-widest text-white/70">Welcome to</p>
        <h1 className="mt-2 text-4xl font-bold">{config.name}</h1>
        <p className="mt-3 max-w-xl text-white/80">Good things, shipped to your door.</p>
        <Link to="/products" className="mt-8 inline-flex items-center gap-2 rounded-md bg-white px-5 py-2.5 font-medium text-brand">
          Shop now <ArrowRight className="size-4" aria-hidden />
        </Link>
      </section>
      <section>
        <h2 className="mb-4 text-xl font-semibold">Featured products</h2>
        {regionError ? (
          <ErrorState error={regionError} onRetry={refetchRegion} />
        ) : featured.error ? (
          <ErrorState error={featured.error} onRetry={() => featured.refetch()} />
        ) : !featured.data || !region ? (
          <Loading label="Loading products" />
        ) : (
          <div className="grid grid-cols-2 gap-6 md:grid-cols-4">
            {featured.data.products.map((p) => (
              <ProductCard key={p.id} product={p} currency={region.currency_code} />
            ))}
          </div>
        )}
      </section>
      <section>
        <h2 className="mb-4 text-xl font-semibold">Collections</h2>
        {collections.error ? (
          <ErrorState error={collections.error} onRetry={() => collections.refetch()} />
        ) : !collections.data ? (
          <Loading label="Loading collections" />
        ) : (
          <div className="grid gap-4 sm:grid-cols-2 md:grid-cols-3">
            {collections.data.map((c) => (
              <Link key={c.id} to={`/collections/${encodeURIComponent(c.handle)}`}
                className="rounded-xl border border-zinc-200 p-6 font-medium hover:border-accent">
                {c.title}
              </Link>
            ))}
          </div>
        )}
      </section>
    </div>
  );
}
