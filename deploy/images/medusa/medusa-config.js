// Medusa v1.20 project configuration for a storefleet store (v1 keys are snake_case).
// Everything store-specific comes from the environment the chart sets; nothing secret is in the image.
"use strict";

// In Medusa v1 a bare "*" matches no origin at all: parseCorsOrigins("*") gives ["*"] and the cors
// package compares array entries literally (medusajs/medusa#2556). Refuse it at boot instead of
// shipping a store whose storefront silently cannot call the API. Unset means same-origin only (the
// storefront is served behind the same host), which needs no CORS at all.
function corsOrigins(name) {
  const origins = (process.env[name] || "")
    .split(",")
    .map((origin) => origin.trim())
    .filter(Boolean);
  if (origins.includes("*")) {
    throw new Error(
      `${name}="*" matches no origin in Medusa v1; list the origins (comma-separated) or use a /regex/`
    );
  }
  return origins.join(",");
}

module.exports = {
  projectConfig: {
    database_url: process.env.DATABASE_URL,
    store_cors: corsOrigins("STORE_CORS"),
    admin_cors: corsOrigins("ADMIN_CORS"),
    // Required when NODE_ENV=production (the image default): Medusa refuses to start without them.
    jwt_secret: process.env.JWT_SECRET,
    cookie_secret: process.env.COOKIE_SECRET,
    // redis_url is left out on purpose: Medusa then uses an in-process fake Redis. A store runs a
    // single Medusa replica, so nothing needs to be shared between processes.
  },
  plugins: ["medusa-fulfillment-manual", "medusa-payment-manual"],
  modules: {
    // Both are required modules; these are their in-process implementations.
    eventBus: { resolve: "@medusajs/event-bus-local" },
    cacheService: { resolve: "@medusajs/cache-inmemory" },
  },
  // Off by default in 1.20.11; the storefront filters and expands by category.
  featureFlags: { product_categories: true },
};
