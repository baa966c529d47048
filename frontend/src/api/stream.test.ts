import { describe, expect, it } from "vitest";
import { parseSse } from "./stream";

describe("parseSse", () => {
  it("splits complete messages, skips heartbeats and keeps the unfinished rest", () => {
    const text = 'retry: 5000\n\n: heartbeat\n\nevent: status\nid: 7\ndata: {"phase":"Ready"}\n\nevent: end\ndata: {"rea';
    const { messages, rest } = parseSse(text);
    expect(messages).toEqual([{ event: "status", data: '{"phase":"Ready"}' }]);
    expect(rest).toBe('event: end\ndata: {"rea');
  });

  it("joins multi-line data and reads CRLF streams", () => {
    expect(parseSse("data: a\r\ndata: b\r\n\r\n").messages).toEqual([{ event: "message", data: "a\nb" }]);
  });
});
