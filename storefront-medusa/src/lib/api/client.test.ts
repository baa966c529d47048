import { describe, expect, it, vi } from "vitest";
import { createClient, MedusaError, toSearch } from "./client";
import { storeApi } from "./store-api";

function recordingFetch(status = 200, body: unknown = {}) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fn = vi.fn(async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return new Response(body === undefined ? "" : JSON.stringify(body), { status });
  });
  return { fn: fn as unknown as typeof fetch, calls };
}

describe("toSearch", () => {
  it.each([
    ["empty", {}, ""],
    ["array filters use key[]", { collection_id: ["a", "b"] }, "?collection_id%5B%5D=a&collection_id%5B%5D=b"],
    ["undefined and empty values are left out (unknown keys are a 400)", { q: "", region_id: undefined, limit: 4 }, "?limit=4"],
  ])("%s", (_name, query, expected) => {
    expect(toSearch(query)).toBe(expected);
  });
});

describe("the Store API client", () => {
  it("calls its own origin and sends JSON", async () => {
    const { fn, calls } = recordingFetch(200, { cart: { id: "cart_1" } });
    const api = storeApi(createClient("", fn));
    await api.addLineItem("cart_1", "variant_1", 2);
    expect(calls[0]!.url).toBe("/store/carts/cart_1/line-items");
    expect(calls[0]!.init.method).toBe("POST");
    expect(JSON.parse(calls[0]!.init.body as string)).toEqual({ variant_id: "variant_1", quantity: 2 });
  });

  it("asks for a cart's shipping options by path, never by ?cart_id=", async () => {
    const { fn, calls } = recordingFetch(200, { shipping_options: [] });
    await storeApi(createClient("", fn)).shippingOptions("cart_1");
    expect(calls[0]!.url).toBe("/store/shipping-options/cart_1");
  });

  it("finds a product by handle through the list endpoint, in the region's prices", async () => {
    const { fn, calls } = recordingFetch(200, { products: [{ id: "prod_1", handle: "tee" }] });
    const product = await storeApi(createClient("", fn)).productByHandle("tee", "reg_1");
    expect(product?.id).toBe("prod_1");
    expect(calls[0]!.url).toBe("/store/products?handle=tee&region_id=reg_1&limit=1");
  });

  it("sorts with the order values Medusa accepts", async () => {
    const { fn, calls } = recordingFetch(200, { products: [], count: 0, offset: 0, limit: 8 });
    await storeApi(createClient("", fn)).listProducts({ q: " tee ", sort: "title-desc", limit: 8, offset: 8, regionId: "reg_1" });
    expect(calls[0]!.url).toBe("/store/products?q=tee&order=-title&limit=8&offset=8&region_id=reg_1");
  });

  it("turns a 4xx into an error carrying Medusa's message, not worth retrying", async () => {
    const { fn } = recordingFetch(400, { type: "invalid_data", message: "Shipping country must be in the cart region" });
    const err = await storeApi(createClient("", fn)).retrieveCart("c").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MedusaError);
    expect((err as MedusaError).message).toBe("Shipping country must be in the cart region");
    expect((err as MedusaError).retryable).toBe(false);
  });

  it("turns a 5xx or a network failure into a retryable error a shopper can read", async () => {
    const server = await createClient("", recordingFetch(503, { message: "stack trace here" }).fn).get("/store/regions").catch((e: unknown) => e);
    expect((server as MedusaError).retryable).toBe(true);
    expect((server as MedusaError).message).not.toContain("stack trace");
    const offline = vi.fn(async () => { throw new TypeError("Failed to fetch"); }) as unknown as typeof fetch;
    const network = await createClient("", offline).get("/store/regions").catch((e: unknown) => e);
    expect((network as MedusaError).status).toBe(0);
    expect((network as MedusaError).retryable).toBe(true);
  });
});
