import { ShoppingBag } from "lucide-react";
import { useState } from "react";
import { useParams } from "react-router";
import { ProductImage } from "../components/ProductCard";
import { ErrorState, Loading } from "../components/status";
import type { Product } from "../lib/api/types";
import { useCart } from "../lib/cart/cart-context";
import { availableToAdd } from "../lib/cart/checkout";
import { useProduct } from "../lib/hooks";
import { formatMoney, variantPrice } from "../lib/money";
import { findVariant, optionValues, type Selection, selectionOf } from "../lib/variants";

function Buy({ product, currency }: { product: Product; currency: string }) {
  const { cart, addItem, setDrawerOpen } = useCart();
  const [selection, setSelection] = useState<Selection>(() => selectionOf(product.variants[0]));
  const [quantity, setQuantity] = useState(1);
  const [adding, setAdding] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const variant = findVariant(product, selection);
  const inCart = cart?.items.filter((i) => i.variant_id === variant?.id).reduce((n, i) => n + i.quantity, 0) ?? 0;
  const available = variant ? availableToAdd(variant, inCart) : 0;
  const price = variant ? variantPrice(variant, currency) : null;
  const add = async () => {
    if (!variant) return;
    setAdding(true);
    setError(null);
    try {
      await addItem(variant.id, quantity);
      setQuantity(1);
      setDrawerOpen(true);
    } catch (err) {
      setError(err);
    } finally {
      setAdding(false);
    }
  };
  return (
    <div className="space-y-6">
      <p className="text-2xl" data-testid="product-price">{price !== null ? formatMoney(price, currency) : "Not sold in your region"}</p>
      {product.options.map((option) => (
        <fieldset key={option.id}>
          <legend className="mb-2 text-sm font-medium">{option.title}</legend>
          <div className="flex flex-wrap gap-2">
            {optionValues(product, option.id).map((value) => {
              const selected = selection[option.id] === value;
              return (
                <button key={value} type="button" aria-pressed={selected}
                  onClick={() => setSelection({ ...selection, [option.id]: value })}
                  className={`rounded-md border px-4 py-2 text-sm ${selected ? "border-brand bg-brand text-white" : "border-zinc-300 hover:border-zinc-500"}`}>
                  {value}
                </button>
              );
            })}
          </div>
        </fieldset>
      ))}
      <label className="block text-sm font-medium">
        Quantity
        <input type="number" min={1} max={Number.isFinite(available) ? Math.max(1, available) : undefined} value={quantity}
          onChange={(e) => setQuantity(Math.max(1, Math.floor(Number(e.target.value)) || 1))}
          className="mt-1 block w-24 rounded-md border border-zinc-300 px-3 py-2" />
      </label>
      {variant && available <= 0 ? (
        <p className="text-sm text-red-700" data-testid="stock-note">{inCart > 0 ? "All available stock is in your cart." : "Out of stock"}</p>
      ) : variant && quantity > available ? (
        <p className="text-sm text-red-700" data-testid="stock-note">Only {available} left.</p>
      ) : null}
      <button type="button" onClick={add} disabled={!variant || price === null || adding || available <= 0 || quantity > available}
        className="inline-flex items-center gap-2 rounded-md bg-brand px-6 py-3 font-medium text-white hover:opacity-90 disabled:cursor-not-allowed disabled:opacity-40">
        <ShoppingBag className="size-4" aria-hidden />
        {adding ? "Adding…" : variant && available <= 0 ? "Out of stock" : "Add to cart"}
      </button>
      {error !== null && <ErrorState error={error} title="Not added to your cart" onRetry={add} />}
    </div>
  );
}

export function ProductDetail() {
  const { handle = "" } = useParams();
  const { region, regionError, refetchRegion } = useCart();
  const product = useProduct(handle);
  const [image, setImage] = useState(0);
  if (regionError) return <ErrorState error={regionError} onRetry={refetchRegion} />;
  if (product.error) return <ErrorState error={product.error} onRetry={() => product.refetch()} title="This product could not be loaded" />;
  if (!region || product.isPending) return <Loading label="Loading product" />;
  const p = product.data;
  if (!p) return <p className="py-16 text-center text-zinc-500">No such product.</p>;
  const images = p.images.length ? p.images.map((i) => i.url) : [p.thumbnail];
  return (
    <div className="grid gap-10 md:grid-cols-2">
      <div>
        <ProductImage src={images[image] ?? null} alt={p.title} className="rounded-xl" />
        {images.length > 1 && (
          <div className="mt-3 flex gap-2">
            {images.map((src, i) => (
              <button key={`${src}-${i}`} type="button" onClick={() => setImage(i)} aria-label={`Image ${i + 1}`} className={`w-16 ${i === image ? "ring-2 ring-brand" : ""}`}>
                <ProductImage src={src} alt="" className="rounded" />
              </button>
            ))}
          </div>
        )}
      </div>
      <div>
        <h1 className="text-3xl font-semibold">{p.title}</h1>
        {p.subtitle && <p className="mt-1 text-zinc-500">{p.subtitle}</p>}
        {p.description && <p className="mt-4 text-zinc-700">{p.description}</p>}
        <div className="mt-8">
          <Buy key={p.id} product={p} currency={region.currency_code} />
        </div>
      </div>
    </div>
  );
}
