// Prices arrive in the smallest unit of the region's currency; Intl knows how many decimals it has.
const formatters = new Map<string, Intl.NumberFormat>();

function formatter(currency: string): Intl.NumberFormat {
  const key = currency.toUpperCase();
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.NumberFormat(undefined, { style: "currency", currency: key });
    formatters.set(key, f);
  }
  return f;
}

export function formatMoney(amount: number | null | undefined, currency: string): string {
  const f = formatter(currency);
  const digits = f.resolvedOptions().maximumFractionDigits ?? 2;
  return f.format((amount ?? 0) / 10 ** digits);
}

import type { Product, Variant } from "./api/types";

/** The variant's price in the region: the calculated price when Medusa computed one, else the list price. */
export function variantPrice(variant: Variant, currency: string): number | null {
  if (typeof variant.calculated_price === "number") return variant.calculated_price;
  const price = variant.prices.find((p) => p.currency_code.toLowerCase() === currency.toLowerCase());
  return price ? price.amount : null;
}

/** The lowest variant price of a product in the region ("from $24.99"). */
export function cheapestPrice(product: Product, currency: string): number | null {
  const prices = product.variants.map((v) => variantPrice(v, currency)).filter((p): p is number => p !== null);
  return prices.length ? Math.min(...prices) : null;
}
