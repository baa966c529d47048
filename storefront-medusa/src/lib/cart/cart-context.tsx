// The one cart provider: the cart id (localStorage), the cart itself (TanStack Query), the region
// prices are shown in, every cart write (serialized), and the drawer's open state, which the header
// and the product page share.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { createContext, type ReactNode, useCallback, useContext, useMemo, useRef, useState } from "react";
import { MedusaError } from "../api/client";
import { api as defaultApi, type StoreApi } from "../api/store-api";
import type { Cart, Region } from "../api/types";
import { createSerialQueue, type SerialQueue } from "./serial";
import { cartStorage } from "./storage";

interface CartContextValue {
  api: StoreApi;
  queue: SerialQueue;
  cart: Cart | null;
  cartLoading: boolean;
  cartError: Error | null;
  refetchCart: () => void;
  region: Region | null;
  regionError: Error | null;
  refetchRegion: () => void;
  addItem: (variantId: string, quantity: number) => Promise<Cart>;
  updateItem: (lineId: string, quantity: number) => Promise<Cart>;
  removeItem: (lineId: string) => Promise<Cart>;
  /** Runs a checkout write through the queue and stores the cart it returns. */
  updateCart: (write: (api: StoreApi, cartId: string) => Promise<Cart>) => Promise<Cart>;
  /** The cart became an order: forget it so the next add starts a fresh cart. */
  forgetCart: () => void;
  drawerOpen: boolean;
  setDrawerOpen: (open: boolean) => void;
}

const CartContext = createContext<CartContextValue | null>(null);

export function CartProvider({ children, api = defaultApi }: { children: ReactNode; api?: StoreApi }) {
  const client = useQueryClient();
  const queue = useRef(createSerialQueue()).current;
  const [cartId, setCartId] = useState<string | null>(() => cartStorage.get());
  const idRef = useRef(cartId);
  const [drawerOpen, setDrawerOpen] = useState(false);

  const rememberId = useCallback((id: string | null) => {
    idRef.current = id;
    if (id) cartStorage.set(id);
    else cartStorage.clear();
    setCartId(id);
  }, []);

  const cartQuery = useQuery({
    queryKey: ["cart", cartId],
    enabled: cartId !== null,
    queryFn: async () => {
      try {
        // Through the queue too: a read that overlapped a write could land after it and show the
        // cart as it was before the write.
        const cart = await queue.run(() => api.retrieveCart(cartId as string));
        // A cart that became an order cannot take new items: start afresh on the next add.
        if (cart.completed_at) {
          rememberId(null);
          return null;
        }
        return cart;
      } catch (err) {
        if (err instanceof MedusaError && err.status === 404) {
          rememberId(null);
          return null;
        }
        throw err;
      }
    },
  });
  const cart = cartId === null ? null : (cartQuery.data ?? null);

  const regionsQuery = useQuery({ queryKey: ["regions"], queryFn: () => api.listRegions(), staleTime: 5 * 60_000 });
  const region = cart?.region ?? regionsQuery.data?.[0] ?? null;

  const store = useCallback(
    (next: Cart) => {
      client.setQueryData(["cart", next.id], next);
      if (idRef.current !== next.id) rememberId(next.id);
      return next;
    },
    [client, rememberId],
  );

  const withCart = useCallback(
    (write: (api: StoreApi, cartId: string) => Promise<Cart>) =>
      queue.run(async () => {
        let id = idRef.current;
        if (!id) {
          const regionId = region?.id ?? (await api.listRegions())[0]?.id;
          if (!regionId) throw new Error("This store has no region to sell in yet.");
          id = store(await api.createCart(regionId)).id;
        }
        return store(await write(api, id));
      }),
    [api, queue, region?.id, store],
  );

  const value = useMemo<CartContextValue>(
    () => ({
      api,
      queue,
      cart,
      cartLoading: cartId !== null && cartQuery.isPending,
      cartError: cartQuery.error,
      refetchCart: () => void cartQuery.refetch(),
      region,
      regionError: regionsQuery.error,
      refetchRegion: () => void regionsQuery.refetch(),
      addItem: (variantId, quantity) => withCart((a, id) => a.addLineItem(id, variantId, quantity)),
      updateItem: (lineId, quantity) => withCart((a, id) => a.updateLineItem(id, lineId, quantity)),
      removeItem: (lineId) => withCart((a, id) => a.removeLineItem(id, lineId)),
      updateCart: withCart,
      forgetCart: () => {
        client.removeQueries({ queryKey: ["cart"] });
        rememberId(null);
      },
      drawerOpen,
      setDrawerOpen,
    }),
    [api, queue, cart, cartId, cartQuery, region, regionsQuery, withCart, client, rememberId, drawerOpen],
  );
  return <CartContext.Provider value={value}>{children}</CartContext.Provider>;
}

export function useCart(): CartContextValue {
  const value = useContext(CartContext);
  if (!value) throw new Error("useCart must be used inside <CartProvider>");
  return value;
}
