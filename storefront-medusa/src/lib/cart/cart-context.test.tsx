import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { act, renderHook, waitFor } from "@testing-library/react";
import type { ReactNode } from "react";
import { beforeEach, describe, expect, it } from "vitest";
import { emptyCart, fakeApi } from "../../test/fakes";
import type { StoreApi } from "../api/store-api";
import { CartProvider, useCart } from "./cart-context";
import { CART_KEY } from "./storage";

function setup(api: StoreApi) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const wrapper = ({ children }: { children: ReactNode }) => (
    <QueryClientProvider client={client}>
      <CartProvider api={api}>{children}</CartProvider>
    </QueryClientProvider>
  );
  return renderHook(() => useCart(), { wrapper });
}

describe("the cart provider", () => {
  beforeEach(() => window.localStorage.clear());

  it("creates a cart on the first add and remembers its id", async () => {
    const fake = fakeApi();
    const { result } = setup(fake.api);
    await waitFor(() => expect(result.current.region?.id).toBe("reg_us"));
    await act(() => result.current.addItem("variant_1", 2));
    const id = window.localStorage.getItem(CART_KEY);
    expect(id).toBe("cart_1");
    expect(result.current.cart?.items.map((i) => i.quantity)).toEqual([2]);
  });

  it("rehydrates the cart whose id is in localStorage", async () => {
    const carts = new Map([["cart_saved", { ...emptyCart("cart_saved"), email: "a@b.c" }]]);
    window.localStorage.setItem(CART_KEY, "cart_saved");
    const { result } = setup(fakeApi(carts).api);
    await waitFor(() => expect(result.current.cart?.email).toBe("a@b.c"));
  });

  it.each([
    ["completed", (carts: Map<string, ReturnType<typeof emptyCart>>) => carts.set("cart_old", { ...emptyCart("cart_old"), completed_at: "2026-01-01" })],
    ["gone (404)", () => undefined],
  ])("forgets a %s cart and starts a fresh one on the next add", async (_name, prepare) => {
    const carts = new Map<string, ReturnType<typeof emptyCart>>();
    prepare(carts);
    window.localStorage.setItem(CART_KEY, "cart_old");
    const fake = fakeApi(carts);
    const { result } = setup(fake.api);
    await waitFor(() => expect(window.localStorage.getItem(CART_KEY)).toBeNull());
    expect(result.current.cart).toBeNull();
    await act(() => result.current.addItem("variant_1", 1));
    expect(window.localStorage.getItem(CART_KEY)).not.toBe("cart_old");
    expect(result.current.cart?.items).toHaveLength(1);
  });

  it("changes quantities and removes lines without overlapping writes", async () => {
    const fake = fakeApi();
    const { result } = setup(fake.api);
    await waitFor(() => expect(result.current.region).not.toBeNull());
    await act(() => result.current.addItem("variant_1", 1));
    const line = result.current.cart!.items[0]!.id;
    await act(async () => {
      await Promise.all([result.current.updateItem(line, 3), result.current.addItem("variant_2", 1), result.current.removeItem(line)]);
    });
    // React Query notifies on its own tick, after act() returns.
    await waitFor(() => expect(result.current.cart?.items.map((i) => i.variant_id)).toEqual(["variant_2"]));
    expect(fake.maxActive()).toBe(1);
  });
});
