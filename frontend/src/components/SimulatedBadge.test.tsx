import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { SimulatedBadge } from "./SimulatedBadge";

describe("simulated badge", () => {
  it("says a simulated store serves nothing", () => {
    render(<SimulatedBadge store={{ simulated: true }} />);
    const badge = screen.getByTestId("simulated");
    expect(badge).toHaveTextContent("Simulated");
    expect(badge).toHaveAccessibleName(/nothing is served/);
    expect(badge).toHaveAttribute("title", "Pods run on a simulated node; nothing is served");
  });

  it.each([
    ["a store on a real node", false],
    ["a store whose placement is not known yet", null],
    ["a response from an older gateway", undefined],
  ])("shows nothing for %s", (_, simulated) => {
    const { container } = render(<SimulatedBadge store={{ simulated }} />);
    expect(container).toBeEmptyDOMElement();
  });
});
