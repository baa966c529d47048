import { useState } from "react";
import { ErrorState, Loading } from "../../components/status";
import type { Cart } from "../../lib/api/types";
import { useCart } from "../../lib/cart/cart-context";
import { useShippingOptions } from "../../lib/hooks";
import { formatMoney } from "../../lib/money";

export function ShippingStep({ cart, onDone }: { cart: Cart; onDone: () => void }) {
  const { updateCart } = useCart();
  const addressKey = `${cart.shipping_address?.country_code}:${cart.shipping_address?.postal_code}`;
  const options = useShippingOptions(cart.id, addressKey);
  const [choice, setChoice] = useState(cart.shipping_methods[0]?.shipping_option_id ?? "");
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const currency = cart.region.currency_code;
  const save = async () => {
    setSaving(true);
    setError(null);
    try {
      await updateCart((api, id) => api.addShippingMethod(id, choice));
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setSaving(false);
    }
  };
  if (options.error) return <ErrorState error={options.error} onRetry={() => options.refetch()} title="Shipping options could not be loaded" />;
  if (!options.data) return <Loading label="Loading shipping options" />;
  if (options.data.length === 0) return <p className="text-sm text-zinc-600">This store does not ship to your address.</p>;
  return (
    <div className="space-y-3">
      <div role="radiogroup" aria-label="Shipping option" className="space-y-2">
        {options.data.map((o) => (
          <label key={o.id} className={`flex cursor-pointer items-center justify-between rounded-md border px-4 py-3 ${choice === o.id ? "border-brand" : "border-zinc-300"}`}>
            <span className="flex items-center gap-3">
              <input type="radio" name="shipping" value={o.id} checked={choice === o.id} onChange={() => setChoice(o.id)} />
              {o.name}
            </span>
            <span>{formatMoney(o.price_incl_tax ?? o.amount, currency)}</span>
          </label>
        ))}
      </div>
      <button type="button" disabled={!choice || saving} onClick={save} className="rounded-md bg-brand px-6 py-2.5 font-medium text-white disabled:opacity-50">
        {saving ? "Saving…" : "Continue to review"}
      </button>
      {error !== null && <ErrorState error={error} title="The shipping option was not saved" onRetry={save} />}
    </div>
  );
}
