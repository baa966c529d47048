import { useState } from "react";
import { useNavigate } from "react-router";
import { ErrorState } from "../../components/status";
import type { Cart } from "../../lib/api/types";
import { useCart } from "../../lib/cart/cart-context";
import { placeOrder } from "../../lib/cart/checkout";

export function ReviewStep({ cart }: { cart: Cart }) {
  const { api, queue, forgetCart } = useCart();
  const navigate = useNavigate();
  const [placing, setPlacing] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const place = async () => {
    if (placing) return;
    setPlacing(true);
    setError(null);
    try {
      const order = await placeOrder(api, queue, cart.id);
      forgetCart();
      navigate(`/order/${encodeURIComponent(order.id)}`, { replace: true });
    } catch (err) {
      setError(err);
      setPlacing(false);
    }
  };
  return (
    <div className="space-y-4">
      <div className="rounded-md border border-zinc-300 px-4 py-3 text-sm">
        <p className="font-medium">Payment: manual</p>
        <p className="text-zinc-600">Nothing is charged now; the store confirms payment with you after the order.</p>
      </div>
      <button type="button" onClick={place} disabled={placing} className="w-full rounded-md bg-brand px-6 py-3 font-medium text-white disabled:opacity-50">
        {placing ? "Placing order…" : "Place order"}
      </button>
      {error !== null && <ErrorState error={error} title="The order was not placed" onRetry={place} />}
    </div>
  );
}
