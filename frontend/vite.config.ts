/// <reference types="vitest/config" />
// The dashboard's build and dev server. `npm run dev` serves the UI with hot reload and forwards
// /api to a running gateway (make dev prints its URL; set STOREFLEET_GATEWAY_URL if it is not
// the default), so the browser sees one origin, exactly as when the gateway serves the build.
import tailwindcss from "@tailwindcss/vite";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const gateway = process.env.STOREFLEET_GATEWAY_URL ?? "http://127.0.0.1:8000";

export default defineConfig({
  plugins: [react(), tailwindcss()],
  server: {
    port: 5173,
    strictPort: true,
    proxy: { "/api": { target: gateway, changeOrigin: false } },
  },
  build: {
    // The gateway's CSP allows scripts from its own origin only; Vite's build already emits
    // module scripts by URL and no inline ones. Source maps stay out of the served folder.
    sourcemap: false,
    target: "es2022",
    // Hashed names under assets/ are what the gateway caches for a year.
    assetsDir: "assets",
  },
  test: {
    environment: "jsdom",
    setupFiles: ["./src/test/setup.ts"],
    css: false,
    restoreMocks: true,
    globals: true,
  },
});
