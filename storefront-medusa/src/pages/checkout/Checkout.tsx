import { Check, Pencil } from "lucide-react";
import { type ReactNode, useState } from "react";
import { Link } from "react-router";
import { ErrorState, Loading } from "../../components/status";
import { OrderLines, Totals } from "../../components/Totals";
import type { Cart } from "../../lib/api/types";
import { useCart } from "../../lib/cart/cart-context";
import { CHECKOUT_STEPS, type CheckoutStep, checkoutStep, isStepDone } from "../../lib/cart/checkout";
import { formatMoney } from "../../lib/money";
import { AddressStep } from "./AddressStep";
import { ReviewStep } from "./ReviewStep";
import { ShippingStep } from "./ShippingStep";

const TITLES: Record<CheckoutStep, string> = { address: "1. Contact and address", shipping: "2. Shipping", review: "3. Review and pay" };

function summary(cart: Cart, step: CheckoutStep): ReactNode {
  const a = cart.shipping_address;
  if (step === "address" && a) {
    return `${cart.email} · ${a.first_name} ${a.last_name}, ${a.address_1}, ${a.city} ${a.postal_code}, ${a.country_code.toUpperCase()}`;
  }
  const method = cart.shipping_methods[0];
  if (step === "shipping" && method) {
    return `${method.shipping_option?.name ?? "Shipping"} · ${formatMoney(method.price, cart.region.currency_code)}`;
  }
  return null;
}

export function Checkout() {
  const { cart, cartLoading, cartError, refetchCart } = useCart();
  const [editing, setEditing] = useState<CheckoutStep | null>(null);
  if (cartLoading) return <Loading label="Loading your cart" />;
  if (cartError) return <ErrorState error={cartError} onRetry={refetchCart} title="Your cart could not be loaded" />;
  if (!cart || cart.items.length === 0) {
    return (
      <div className="py-16 text-center">
        <p className="text-zinc-600">Your cart is empty.</p>
        <Link to="/products" className="mt-4 inline-block text-brand underline">Continue shopping</Link>
      </div>
    );
  }
  const active = editing ?? checkoutStep(cart);
  const currency = cart.region.currency_code;
  return (
    <div className="grid gap-10 lg:grid-cols-[1fr_22rem]">
      <div className="space-y-6">
        <h1 className="text-2xl font-semibold">Checkout</h1>
        {CHECKOUT_STEPS.map((step) => {
          const done = isStepDone(cart, step) && step !== active;
          const reachable = step === active || isStepDone(cart, step);
          return (
            <section key={step} aria-label={TITLES[step]} className={`rounded-xl border p-5 ${step === active ? "border-brand" : "border-zinc-200"}`}>
              <div className="flex items-center justify-between">
                <h2 className={`font-semibold ${reachable ? "" : "text-zinc-400"}`}>
                  {TITLES[step]} {done && <Check className="inline size-4 text-green-600" aria-label="done" />}
                </h2>
                {done && (
                  <button type="button" onClick={() => setEditing(step)} className="inline-flex items-center gap-1 text-sm text-brand">
                    <Pencil className="size-3.5" aria-hidden /> Edit
                  </button>
                )}
              </div>
              {done && <p className="mt-2 text-sm text-zinc-600">{summary(cart, step)}</p>}
              {step === active && (
                <div className="mt-4">
                  {step === "address" && <AddressStep cart={cart} onDone={() => setEditing(null)} />}
                  {step === "shipping" && <ShippingStep cart={cart} onDone={() => setEditing(null)} />}
                  {step === "review" && <ReviewStep cart={cart} />}
                </div>
              )}
            </section>
          );
        })}
      </div>
      <aside className="h-fit rounded-xl bg-zinc-50 p-5">
        <h2 className="mb-3 font-semibold">Order summary</h2>
        <OrderLines items={cart.items} currency={currency} />
        <div className="mt-4">
          <Totals totals={cart} currency={currency} />
        </div>
      </aside>
    </div>
  );
}
