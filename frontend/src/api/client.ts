// The one place the dashboard talks HTTP to the gateway. Every call sends the session's bearer
// token; a 401 from any call (the token expired or was revoked) ends the session and sends the
// person to the login page, remembering where they were.
import { clearSession, readSession } from "./session";

export const API = "/api/v1";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    /** Seconds from the Retry-After header (429, 423, 503), when the gateway sent one. */
    readonly retryAfter: number | null,
  ) {
    super(detail);
    this.name = "ApiError";
  }

  /** The form field a 4xx is about, when the gateway's sentence starts with "field: ...". */
  get field(): string | null {
    const match = /^([a-z_]+): /.exec(this.detail);
    return match?.[1] ?? null;
  }
}

type UnauthorizedHandler = () => void;
let onUnauthorized: UnauthorizedHandler = () => undefined;

/** The router registers how to go to the login page (it knows the current location). */
export function setUnauthorizedHandler(handler: UnauthorizedHandler): void {
  onUnauthorized = handler;
}

export interface RequestOptions {
  method?: "GET" | "POST" | "PATCH" | "DELETE";
  body?: unknown;
  query?: Record<string, string | number | undefined | null>;
  signal?: AbortSignal;
  /** Login and sign-up answer 401 for a wrong password: that is not an expired session. */
  anonymous?: boolean;
}

export function apiUrl(path: string, query?: RequestOptions["query"]): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== "") params.set(key, String(value));
  }
  const search = params.toString();
  return `${API}${path}${search ? `?${search}` : ""}`;
}

export function authHeaders(): Record<string, string> {
  const session = readSession();
  return session ? { Authorization: `Bearer ${session.token}` } : {};
}

export async function raiseForStatus(response: Response, anonymous = false): Promise<void> {
  if (response.ok) return;
  let detail = response.statusText || `HTTP ${response.status}`;
  try {
    const body = (await response.json()) as { detail?: unknown };
    if (typeof body.detail === "string") detail = body.detail;
  } catch {
    // not JSON: keep the status text
  }
  const retry = Number(response.headers.get("Retry-After"));
  if (response.status === 401 && !anonymous) {
    clearSession();
    onUnauthorized();
  }
  throw new ApiError(response.status, detail, Number.isFinite(retry) && retry > 0 ? retry : null);
}

export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json", ...authHeaders() };
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(apiUrl(path, options.query), {
    method: options.method ?? "GET",
    headers,
    body: options.body === undefined ? null : JSON.stringify(options.body),
    signal: options.signal ?? null,
    credentials: "omit",
    cache: "no-store",
  });
  await raiseForStatus(response, options.anonymous);
  return (await response.json()) as T;
}
