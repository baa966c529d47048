import { useQuery, useQueryClient } from "@tanstack/react-query";
import clsx from "clsx";
import { NavLink, Outlet, useNavigate } from "react-router-dom";
import { auth } from "../api/endpoints";
import { clearSession } from "../api/session";
import { useSession } from "../hooks/useSession";
import { Button, focusRing } from "./ui";

function Item({ to, children, end }: { to: string; children: string; end?: boolean }) {
  return (
    <NavLink
      to={to}
      end={end}
      className={({ isActive }) =>
        clsx(
          "rounded-md px-3 py-2 text-sm font-medium",
          focusRing,
          isActive ? "bg-indigo-50 text-indigo-800" : "text-slate-700 hover:bg-slate-100",
        )
      }
    >
      {children}
    </NavLink>
  );
}

export function Layout() {
  const session = useSession();
  const navigate = useNavigate();
  const client = useQueryClient();
  // Ask the gateway who we are on every page load: a token that expired or was revoked meanwhile
  // answers 401 here, which ends the session and returns to login even on pages that fetch nothing.
  useQuery({ queryKey: ["me"], queryFn: auth.me, staleTime: 60_000 });
  const logOut = () => {
    clearSession();
    client.clear();
    navigate("/login", { replace: true });
  };
  return (
    <div className="min-h-screen">
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2"
      >
        Skip to content
      </a>
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-4 gap-y-2 px-4 py-3">
          <span className="text-lg font-semibold text-indigo-800">storefleet</span>
          <nav aria-label="Main" className="flex flex-wrap gap-1">
            <Item to="/" end>
              My stores
            </Item>
            <Item to="/stores/new">New store</Item>
            {session?.user.role === "admin" && (
              <>
                <Item to="/admin" end>
                  Overview
                </Item>
                <Item to="/admin/stores">All stores</Item>
                <Item to="/admin/tenants">Tenants</Item>
                <Item to="/admin/audit">Audit log</Item>
              </>
            )}
          </nav>
          <div className="ml-auto flex items-center gap-3">
            <span className="max-w-[12rem] truncate text-sm text-slate-700" title={session?.user.email}>
              {session?.user.email}
            </span>
            <Button variant="secondary" onClick={logOut}>
              Log out
            </Button>
          </div>
        </div>
      </header>
      <main id="main" className="mx-auto max-w-6xl px-4 py-6">
        <Outlet />
      </main>
    </div>
  );
}
