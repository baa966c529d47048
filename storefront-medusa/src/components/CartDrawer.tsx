import { Minus, Plus, Trash2, X } from "lucide-react";
import { useState } from "react";
import { Link } from "react-router";
import type { LineItem } from "../lib/api/types";
import { useCart } from "../lib/cart/cart-context";
import { formatMoney } from "../lib/money";
import { ProductImage } from "./ProductCard";
import { ErrorState, Loading } from "./status";

function CartLine({ item, currency }: { item: LineItem; currency: string }) {
  const { updateItem, removeItem } = useCart();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const act = async (write: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await write();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <li className="flex gap-3 py-4" data-testid="cart-line">
      <ProductImage src={item.thumbnail} alt={item.title} className="w-16 rounded" />
      <div className="flex-1 text-sm">
        <div className="flex justify-between gap-2">
          <p className="font-medium">{item.title}</p>
          <p>{formatMoney(item.total ?? item.unit_price * item.quantity, currency)}</p>
        </div>
        <p className="text-zinc-500">{item.description}</p>
        <div className="mt-2 flex items-center gap-2">
          <button type="button" aria-label={`One less ${item.title}`} disabled={busy || item.quantity <= 1}
            onClick={() => act(() => updateItem(item.id, item.quantity - 1))}
            className="rounded border border-zinc-300 p-1 disabled:opacity-40">
            <Minus className="size-3" aria-hidden />
          </button>
          <span data-testid="line-quantity" aria-label="Quantity">{item.quantity}</span>
          <button type="button" aria-label={`One more ${item.title}`} disabled={busy}
            onClick={() => act(() => updateItem(item.id, item.quantity + 1))}
            className="rounded border border-zinc-300 p-1 disabled:opacity-40">
            <Plus className="size-3" aria-hidden />
          </button>
          <button type="button" aria-label={`Remove ${item.title}`} disabled={busy}
            onClick={() => act(() => removeItem(item.id))}
            className="ml-auto text-zinc-500 hover:text-red-700 disabled:opacity-40">
            <Trash2 className="size-4" aria-hidden />
          </button>
        </div>
        {error !== null && <ErrorState error={error} title="The cart was not changed" onRetry={() => setError(null)} />}
      </div>
    </li>
  );
}

export function CartDrawer() {
  const { cart, cartLoading, cartError, refetchCart, drawerOpen, setDrawerOpen } = useCart();
  if (!drawerOpen) return null;
  const currency = cart?.region.currency_code ?? "usd";
  const close = () => setDrawerOpen(false);
  return (
    <div className="fixed inset-0 z-30 flex justify-end" onKeyDown={(e) => e.key === "Escape" && close()}>
      <button type="button" aria-label="Close cart" className="absolute inset-0 bg-black/30" onClick={close} />
      <aside role="dialog" aria-modal="true" aria-label="Cart" className="relative flex h-full w-full max-w-md flex-col bg-white shadow-xl">
        <div className="flex items-center justify-between border-b border-zinc-200 p-4">
          <h2 className="text-lg font-semibold">Your cart</h2>
          <button type="button" onClick={close} aria-label="Close">
            <X className="size-5" aria-hidden />
          </button>
        </div>
        <div className="flex-1 overflow-y-auto px-4">
          {cartLoading ? (
            <Loading label="Loading your cart" />
          ) : cartError ? (
            <ErrorState error={cartError} onRetry={refetchCart} title="Your cart could not be loaded" />
          ) : !cart || cart.items.length === 0 ? (
            <p className="py-16 text-center text-zinc-500">Your cart is empty.</p>
          ) : (
            <ul className="divide-y divide-zinc-200">
              {[...cart.items].sort((a, b) => a.title.localeCompare(b.title)).map((item) => (
                <CartLine key={item.id} item={item} currency={currency} />
              ))}
            </ul>
          )}
        </div>
        {cart && cart.items.length > 0 && (
          <div className="border-t border-zinc-200 p-4">
            <div className="flex justify-between text-sm">
              <span>Subtotal</span>
              <span data-testid="cart-subtotal">{formatMoney(cart.subtotal, currency)}</span>
            </div>
            <Link to="/checkout" onClick={close}
              className="mt-4 block rounded-md bg-brand px-4 py-2.5 text-center font-medium text-white hover:opacity-90">
              Go to checkout
            </Link>
          </div>
        )}
      </aside>
    </div>
  );
}
