import { describe, expect, it } from "vitest";
import { storeNameProblem, suggestStoreName } from "./storeName";

describe("store names are checked as the gateway checks them", () => {
  it.each([
    ["coffee-roasters", null],
    ["classic", null], // "ass" inside a word is fine, as on the server
    ["scunthorpe-shop", null],
    ["ab", "at least 3"],
    ["a".repeat(41), "at most 40"],
    ["Shop", "lowercase"],
    ["1shop", "start with a letter"],
    ["my--shop", "single '-'"],
    ["admin", "reserved"],
    ["kube-things", "reserved"],
    ["best-shit-ever", "do not allow"],
  ])("%s", (name, problem) => {
    const found = storeNameProblem(name);
    if (problem === null) expect(found).toBeNull();
    else expect(found).toContain(problem);
  });

  it("suggests an id from a display name", () => {
    expect(suggestStoreName("Coffee Roasters!")).toBe("coffee-roasters");
    expect(suggestStoreName("42 Café Crème")).toBe("cafe-creme");
    expect(suggestStoreName("<img src=x onerror=alert(1)>")).toBe("img-src-x-onerror-alert-1");
  });
});
