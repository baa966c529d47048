import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { clearSession, readSession } from "../api/session";
import type { Store } from "../api/types";
import { json, logIn, renderAt, stubGateway } from "../test/render";

const hostile = "<img src=x onerror=alert(1)>";

function store(overrides: Partial<Store> = {}): Store {
  return {
    id: "shop",
    name: "shop",
    tenant: "alice",
    engine: "woocommerce",
    display_name: "Shop",
    phase: "Provisioning",
    ready: "Unknown",
    deleting: false,
    steps: [
      { name: "namespace", state: "Succeeded", duration_ms: 1200 },
      { name: "release", state: "Running" },
      { name: "engine-setup", state: "Pending" },
    ],
    conditions: [],
    created_at: new Date().toISOString(),
    ...overrides,
  };
}

beforeEach(() => {
  clearSession();
});

describe("store list", () => {
  it("shows phase, progress, engine and user text as text", async () => {
    logIn();
    stubGateway((url) => (url.pathname === "/api/v1/stores" ? json({ items: [store({ display_name: hostile })] }) : undefined));
    renderAt("/");
    const row = await screen.findByTestId("store-row");
    expect(within(row).getByText(hostile)).toBeInTheDocument();
    expect(row.querySelector("img")).toBeNull();
    expect(within(row).getByText("Provisioning")).toBeInTheDocument();
    expect(within(row).getByText("step 2 of 3")).toBeInTheDocument();
    expect(within(row).getByText("WooCommerce")).toBeInTheDocument();
  });

  it("badges simulated stores only", async () => {
    logIn();
    const stores = [store({ id: "sim", simulated: true, phase: "Ready" }), store({ id: "real", simulated: false, phase: "Ready" })];
    stubGateway((url) => (url.pathname === "/api/v1/stores" ? json({ items: stores }) : undefined));
    renderAt("/");
    const rows = await screen.findAllByTestId("store-row");
    const row = (id: string): HTMLElement => rows.find((r) => r.dataset.store === id) ?? document.body;
    expect(within(row("sim")).getByTestId("simulated")).toHaveAccessibleName(/nothing is served/);
    expect(within(row("real")).getByText("Ready")).toBeInTheDocument();
    expect(within(row("real")).queryByTestId("simulated")).toBeNull();
  });

  it("says so when there are no stores", async () => {
    logIn();
    stubGateway((url) => (url.pathname === "/api/v1/stores" ? json({ items: [] }) : undefined));
    renderAt("/");
    expect(await screen.findByText("You have no stores yet.")).toBeInTheDocument();
  });

  it("shows the gateway's reason when the list cannot load", async () => {
    logIn();
    stubGateway(() => json({ detail: "the cluster API is unreachable right now" }, 503));
    renderAt("/");
    expect(await screen.findByText("the cluster API is unreachable right now")).toBeInTheDocument();
  });
});

describe("sessions", () => {
  it("sends a visitor without a session to login, remembering the page", async () => {
    stubGateway();
    renderAt("/stores/shop");
    expect(await screen.findByRole("heading", { name: "Log in" })).toBeInTheDocument();
    expect(screen.getByText("Log in to continue where you were.")).toBeInTheDocument();
  });

  it("ends the session on a 401 from any call", async () => {
    logIn();
    stubGateway(() => json({ detail: "your session has expired; log in again" }, 401));
    renderAt("/stores/shop");
    expect(await screen.findByRole("heading", { name: "Log in" })).toBeInTheDocument();
    expect(readSession()).toBeNull();
  });

  it("returns to the remembered page after logging in", async () => {
    stubGateway(
      (url) =>
        url.pathname === "/api/v1/auth/login"
          ? json({ access_token: "t", token_type: "bearer", expires_in: 60, user: { id: "u", email: "a@example.com", role: "tenant", tenant: "a", created_at: "2026-01-01T00:00:00Z" } })
          : undefined,
      (url) => (url.pathname === "/api/v1/stores/shop" ? json(store({ phase: "Ready", steps: [] })) : undefined),
      (url) => (url.pathname === "/api/v1/stores/shop/events" ? json({ events: [], history: [] }) : undefined),
    );
    renderAt("/login?next=%2Fstores%2Fshop");
    await userEvent.type(screen.getByLabelText("Email"), "a@example.com");
    await userEvent.type(screen.getByLabelText("Password"), "correct horse");
    await userEvent.click(screen.getByRole("button", { name: "Log in" }));
    expect(await screen.findByRole("heading", { name: "Shop" })).toBeInTheDocument();
  });

  it("never sends someone to another site after login", async () => {
    const { safeNext } = await import("../App");
    expect(safeNext("//evil.example/x")).toBeNull();
    expect(safeNext("https://evil.example")).toBeNull();
    expect(safeNext("/stores/shop?x=1")).toBe("/stores/shop?x=1");
  });
});

