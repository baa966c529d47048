import { ShoppingBag } from "lucide-react";
import { Link, NavLink, Outlet } from "react-router";
import { config } from "../config";
import { useCart } from "../lib/cart/cart-context";
import { itemCount } from "../lib/cart/checkout";
import { CartDrawer } from "./CartDrawer";

export function Layout() {
  const { cart, setDrawerOpen } = useCart();
  const count = itemCount(cart);
  const nav = ({ isActive }: { isActive: boolean }) => (isActive ? "text-brand font-medium" : "text-zinc-600 hover:text-zinc-900");
  return (
    <div className="flex min-h-screen flex-col">
      <header className="sticky top-0 z-20 border-b border-zinc-200 bg-white/90 backdrop-blur">
        <div className="mx-auto flex h-16 max-w-6xl items-center justify-between px-4">
          <Link to="/" className="flex items-center gap-2 text-lg font-semibold text-brand" data-testid="store-name">
            {config.logoUrl ? <img src={config.logoUrl} alt={config.name} className="h-8 w-auto" /> : config.name}
          </Link>
          <nav className="flex items-center gap-6 text-sm">
            <NavLink to="/products" className={nav}>
              Shop
            </NavLink>
            <NavLink to="/collections" className={nav}>
              Collections
            </NavLink>
            <button
              type="button"
              onClick={() => setDrawerOpen(true)}
              className="relative inline-flex items-center gap-1 text-zinc-700 hover:text-zinc-900"
              aria-label={`Cart, ${count} ${count === 1 ? "item" : "items"}`}
            >
              <ShoppingBag className="size-5" aria-hidden />
              <span data-testid="cart-count" className="min-w-5 rounded-full bg-accent px-1.5 text-xs text-white">
                {count}
              </span>
            </button>
          </nav>
        </div>
      </header>
      <main className="mx-auto w-full max-w-6xl flex-1 px-4 py-8">
        <Outlet />
      </main>
      <footer className="border-t border-zinc-200 py-6 text-center text-xs text-zinc-500">{config.name}</footer>
      <CartDrawer />
    </div>
  );
}
