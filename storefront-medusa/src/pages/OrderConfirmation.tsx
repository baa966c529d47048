import { CheckCircle2 } from "lucide-react";
import { Link, useParams } from "react-router";
import { ErrorState, Loading } from "../components/status";
import { OrderLines, Totals } from "../components/Totals";
import { useOrder } from "../lib/hooks";

export function OrderConfirmation() {
  const { id = "" } = useParams();
  const order = useOrder(id);
  if (order.error) return <ErrorState error={order.error} onRetry={() => order.refetch()} title="Your order could not be loaded" />;
  if (!order.data) return <Loading label="Loading your order" />;
  const o = order.data;
  const a = o.shipping_address;
  const payment = o.payments[0];
  return (
    <div className="mx-auto max-w-2xl space-y-8">
      <div className="text-center">
        <CheckCircle2 className="mx-auto size-12 text-green-600" aria-hidden />
        <h1 className="mt-3 text-2xl font-semibold">Thank you for your order</h1>
        <p className="mt-1 text-zinc-600">
          Order <span data-testid="order-display-id" className="font-semibold">#{o.display_id}</span> · a confirmation goes to {o.email}
        </p>
      </div>
      <section>
        <h2 className="mb-2 font-semibold">Items</h2>
        <OrderLines items={o.items} currency={o.currency_code} />
        <div className="mt-4">
          <Totals totals={o} currency={o.currency_code} />
        </div>
      </section>
      <div className="grid gap-6 sm:grid-cols-2 text-sm">
        {a && (
          <section>
            <h2 className="mb-1 font-semibold">Shipping to</h2>
            <p data-testid="order-address">
              {a.first_name} {a.last_name}<br />
              {a.address_1}{a.address_2 ? `, ${a.address_2}` : ""}<br />
              {a.city} {a.province} {a.postal_code}<br />
              {a.country_code.toUpperCase()}
            </p>
          </section>
        )}
        <section>
          <h2 className="mb-1 font-semibold">Payment</h2>
          <p data-testid="order-payment">
            {payment?.provider_id === "manual" ? "Manual payment" : (payment?.provider_id ?? "—")} · {o.payment_status.replaceAll("_", " ")}
          </p>
          <p>Shipping: {o.shipping_methods.map((m) => m.shipping_option?.name).filter(Boolean).join(", ") || "—"}</p>
        </section>
      </div>
      <Link to="/products" className="block text-center text-brand underline">Continue shopping</Link>
    </div>
  );
}
