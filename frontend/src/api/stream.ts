// Server-sent events read with fetch, not EventSource: EventSource cannot send an Authorization
// header, and the token must never go into a URL. Parses `event:`/`data:` lines per the SSE spec.
import { apiUrl, authHeaders, raiseForStatus } from "./client";

export interface SseMessage {
  event: string;
  data: string;
}

/** Split an SSE text buffer into complete messages and the unfinished rest. */
export function parseSse(buffer: string): { messages: SseMessage[]; rest: string } {
  const messages: SseMessage[] = [];
  const blocks = buffer.replace(/\r\n/g, "\n").split("\n\n");
  const rest = blocks.pop() ?? "";
  for (const block of blocks) {
    let event = "message";
    const data: string[] = [];
    for (const line of block.split("\n")) {
      if (line.startsWith(":")) continue; // comment (heartbeat)
      const colon = line.indexOf(":");
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "event") event = value;
      else if (field === "data") data.push(value);
    }
    if (data.length > 0) messages.push({ event, data: data.join("\n") });
  }
  return { messages, rest };
}

/** Follow `path` until the server ends the stream or `signal` aborts; calls `onMessage` per message. */
export async function followStream(
  path: string,
  onMessage: (message: SseMessage) => void,
  signal: AbortSignal,
): Promise<void> {
  const response = await fetch(apiUrl(path), {
    headers: { Accept: "text/event-stream", ...authHeaders() },
    signal,
    credentials: "omit",
    cache: "no-store",
  });
  await raiseForStatus(response);
  if (!response.body) return;
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    const parsed = parseSse(buffer);
    buffer = parsed.rest;
    parsed.messages.forEach(onMessage);
  }
}
