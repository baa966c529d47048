/// <reference types="vitest/config" />
// The SPA calls Medusa on its own origin (/store/...). In development, Vite proxies /store to the
// backend named by MEDUSA_BACKEND_URL (default http://127.0.0.1:9000), like nginx does in the image.
import tailwindcss from "@tailwindcss/vite";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const backend = process.env.MEDUSA_BACKEND_URL ?? "http://127.0.0.1:9000";

export default defineConfig({
  plugins: [react(), tailwindcss()],
  server: { proxy: { "/store": { target: backend, changeOrigin: true } } },
  preview: { proxy: { "/store": { target: backend, changeOrigin: true } } },
  build: { sourcemap: false, chunkSizeWarningLimit: 400 },
  test: { environment: "jsdom", include: ["src/**/*.test.{ts,tsx}"] },
});
