// The load check (not a timed test): holds CLIENTS concurrent streams to
// sse-server on loopback for SECONDS, then reports the server's memory per
// connection, the events per second delivered, and whether any client
// missed, repeated or reordered an event. Run it through .ci/load.
//   SSE_SERVER=... node load.mjs CLIENTS SECONDS [INTERVAL_MS]
import net from "node:net";
import { readFileSync } from "node:fs";
import { sleep, startServer } from "../server/harness.mjs";

const CLIENTS = Number(process.argv[2] || 5000);
const SECONDS = Number(process.argv[3] || 20);
const INTERVAL = Number(process.argv[4] || 100);

const rssKiB = (pid) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))[1]);

// One streaming client: counts events and checks that ids run on by one.
function client(port) {
  const c = { events: 0, last: null, bad: 0, open: false, closed: false, tail: "", resync: false };
  const sock = net.connect(port, "127.0.0.1", () => {
    c.open = true;
    // HTTP/1.0: the body is the raw stream, without chunked framing.
    sock.write("GET /events HTTP/1.0\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n");
  });
  sock.setEncoding("utf8");
  sock.on("data", (d) => {
    c.tail += d;
    let end;
    while ((end = c.tail.indexOf("\n\n")) >= 0) {
      const frame = c.tail.slice(0, end + 1);
      c.tail = c.tail.slice(end + 2);
      if (frame.includes("event: resync")) c.resync = true;
      const m = /^id: (\d+)$/m.exec(frame);
      if (!m) continue;
      const id = Number(m[1]);
      if (c.last !== null && id !== c.last + 1) c.bad++;
      c.last = id;
      if (c.counting) c.events++;
    }
  });
  sock.on("error", () => {});
  sock.on("close", () => (c.closed = true));
  c.sock = sock;
  return c;
}

const srv = await startServer(["--interval-ms", String(INTERVAL), "--history", "4096"]);
await sleep(300);
const base = rssKiB(srv.proc.pid);
console.log(`sse-server pid ${srv.proc.pid}: ${base} KiB RSS before any client`);

const clients = [];
const t0 = Date.now();
for (let i = 0; i < CLIENTS; i += 250) {
  for (let j = i; j < Math.min(CLIENTS, i + 250); j++) clients.push(client(srv.port));
  await sleep(20);
}
// Wait until every client has had an event.
for (let waited = 0; clients.some((c) => c.last === null); waited += 100) {
  if (waited > 30000) {
    console.log(`only ${clients.filter((c) => c.last !== null).length} of ${CLIENTS} clients streaming after 30 s`);
    break;
  }
  await sleep(100);
}
console.log(`${clients.filter((c) => c.last !== null).length} clients streaming after ${Date.now() - t0} ms`);

for (const c of clients) c.counting = true;
const start = Date.now();
let peak = 0;
while (Date.now() - start < SECONDS * 1000) {
  await sleep(500);
  peak = Math.max(peak, rssKiB(srv.proc.pid));
}
const elapsed = (Date.now() - start) / 1000;
for (const c of clients) c.counting = false;
const held = rssKiB(srv.proc.pid);
const stats = await srv.stats();

const delivered = clients.reduce((n, c) => n + c.events, 0);
const lost = clients.filter((c) => c.bad || c.closed || c.resync || c.last === null).length;
const perConn = ((Math.max(held, peak) - base) * 1024) / CLIENTS;
console.log(`clients held:      ${stats.clients} (of ${CLIENTS} opened)`);
console.log(`server RSS:        ${base} KiB idle, ${held} KiB with clients (peak ${peak} KiB)`);
console.log(`per connection:    ${(perConn / 1024).toFixed(2)} KiB (peak RSS - idle RSS) / clients`);
console.log(`events published:  ${stats.newest} (one every ${INTERVAL} ms)`);
console.log(`events delivered:  ${delivered} in ${elapsed.toFixed(1)} s = ${Math.round(delivered / elapsed)} events/s`);
console.log(`slow-client kicks: ${stats.kicked_slow}`);
console.log(`clients with a gap, repeat, resync or disconnect: ${lost}`);

for (const c of clients) c.sock.destroy();
const { code } = await srv.stop();
const ok = lost === 0 && stats.clients === CLIENTS && code === 0 && stats.kicked_slow === 0;
console.log(ok ? "load check: ok" : "load check: FAILED");
process.exit(ok ? 0 : 1);
