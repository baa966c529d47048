import { describe, expect, it } from "vitest";
import type { Variant } from "./api/types";
import { formatMoney, variantPrice } from "./money";

describe("prices", () => {
  it("formats the smallest currency unit in the region's currency", () => {
    expect(formatMoney(2499, "usd")).toMatch(/24\.99/);
    expect(formatMoney(2499, "eur")).toMatch(/24[.,]99/);
    expect(formatMoney(2499, "jpy")).toMatch(/2,?499/); // yen has no minor unit
  });

  it("prefers Medusa's calculated price, else the list price in the region's currency", () => {
    const variant = { prices: [{ currency_code: "eur", amount: 100 }, { currency_code: "usd", amount: 120 }] } as Variant;
    expect(variantPrice(variant, "usd")).toBe(120);
    expect(variantPrice({ ...variant, calculated_price: 90 }, "usd")).toBe(90);
    expect(variantPrice(variant, "gbp")).toBeNull();
  });
});
