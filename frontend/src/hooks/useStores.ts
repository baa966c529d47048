// Server state of stores: TanStack Query owns it; components only read these hooks.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { ApiError } from "../api/client";
import { stores } from "../api/endpoints";
import { followStream } from "../api/stream";
import type { Store, StoreCreate } from "../api/types";

const SETTLED = new Set(["Ready", "Failed"]);

export const storeKeys = {
  all: ["stores"] as const,
  one: (id: string) => ["stores", "one", id] as const,
  events: (id: string) => ["stores", "events", id] as const,
};

/** Live list: polls every 2 s while any store is still changing, every 15 s otherwise. */
export function useStoreList() {
  return useQuery({
    queryKey: storeKeys.all,
    queryFn: () => stores.list(),
    refetchInterval: (query) =>
      query.state.data?.items.some((store) => !SETTLED.has(store.phase) || store.deleting) ? 2000 : 15000,
  });
}

export function useStore(id: string) {
  return useQuery({
    queryKey: storeKeys.one(id),
    queryFn: () => stores.get(id),
    retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
  });
}

export function useStoreEvents(id: string, enabled: boolean) {
  return useQuery({ queryKey: storeKeys.events(id), queryFn: () => stores.events(id), enabled });
}

/**
 * Follow the store's SSE progress stream while it is not settled, writing each status into the
 * query cache, so every view of the store updates without a reload. Reconnects after a few
 * seconds if the stream ends before the store settles (the gateway caps a stream's lifetime).
 */
export function useStoreStream(id: string, phase: Store["phase"] | undefined, deleting: boolean) {
  const client = useQueryClient();
  const follow = phase !== undefined && (!SETTLED.has(phase) || deleting);
  useEffect(() => {
    if (!follow) return;
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = () => {
      followStream(
        stores.streamPath(id),
        (message) => {
          if (message.event === "status") {
            client.setQueryData(storeKeys.one(id), JSON.parse(message.data) as Store);
            void client.invalidateQueries({ queryKey: storeKeys.events(id) });
          } else if (message.event === "deleted") {
            void client.invalidateQueries({ queryKey: storeKeys.one(id) });
          }
        },
        controller.signal,
      )
        .catch(() => undefined)
        .finally(() => {
          if (controller.signal.aborted) return;
          // The stream ended (settled, timed out or failed): re-read the store; if it is still
          // moving, the effect runs again with the new phase or this timer reconnects.
          void client.invalidateQueries({ queryKey: storeKeys.one(id) });
          timer = setTimeout(run, 3000);
        });
    };
    run();
    return () => {
      controller.abort();
      if (timer) clearTimeout(timer);
    };
  }, [id, follow, client]);
}

export function useCreateStore() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: StoreCreate) => stores.create(body),
    onSuccess: () => client.invalidateQueries({ queryKey: storeKeys.all }),
  });
}

export function useDeleteStore(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => stores.remove(id),
    onSuccess: (store) => {
      client.setQueryData(storeKeys.one(id), store);
      return client.invalidateQueries({ queryKey: storeKeys.all });
    },
  });
}

export function useRetryStore(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => stores.retry(id),
    onSuccess: (store) => client.setQueryData(storeKeys.one(id), store),
  });
}
