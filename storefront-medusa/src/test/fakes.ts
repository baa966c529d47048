// A stateful in-memory stand-in for the Store API calls the cart uses, recording the order of calls.
import type { StoreApi } from "../lib/api/store-api";
import type { Cart, CompleteCartResponse, Order, Region } from "../lib/api/types";
import { MedusaError } from "../lib/api/client";

export const REGION: Region = { id: "reg_us", name: "US", currency_code: "usd", countries: [{ iso_2: "us", display_name: "United States" }] };

export function emptyCart(id: string): Cart {
  return {
    id, email: null, region_id: REGION.id, region: REGION, items: [], shipping_address: null, shipping_methods: [],
    payment_sessions: [], payment_session: null, completed_at: null,
    subtotal: 0, shipping_total: 0, discount_total: 0, tax_total: 0, total: 0,
  };
}

export function fakeApi(carts: Map<string, Cart> = new Map()) {
  const calls: string[] = [];
  let active = 0;
  let maxActive = 0;
  let next = 1;
  const track = async <T,>(name: string, fn: () => T): Promise<T> => {
    calls.push(name);
    active += 1;
    maxActive = Math.max(maxActive, active);
    await new Promise((r) => setTimeout(r, 5));
    active -= 1;
    return fn();
  };
  const cart = (id: string) => {
    const c = carts.get(id);
    if (!c) throw new MedusaError(404, "Cart not found", "not_found");
    return c;
  };
  const save = (c: Cart) => {
    c.subtotal = c.items.reduce((n, i) => n + i.unit_price * i.quantity, 0);
    c.total = c.subtotal + c.shipping_total;
    carts.set(c.id, c);
    return structuredClone(c);
  };
  const api = {
    listRegions: () => track("listRegions", () => [REGION]),
    createCart: () => track("createCart", () => save(emptyCart(`cart_${next++}`))),
    retrieveCart: (id: string) => track("retrieveCart", () => structuredClone(cart(id))),
    addLineItem: (id: string, variantId: string, quantity: number) =>
      track("addLineItem", () => {
        const c = cart(id);
        c.items.push({ id: `item_${next++}`, title: variantId, description: null, thumbnail: null, variant_id: variantId, quantity, unit_price: 1000 });
        return save(c);
      }),
    updateLineItem: (id: string, lineId: string, quantity: number) =>
      track("updateLineItem", () => {
        const c = cart(id);
        c.items = c.items.map((i) => (i.id === lineId ? { ...i, quantity } : i)).filter((i) => i.quantity > 0);
        return save(c);
      }),
    removeLineItem: (id: string, lineId: string) =>
      track("removeLineItem", () => {
        const c = cart(id);
        c.items = c.items.filter((i) => i.id !== lineId);
        return save(c);
      }),
    createPaymentSessions: (id: string) =>
      track("createPaymentSessions", () => {
        const c = cart(id);
        if (c.payment_sessions.length) throw new MedusaError(422, "Payment_session already exists.", "duplicate_error");
        c.payment_sessions = [{ id: "ps_1", provider_id: "manual", is_selected: true, status: "pending" }];
        c.payment_session = c.payment_sessions[0]!;
        return save(c);
      }),
    selectPaymentSession: (id: string, provider: string) =>
      track("selectPaymentSession", () => {
        const c = cart(id);
        c.payment_session = { id: "ps_1", provider_id: provider, is_selected: true, status: "pending" };
        return save(c);
      }),
    completeCart: (id: string) =>
      track("completeCart", (): CompleteCartResponse => {
        const c = cart(id);
        if (!c.payment_session) throw new MedusaError(400, "You cannot complete a cart without a payment session.");
        c.completed_at = new Date(0).toISOString();
        const order = { id: `order_${id}`, display_id: 7, items: c.items, total: c.total } as unknown as Order;
        return { type: "order", data: order };
      }),
  };
  return { api: api as unknown as StoreApi, calls, carts, maxActive: () => maxActive };
}
