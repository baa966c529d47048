// A small typed client over fetch for Medusa's Store API v1. Same origin by default: the storefront's
// server (nginx in the image, the Ingress in a cluster) routes /store to Medusa.

export class MedusaError extends Error {
  readonly status: number;
  readonly type: string | undefined;
  readonly code: string | undefined;

  constructor(status: number, message: string, type?: string, code?: string) {
    super(message);
    this.name = "MedusaError";
    this.status = status;
    this.type = type;
    this.code = code;
  }

  /** Worth trying again as is: the server or the network failed, not the request. */
  get retryable(): boolean {
    return this.status === 0 || this.status === 408 || this.status === 429 || this.status >= 500;
  }
}

export type Query = Record<string, string | number | boolean | string[] | undefined>;

/** Medusa v1 rejects unknown query keys (400); array filters are spelled `key[]=a&key[]=b`. */
export function toSearch(query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === "") continue;
    if (Array.isArray(value)) {
      for (const item of value) params.append(`${key}[]`, item);
    } else {
      params.append(key, String(value));
    }
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

export interface Client {
  get<T>(path: string, query?: Query): Promise<T>;
  post<T>(path: string, body?: unknown): Promise<T>;
  del<T>(path: string): Promise<T>;
}

export function createClient(baseUrl = "", fetchImpl: typeof fetch = (...args) => fetch(...args)): Client {
  async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetchImpl(`${baseUrl}${path}`, {
        method,
        credentials: "include",
        headers: body === undefined ? { accept: "application/json" } : { accept: "application/json", "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new MedusaError(0, "The store could not be reached. Check your connection and try again.");
    }
    const text = await response.text();
    let data: unknown = undefined;
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        data = undefined;
      }
    }
    if (!response.ok) {
      const err = (data ?? {}) as { message?: string; type?: string; code?: string };
      const message =
        response.status >= 500
          ? "The store is having trouble right now. Please try again."
          : err.message || `Request failed (${response.status})`;
      throw new MedusaError(response.status, message, err.type, err.code);
    }
    return data as T;
  }
  return {
    get: (path, query) => request("GET", `${path}${toSearch(query)}`),
    post: (path, body) => request("POST", path, body ?? {}),
    del: (path) => request("DELETE", path),
  };
}
