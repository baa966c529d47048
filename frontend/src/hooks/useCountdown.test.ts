import { act, renderHook } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { useCountdown } from "./useCountdown";

describe("useCountdown", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("counts whole seconds down to zero and stays there", () => {
    const deadline = Date.now() + 3000;
    const { result } = renderHook(() => useCountdown(deadline));
    expect(result.current).toBe(3);
    act(() => void vi.advanceTimersByTime(1100));
    expect(result.current).toBe(2);
    act(() => void vi.advanceTimersByTime(5000));
    expect(result.current).toBe(0);
  });

  it("is zero without a deadline", () => {
    expect(renderHook(() => useCountdown(null)).result.current).toBe(0);
  });
});