describe("create store", () => {
  it("checks the name before sending and shows the server's reason on the field", async () => {
    logIn();
    const calls = stubGateway((url, init) =>
      url.pathname === "/api/v1/stores" && init.method === "POST"
        ? json({ detail: "a store named 'coffee' exists already in your tenant; choose another name" }, 409)
        : undefined,
    );
    renderAt("/stores/new");
    const id = await screen.findByLabelText("Store id");
    await userEvent.type(id, "admin");
    expect(screen.getByText(/reserved for the platform/)).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Create store" }));
    expect(calls.filter((c) => c.init.method === "POST")).toHaveLength(0);
    await userEvent.clear(id);
    await userEvent.type(id, "coffee");
    await userEvent.click(screen.getByRole("button", { name: "Create store" }));
    expect(await screen.findByText(/exists already/)).toHaveAttribute("id", "name-error");
    expect(id).toHaveAttribute("aria-invalid", "true");
  });

  it("sends the engine's own options only", async () => {
    logIn();
    const calls = stubGateway((url, init) =>
      url.pathname === "/api/v1/stores" && init.method === "POST" ? json(store({ id: "tea", engine: "medusa" }), 202) : undefined,
    );
    renderAt("/stores/new");
    await userEvent.click(await screen.findByRole("radio", { name: "Medusa" }));
    await userEvent.click(screen.getByRole("switch", { name: "Storefront" }));
    await userEvent.type(screen.getByLabelText("Display name"), "Tea House");
    await userEvent.click(screen.getByRole("button", { name: "Create store" }));
    await waitFor(() => expect(calls.some((c) => c.init.method === "POST")).toBe(true));
    const sent = JSON.parse(calls.find((c) => c.init.method === "POST")?.init.body as string) as Record<string, unknown>;
    expect(sent).toEqual({ name: "tea-house", engine: "medusa", display_name: "Tea House", storefront: false });
  });

  it("counts down a cooldown", async () => {
    logIn();
    stubGateway((url, init) =>
      init.method === "POST" && url.pathname === "/api/v1/stores"
        ? json({ detail: "you created a store moments ago; wait 30 s" }, 429, { "Retry-After": "30" })
        : undefined,
    );
    renderAt("/stores/new");
    await userEvent.type(await screen.findByLabelText("Store id"), "coffee");
    await userEvent.click(screen.getByRole("button", { name: "Create store" }));
    expect(await screen.findByText(/You can create another in 30 s/)).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Wait 30 s" })).toBeDisabled();
  });

  it("retries a new tenant's 503 by itself, saying the account is being set up", async () => {
    logIn();
    vi.useFakeTimers({ shouldAdvanceTime: true });
    let attempts = 0;
    stubGateway(
      (url, init) => {
        if (init.method !== "POST" || url.pathname !== "/api/v1/stores") return undefined;
        attempts += 1;
        return attempts === 1
          ? json({ detail: "your tenant is still being set up" }, 503, { "Retry-After": "2" })
          : json(store({ id: "coffee" }), 202);
      },
      (url) => (url.pathname === "/api/v1/stores/coffee" ? json(store({ id: "coffee", display_name: "Coffee" })) : undefined),
      (url) => (url.pathname === "/api/v1/stores/coffee/events" ? json({ events: [], history: [] }) : undefined),
    );
    renderAt("/stores/new");
    await userEvent.type(await screen.findByLabelText("Store id"), "coffee");
    await userEvent.click(screen.getByRole("button", { name: "Create store" }));
    expect(await screen.findByText(/Setting up your account/)).toBeInTheDocument();
    await vi.advanceTimersByTimeAsync(2500);
    expect(await screen.findByRole("heading", { name: "Coffee" })).toBeInTheDocument();
    expect(attempts).toBe(2);
    vi.useRealTimers();
  });
});

describe("store detail", () => {
  it("shows each step's state, the URLs of a Medusa store with a storefront, and not-found", async () => {
    logIn();
    stubGateway(
      (url) =>
        url.pathname === "/api/v1/stores/tea"
          ? json(
              store({
                id: "tea",
                engine: "medusa",
                storefront: true,
                phase: "Ready",
                url: "http://tea.example",
                admin_url: "http://tea.example/app",
                storefront_url: "http://shop.tea.example",
                steps: [{ name: "release", state: "Succeeded", duration_ms: 3000 }],
              }),
            )
          : undefined,
      (url) => (url.pathname === "/api/v1/stores/tea/events" ? json({ events: [], history: [] }) : undefined),
    );
    renderAt("/stores/tea");
    expect(await screen.findByTestId("url-storefront")).toHaveTextContent("http://shop.tea.example");
    expect(screen.getByTestId("url-admin")).toHaveTextContent("http://tea.example/app");
    expect(screen.getByTestId("url-admin")).toHaveTextContent("admin REST API");
    expect(screen.getByText("Admin API")).toBeInTheDocument();
    expect(screen.getByTestId("step")).toHaveTextContent("(done)");
    expect(screen.getByTestId("step")).toHaveTextContent("3.0 s");
  });

  it("says not found for a store that is not yours", async () => {
    logIn();
    stubGateway(() => json({ detail: "no store named 'x' in your tenant" }, 404));
    renderAt("/stores/x");
    expect(await screen.findByText("This store was not found.")).toBeInTheDocument();
  });

  it("deletes only after the id is typed", async () => {
    logIn();
    const calls = stubGateway(
      (url, init) => (url.pathname === "/api/v1/stores/shop" && init.method === "DELETE" ? json(store({ deleting: true, phase: "Deleting" }), 202) : undefined),
      (url) => (url.pathname === "/api/v1/stores/shop" ? json(store({ phase: "Ready", steps: [] })) : undefined),
      (url) => (url.pathname === "/api/v1/stores/shop/events" ? json({ events: [], history: [] }) : undefined),
      (url) => (url.pathname === "/api/v1/stores" ? json({ items: [] }) : undefined),
    );
    renderAt("/stores/shop");
    await userEvent.click(await screen.findByRole("button", { name: "Delete store" }));
    const confirm = screen.getByRole("button", { name: "Delete for good" });
    expect(confirm).toBeDisabled();
    await userEvent.type(screen.getByLabelText("Store id"), "shop");
    await userEvent.click(confirm);
    await waitFor(() => expect(calls.some((c) => c.init.method === "DELETE")).toBe(true));
    expect(await screen.findByRole("heading", { name: "My stores" })).toBeInTheDocument();
  });
});
