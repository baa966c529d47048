import type { LineItem, Totals as TotalsShape } from "../lib/api/types";
import { formatMoney } from "../lib/money";

export function OrderLines({ items, currency }: { items: LineItem[]; currency: string }) {
  return (
    <ul className="divide-y divide-zinc-200 text-sm">
      {items.map((item) => (
        <li key={item.id} className="flex justify-between gap-2 py-2" data-testid="summary-line">
          <span>
            {item.title} <span className="text-zinc-500">{item.description}</span> × {item.quantity}
          </span>
          <span>{formatMoney(item.total ?? item.unit_price * item.quantity, currency)}</span>
        </li>
      ))}
    </ul>
  );
}

export function Totals({ totals, currency }: { totals: TotalsShape; currency: string }) {
  const row = (label: string, amount: number | null, testId?: string) => (
    <div className="flex justify-between">
      <dt>{label}</dt>
      <dd data-testid={testId}>{formatMoney(amount, currency)}</dd>
    </div>
  );
  return (
    <dl className="space-y-1 text-sm">
      {row("Subtotal", totals.subtotal)}
      {row("Shipping", totals.shipping_total)}
      {totals.discount_total > 0 && row("Discount", -totals.discount_total)}
      {(totals.tax_total ?? 0) > 0 && row("Taxes", totals.tax_total)}
      <div className="flex justify-between border-t border-zinc-200 pt-2 text-base font-semibold">
        <dt>Total</dt>
        <dd data-testid="total">{formatMoney(totals.total, currency)}</dd>
      </div>
    </dl>
  );
}
