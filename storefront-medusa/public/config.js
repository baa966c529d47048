// Development default. In the image this file is replaced at container start by
// docker/render-config.sh from STOREFRONT_NAME, STOREFRONT_PRIMARY_COLOR, STOREFRONT_ACCENT_COLOR
// and STOREFRONT_LOGO_URL.
window.__STOREFRONT_CONFIG__ = { name: "Medusa Store", primaryColor: "#18181b", accentColor: "#7c3aed", logoUrl: "" };
