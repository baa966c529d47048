// Every gateway call the dashboard makes, typed from the OpenAPI-generated schema.
import { request } from "./client";
import type {
  AuditPage,
  Engine,
  Overview,
  Phase,
  Store,
  StoreCreate,
  StoreCredentials,
  StoreEvents,
  StorePage,
  TenantPage,
  TokenResponse,
  User,
} from "./types";

export const auth = {
  login: (email: string, password: string) =>
    request<TokenResponse>("/auth/login", { method: "POST", body: { email, password }, anonymous: true }),
  register: (email: string, password: string, display_name?: string) =>
    request<TokenResponse>("/auth/register", {
      method: "POST",
      body: { email, password, ...(display_name ? { display_name } : {}) },
      anonymous: true,
    }),
  me: () => request<User>("/auth/me"),
};

const MAX_LIST_PAGES = 20;
const storePath = (id: string) => `/stores/${encodeURIComponent(id)}`;

export const stores = {
  /** Every store of the tenant, page by page (a tenant's quota keeps this short). */
  list: async (): Promise<StorePage> => {
    const items: Store[] = [];
    let cursor: string | null | undefined = null;
    for (let page = 0; page < MAX_LIST_PAGES; page += 1) {
      const found: StorePage = await request<StorePage>("/stores", { query: { limit: 100, continue: cursor } });
      items.push(...found.items);
      cursor = found.continue_token;
      if (!cursor) break;
    }
    return { items, continue_token: cursor ?? null };
  },
  get: (id: string) => request<Store>(storePath(id)),
  create: (body: StoreCreate) => request<Store>("/stores", { method: "POST", body }),
  remove: (id: string) => request<Store>(storePath(id), { method: "DELETE" }),
  retry: (id: string) => request<Store>(`${storePath(id)}/retry`, { method: "POST" }),
  events: (id: string) => request<StoreEvents>(`${storePath(id)}/events`),
  credentials: (id: string) => request<StoreCredentials>(`${storePath(id)}/credentials`),
  streamPath: (id: string) => `${storePath(id)}/stream`,
};

export interface AdminStoreFilters {
  phase?: Phase | "";
  engine?: Engine | "";
  tenant?: string;
  q?: string;
}

export interface AuditFilters {
  category?: "store" | "security" | "";
  type?: string;
  tenant?: string;
}

export const admin = {
  overview: () => request<Overview>("/admin/overview"),
  stores: (filters: AdminStoreFilters, cursor: string | null, limit = 25) =>
    request<StorePage>("/admin/stores", { query: { ...filters, continue: cursor, limit } }),
  tenants: (cursor: string | null, limit = 50) =>
    request<TenantPage>("/admin/tenants", { query: { continue_token: cursor, limit } }),
  audit: (filters: AuditFilters, limit = 200) => request<AuditPage>("/admin/audit", { query: { ...filters, limit } }),
};
