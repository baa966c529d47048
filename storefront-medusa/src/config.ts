// Branding read at runtime from /config.js, which the container renders at start from its environment
// (docker/render-config.sh): one image serves every store.
export interface StorefrontConfig {
  name: string;
  primaryColor: string;
  accentColor: string;
  logoUrl: string;
}

declare global {
  interface Window {
    __STOREFRONT_CONFIG__?: Partial<StorefrontConfig>;
  }
}

const DEFAULTS: StorefrontConfig = { name: "Store", primaryColor: "#18181b", accentColor: "#7c3aed", logoUrl: "" };
const COLOUR = /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i;

export function readConfig(raw: Partial<StorefrontConfig> | undefined = window.__STOREFRONT_CONFIG__): StorefrontConfig {
  const text = (v: unknown, fallback: string) => (typeof v === "string" && v.trim() ? v.trim() : fallback);
  const colour = (v: unknown, fallback: string) => (typeof v === "string" && COLOUR.test(v) ? v : fallback);
  const logo = text(raw?.logoUrl, "");
  return {
    name: text(raw?.name, DEFAULTS.name),
    primaryColor: colour(raw?.primaryColor, DEFAULTS.primaryColor),
    accentColor: colour(raw?.accentColor, DEFAULTS.accentColor),
    logoUrl: /^(https?:\/\/|\/)/.test(logo) ? logo : "",
  };
}

export function applyBranding(config: StorefrontConfig): void {
  document.title = config.name;
  document.documentElement.style.setProperty("--color-brand", config.primaryColor);
  document.documentElement.style.setProperty("--color-accent", config.accentColor);
}

export const config = readConfig();
