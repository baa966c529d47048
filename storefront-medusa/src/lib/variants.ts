import type { Product, Variant } from "./api/types";

export type Selection = Record<string, string>;

/** The variant whose option values match every selected option (option_id → value). */
export function findVariant(product: Product, selection: Selection): Variant | undefined {
  return product.variants.find((v) => product.options.every((o) => v.options.find((vo) => vo.option_id === o.id)?.value === selection[o.id]));
}

export function selectionOf(variant: Variant | undefined): Selection {
  return Object.fromEntries((variant?.options ?? []).map((o) => [o.option_id, o.value]));
}

/** Distinct values of an option, in the order they first appear. */
export function optionValues(product: Product, optionId: string): string[] {
  const option = product.options.find((o) => o.id === optionId);
  return [...new Set((option?.values ?? []).map((v) => v.value))];
}
