// One streaming client of the load checks: a raw socket asking for
// /events over HTTP/1.0 (so the body is the raw stream, with no chunked
// framing to undo), cut into frames; onId(c, id) sees each event's id in
// order. c.resync is set by a resync event, c.closed when the connection
// ends.
import net from "node:net";

export function streamClient(port, onId) {
  const c = { closed: false, resync: false, tail: "" };
  const sock = net.connect(port, "127.0.0.1", () =>
    sock.write("GET /events HTTP/1.0\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"));
  sock.setEncoding("utf8");
  sock.on("data", (d) => {
    c.tail += d;
    let end;
    while ((end = c.tail.indexOf("\n\n")) >= 0) {
      const frame = c.tail.slice(0, end + 1);
      c.tail = c.tail.slice(end + 2);
      if (frame.includes("event: resync")) c.resync = true;
      const m = /^id: (.+)$/m.exec(frame);
      if (m) onId(c, m[1]);
    }
  });
  sock.on("error", () => {});
  sock.on("close", () => (c.closed = true));
  c.sock = sock;
  return c;
}
