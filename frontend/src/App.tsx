import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { useEffect, useState, type ReactNode } from "react";
import { BrowserRouter, Navigate, Route, Routes, useLocation, useNavigate } from "react-router-dom";
import { ApiError, setUnauthorizedHandler } from "./api/client";
import { Layout } from "./components/Layout";
import { useSession } from "./hooks/useSession";
import { AuditPage } from "./pages/admin/AuditPage";
import { AdminStoresPage } from "./pages/admin/AdminStoresPage";
import { OverviewPage } from "./pages/admin/OverviewPage";
import { TenantsPage } from "./pages/admin/TenantsPage";
import { CreateStorePage } from "./pages/CreateStorePage";
import { LoginPage, SignupPage } from "./pages/AuthPages";
import { NotFoundPage } from "./pages/NotFoundPage";
import { StoreDetailPage } from "./pages/StoreDetailPage";
import { StoreListPage } from "./pages/StoreListPage";

export function newQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 2000,
        // 4xx answers are final (not found, forbidden): asking again would not change them.
        retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
      },
    },
  });
}

/** Where the login page should send someone back to: a path on this site, never another site. */
export function safeNext(next: string | null): string | null {
  return next && next.startsWith("/") && !next.startsWith("//") && !next.startsWith("/login") ? next : null;
}

function loginPath(location: { pathname: string; search: string }): string {
  const page = location.pathname + location.search;
  // The home page is where login goes anyway (admins: the overview), so it is not remembered.
  return page === "/" ? "/login" : `/login?next=${encodeURIComponent(page)}`;
}

/** A 401 from any call ends the session: go to login, remembering the page. */
function UnauthorizedRedirect() {
  const navigate = useNavigate();
  useEffect(() => {
    setUnauthorizedHandler(() => {
      const { pathname, search } = window.location;
      if (pathname !== "/login" && pathname !== "/signup") navigate(loginPath({ pathname, search }), { replace: true });
    });
  }, [navigate]);
  return null;
}

function RequireAuth({ admin = false, children }: { admin?: boolean; children: ReactNode }) {
  const session = useSession();
  const location = useLocation();
  if (!session || session.expiresAt <= Date.now()) return <Navigate to={loginPath(location)} replace />;
  if (admin && session.user.role !== "admin") return <NotFoundPage />;
  return children;
}

export function AppRoutes() {
  return (
    <>
      <UnauthorizedRedirect />
      <Routes>
        <Route path="/login" element={<LoginPage />} />
        <Route path="/signup" element={<SignupPage />} />
        <Route
          element={
            <RequireAuth>
              <Layout />
            </RequireAuth>
          }
        >
          <Route index element={<StoreListPage />} />
          <Route path="stores/new" element={<CreateStorePage />} />
          <Route path="stores/:id" element={<StoreDetailPage />} />
          <Route path="admin" element={<RequireAuth admin><OverviewPage /></RequireAuth>} />
          <Route path="admin/stores" element={<RequireAuth admin><AdminStoresPage /></RequireAuth>} />
          <Route path="admin/tenants" element={<RequireAuth admin><TenantsPage /></RequireAuth>} />
          <Route path="admin/audit" element={<RequireAuth admin><AuditPage /></RequireAuth>} />
          <Route path="*" element={<NotFoundPage />} />
        </Route>
      </Routes>
    </>
  );
}

export function App() {
  const [client] = useState(newQueryClient);
  return (
    <QueryClientProvider client={client}>
      <BrowserRouter>
        <AppRoutes />
      </BrowserRouter>
    </QueryClientProvider>
  );
}
