import { describe, expect, it } from "vitest";
import { emptyCart, fakeApi } from "../../test/fakes";
import type { Cart, Variant } from "../api/types";
import { availableToAdd, checkoutStep, placeOrder } from "./checkout";
import { createSerialQueue } from "./serial";

const address = { first_name: "A", last_name: "L", address_1: "1 Main", city: "X", postal_code: "1", country_code: "us" };

describe("checkout step from the cart's own fields", () => {
  it.each<[string, Partial<Cart>, string]>([
    ["a new cart starts at the address", {}, "address"],
    ["an email alone is not enough", { email: "a@b.c" }, "address"],
    ["with email and address, shipping is next", { email: "a@b.c", shipping_address: address }, "shipping"],
    [
      "with a shipping method, review",
      { email: "a@b.c", shipping_address: address, shipping_methods: [{ id: "sm", shipping_option_id: "so", price: 500 }] },
      "review",
    ],
  ])("%s", (_name, fields, expected) => {
    expect(checkoutStep({ ...emptyCart("c"), ...fields })).toBe(expected);
  });
});

describe("stock", () => {
  const variant = (v: Partial<Variant>) => ({ inventory_quantity: 3, manage_inventory: true, allow_backorder: false, ...v }) as Variant;
  it.each<[string, Partial<Variant>, number, number]>([
    ["tracked stock less what is in the cart", {}, 1, 2],
    ["none left", { inventory_quantity: 0 }, 0, 0],
    ["backorders allowed", { inventory_quantity: 0, allow_backorder: true }, 0, Infinity],
    ["stock not tracked", { inventory_quantity: 0, manage_inventory: false }, 0, Infinity],
  ])("%s", (_name, fields, inCart, expected) => {
    expect(availableToAdd(variant(fields), inCart)).toBe(expected);
  });
});

describe("placing an order", () => {
  it("makes payment sessions, selects manual and completes, one call after another", async () => {
    const fake = fakeApi();
    const cart = await fake.api.createCart("reg_us");
    await fake.api.addLineItem(cart.id, "v", 2);
    fake.calls.length = 0;
    const order = await placeOrder(fake.api, createSerialQueue(), cart.id);
    expect(order.display_id).toBe(7);
    expect(fake.calls).toEqual(["retrieveCart", "createPaymentSessions", "completeCart"]);
    expect(fake.maxActive()).toBe(1);
  });

  it("continues where a failed attempt stopped instead of making the sessions twice", async () => {
    const fake = fakeApi();
    const cart = await fake.api.createCart("reg_us");
    await fake.api.createPaymentSessions(cart.id);
    fake.calls.length = 0;
    await placeOrder(fake.api, createSerialQueue(), cart.id);
    expect(fake.calls).toEqual(["retrieveCart", "completeCart"]);
  });

  it("never overlaps two clicks on Place order", async () => {
    const fake = fakeApi();
    const cart = await fake.api.createCart("reg_us");
    const queue = createSerialQueue();
    const results = await Promise.allSettled([placeOrder(fake.api, queue, cart.id), placeOrder(fake.api, queue, cart.id)]);
    expect(fake.maxActive()).toBe(1);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected"]);
    expect(fake.calls.filter((c) => c === "createPaymentSessions")).toHaveLength(1);
  });
});

describe("the serial queue", () => {
  it("runs tasks in order and keeps going after a failure", async () => {
    const queue = createSerialQueue();
    const seen: number[] = [];
    const slow = (n: number, ms: number) => () => new Promise<number>((r) => setTimeout(() => { seen.push(n); r(n); }, ms));
    const failing = queue.run(async () => { throw new Error("boom"); });
    const [a, b] = await Promise.all([queue.run(slow(1, 20)), queue.run(slow(2, 1))]);
    await expect(failing).rejects.toThrow("boom");
    expect([a, b, seen]).toEqual([1, 2, [1, 2]]);
  });
});
