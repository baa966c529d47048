import "@testing-library/jest-dom/vitest";

// jsdom lacks ResizeObserver, which Radix's switch and radio group measure themselves with.
class NoResizeObserver {
  observe(): void {}
  unobserve(): void {}
  disconnect(): void {}
}
globalThis.ResizeObserver ??= NoResizeObserver;
