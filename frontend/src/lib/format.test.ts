import { describe, expect, it } from "vitest";
import { age, duration, progress, reasonWords, stepTitle } from "./format";

describe("format", () => {
  it("counts the running step as the current one", () => {
    const steps = [
      { name: "namespace", state: "Succeeded" },
      { name: "release", state: "Running" },
      { name: "engine", state: "Pending" },
    ];
    expect(progress(steps)).toEqual({ current: 2, total: 3 });
    expect(progress(steps.map((s) => ({ ...s, state: "Succeeded" })))).toEqual({ current: 3, total: 3 });
  });

  it("reads durations, ages and reasons as words", () => {
    expect(duration(850)).toBe("850 ms");
    expect(duration(12_345)).toBe("12.3 s");
    expect(duration(125_000)).toBe("2 min 5 s");
    expect(age("2026-01-01T00:00:00Z", Date.parse("2026-01-01T02:30:00Z"))).toBe("2h");
    expect(reasonWords("HelmInstallFailed")).toBe("Helm install failed");
    expect(stepTitle("engine-setup")).toBe("Engine setup");
  });
});
