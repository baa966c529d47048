// Checkout decisions from the cart's own fields, as Medusa's v1 starter does: which step the shopper is
// on, whether a variant can be bought, and the order of calls that turns a cart into an order.
import type { StoreApi } from "../api/store-api";
import type { Cart, Order, Variant } from "../api/types";
import type { SerialQueue } from "./serial";

export type CheckoutStep = "address" | "shipping" | "review";
export const CHECKOUT_STEPS: CheckoutStep[] = ["address", "shipping", "review"];
export const MANUAL_PROVIDER = "manual";

/** The first step whose data the cart does not have yet. */
export function checkoutStep(cart: Cart): CheckoutStep {
  if (!cart.email || !cart.shipping_address?.address_1 || !cart.shipping_address.country_code) return "address";
  if (cart.shipping_methods.length === 0) return "shipping";
  return "review";
}

export function isStepDone(cart: Cart, step: CheckoutStep): boolean {
  return CHECKOUT_STEPS.indexOf(checkoutStep(cart)) > CHECKOUT_STEPS.indexOf(step);
}

/** How many of this variant the shopper may still add (Infinity when stock is not tracked). */
export function availableToAdd(variant: Variant, alreadyInCart = 0): number {
  if (!variant.manage_inventory || variant.allow_backorder) return Number.POSITIVE_INFINITY;
  return Math.max(0, variant.inventory_quantity - alreadyInCart);
}

export function itemCount(cart: Cart | null | undefined): number {
  return cart ? cart.items.reduce((n, item) => n + item.quantity, 0) : 0;
}

export class CheckoutError extends Error {}

/**
 * Payment sessions → select the manual provider → complete, strictly one call after another through
 * the cart's queue. Each call is skipped when the cart already has what it would make, so a retry after
 * a failure (or a double click) continues where the last attempt stopped.
 */
export async function placeOrder(api: StoreApi, queue: SerialQueue, cartId: string): Promise<Order> {
  return queue.run(async () => {
    let cart = await api.retrieveCart(cartId);
    if (cart.completed_at) {
      throw new CheckoutError("This cart was already turned into an order.");
    }
    if (cart.payment_sessions.length === 0) {
      cart = await api.createPaymentSessions(cartId);
    }
    if (cart.payment_session?.provider_id !== MANUAL_PROVIDER || !cart.payment_session.is_selected) {
      if (!cart.payment_sessions.some((s) => s.provider_id === MANUAL_PROVIDER)) {
        throw new CheckoutError("This store offers no manual payment in your region.");
      }
      cart = await api.selectPaymentSession(cartId, MANUAL_PROVIDER);
    }
    const result = await api.completeCart(cartId);
    if (result.type !== "order") {
      throw new CheckoutError("The payment was not authorized; the order was not placed. Please try again.");
    }
    return result.data;
  });
}
