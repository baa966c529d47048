// The cart id survives reloads in localStorage (Medusa's v1 starter keeps it in a cookie; this SPA has
// no server of its own to read one).
export const CART_KEY = "storefleet.cart_id";

export const cartStorage = {
  get(): string | null {
    try {
      return window.localStorage.getItem(CART_KEY);
    } catch {
      return null;
    }
  },
  set(id: string): void {
    try {
      window.localStorage.setItem(CART_KEY, id);
    } catch {
      /* private mode: the cart lives for this page only */
    }
  },
  clear(): void {
    try {
      window.localStorage.removeItem(CART_KEY);
    } catch {
      /* nothing stored */
    }
  },
};
