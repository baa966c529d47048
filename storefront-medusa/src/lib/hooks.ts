// Data hooks: components ask for data here and never call fetch themselves.
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import type { ProductSort } from "./api/store-api";
import { useCart } from "./cart/cart-context";

export function useProducts(query: { q?: string; collectionIds?: string[]; sort?: ProductSort; limit: number; offset: number }) {
  const { api, region } = useCart();
  return useQuery({
    queryKey: ["products", region?.id, query],
    enabled: !!region,
    queryFn: () => api.listProducts({ ...query, regionId: region!.id }),
    placeholderData: keepPreviousData,
  });
}

export function useProduct(handle: string) {
  const { api, region } = useCart();
  return useQuery({
    queryKey: ["product", region?.id, handle],
    enabled: !!region,
    queryFn: () => api.productByHandle(handle, region!.id),
  });
}

export function useCollections() {
  const { api } = useCart();
  return useQuery({ queryKey: ["collections"], queryFn: () => api.listCollections(), staleTime: 60_000 });
}

export function useCollection(handle: string) {
  const { api } = useCart();
  return useQuery({ queryKey: ["collection", handle], queryFn: () => api.collectionByHandle(handle) });
}

export function useShippingOptions(cartId: string | undefined, addressKey: string) {
  const { api } = useCart();
  return useQuery({
    queryKey: ["shipping-options", cartId, addressKey],
    enabled: !!cartId,
    queryFn: () => api.shippingOptions(cartId!),
  });
}

export function useOrder(id: string) {
  const { api } = useCart();
  return useQuery({ queryKey: ["order", id], queryFn: () => api.retrieveOrder(id) });
}
