// Every Store API v1 call the storefront makes (the role of lib/data in Medusa's v1 starter).
import { type Client, createClient } from "./client";
import type {
  Address,
  Cart,
  Collection,
  CompleteCartResponse,
  ListResponse,
  Order,
  Product,
  Region,
  ShippingOption,
} from "./types";

/** Sort orders Medusa accepts for /store/products (others give a 400); price is sorted on the client. */
export const PRODUCT_SORTS = {
  newest: "-created_at",
  oldest: "created_at",
  "title-asc": "title",
  "title-desc": "-title",
} as const;
export type ProductSort = keyof typeof PRODUCT_SORTS;

export interface ProductQuery {
  q?: string;
  collectionIds?: string[];
  sort?: ProductSort;
  limit: number;
  offset: number;
  regionId: string;
}

export function storeApi(client: Client = createClient()) {
  return {
    listRegions: () => client.get<{ regions: Region[] }>("/store/regions", { limit: 100 }).then((r) => r.regions),

    listProducts: (query: ProductQuery) =>
      client.get<ListResponse & { products: Product[] }>("/store/products", {
        q: query.q?.trim() || undefined,
        collection_id: query.collectionIds?.length ? query.collectionIds : undefined,
        order: PRODUCT_SORTS[query.sort ?? "newest"],
        limit: query.limit,
        offset: query.offset,
        region_id: query.regionId,
      }),

    /** v1 retrieves by id only; a handle goes through the list endpoint. */
    productByHandle: async (handle: string, regionId: string) => {
      const { products } = await client.get<{ products: Product[] }>("/store/products", {
        handle,
        region_id: regionId,
        limit: 1,
      });
      return products[0] ?? null;
    },

    listCollections: () =>
      client
        .get<ListResponse & { collections: Collection[] }>("/store/collections", { limit: 100, offset: 0 })
        .then((r) => r.collections),

    collectionByHandle: async (handle: string) => {
      const { collections } = await client.get<{ collections: Collection[] }>("/store/collections", {
        handle: [handle],
        limit: 1,
      });
      return collections[0] ?? null;
    },

    createCart: (regionId: string) => client.post<{ cart: Cart }>("/store/carts", { region_id: regionId }).then((r) => r.cart),
    retrieveCart: (id: string) => client.get<{ cart: Cart }>(`/store/carts/${encodeURIComponent(id)}`).then((r) => r.cart),
    addLineItem: (cartId: string, variantId: string, quantity: number) =>
      client
        .post<{ cart: Cart }>(`/store/carts/${encodeURIComponent(cartId)}/line-items`, { variant_id: variantId, quantity })
        .then((r) => r.cart),
    updateLineItem: (cartId: string, lineId: string, quantity: number) =>
      client
        .post<{ cart: Cart }>(`/store/carts/${encodeURIComponent(cartId)}/line-items/${encodeURIComponent(lineId)}`, { quantity })
        .then((r) => r.cart),
    removeLineItem: (cartId: string, lineId: string) =>
      client
        .del<{ cart: Cart }>(`/store/carts/${encodeURIComponent(cartId)}/line-items/${encodeURIComponent(lineId)}`)
        .then((r) => r.cart),

    updateContact: (cartId: string, email: string, address: Address) =>
      client
        .post<{ cart: Cart }>(`/store/carts/${encodeURIComponent(cartId)}`, {
          email,
          shipping_address: address,
          billing_address: address,
        })
        .then((r) => r.cart),
    /** The cart's options: /store/shipping-options/{cart_id} (a `?cart_id=` query is a 400 in v1). */
    shippingOptions: (cartId: string) =>
      client
        .get<{ shipping_options: ShippingOption[] }>(`/store/shipping-options/${encodeURIComponent(cartId)}`)
        .then((r) => r.shipping_options),
    addShippingMethod: (cartId: string, optionId: string) =>
      client
        .post<{ cart: Cart }>(`/store/carts/${encodeURIComponent(cartId)}/shipping-methods`, { option_id: optionId })
        .then((r) => r.cart),
    createPaymentSessions: (cartId: string) =>
      client.post<{ cart: Cart }>(`/store/carts/${encodeURIComponent(cartId)}/payment-sessions`).then((r) => r.cart),
    selectPaymentSession: (cartId: string, providerId: string) =>
      client
        .post<{ cart: Cart }>(`/store/carts/${encodeURIComponent(cartId)}/payment-session`, { provider_id: providerId })
        .then((r) => r.cart),
    completeCart: (cartId: string) =>
      client.post<CompleteCartResponse>(`/store/carts/${encodeURIComponent(cartId)}/complete`),
    retrieveOrder: (id: string) => client.get<{ order: Order }>(`/store/orders/${encodeURIComponent(id)}`).then((r) => r.order),
  };
}

export type StoreApi = ReturnType<typeof storeApi>;
export const api: StoreApi = storeApi();
