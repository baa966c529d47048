// Render the real app routes at a URL with a fresh query client, and answer fetch from a table of
// canned gateway responses (jsdom has no gateway; the browser tier runs against the real one).
import { QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import { MemoryRouter } from "react-router-dom";
import { vi } from "vitest";
import { AppRoutes, newQueryClient } from "../App";
import { saveSession } from "../api/session";
import type { User } from "../api/types";

export type Route = (url: URL, init: RequestInit) => Response | undefined;

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json", ...headers } });
}

export const tenantUser: User = {
  id: "u1",
  email: "alice@example.com",
  role: "tenant",
  tenant: "alice",
  created_at: "2026-01-01T00:00:00Z",
};

export function logIn(user: User = tenantUser): void {
  saveSession({ access_token: "token-1", token_type: "bearer", expires_in: 3600, user });
}

/** Every fetch goes through `routes` in order; the first that answers wins; else a 404. */
export function stubGateway(...routes: Route[]) {
  const calls: { url: URL; init: RequestInit }[] = [];
  const fetchStub = vi.fn((input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = new URL(input instanceof Request ? input.url : input.toString(), "http://dashboard.test");
    calls.push({ url, init });
    for (const route of routes) {
      const answer = route(url, init);
      if (answer) return Promise.resolve(answer);
    }
    return Promise.resolve(json({ detail: "not found" }, 404));
  });
  vi.stubGlobal("fetch", fetchStub);
  return calls;
}

export function renderAt(path: string) {
  const client = newQueryClient();
  client.setDefaultOptions({ queries: { retry: false, staleTime: 0 } });
  return render(
    <QueryClientProvider client={client}>
      <MemoryRouter initialEntries={[path]}>
        <AppRoutes />
      </MemoryRouter>
    </QueryClientProvider>,
  );
}
