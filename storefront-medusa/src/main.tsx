import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter } from "react-router";
import { App } from "./App";
import { applyBranding, config } from "./config";
import { MedusaError } from "./lib/api/client";
import { CartProvider } from "./lib/cart/cart-context";
import "./index.css";

applyBranding(config);

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 30_000,
      refetchOnWindowFocus: false,
      // One quiet retry for a flaky network or a 5xx; a 4xx will not get better by asking again.
      retry: (count, error) => count < 1 && error instanceof MedusaError && error.retryable,
    },
  },
});

createRoot(document.getElementById("root") as HTMLElement).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <BrowserRouter>
        <CartProvider>
          <App />
        </CartProvider>
      </BrowserRouter>
    </QueryClientProvider>
  </StrictMode>,
);
