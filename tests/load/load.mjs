// The load check (not a timed test): holds CLIENTS concurrent streams to
// sse-server on loopback for SECONDS, then reports the server's memory per
// connection, the events per second delivered, and whether any client
// missed, repeated or reordered an event, or stopped short of the newest.
// With STALLED > 0, as many more clients send their request and never
// read: it reports what each costs (server RSS and kernel send queue),
// when the server let each go, and whether each then resumes from its
// last whole event with nothing lost. Run it through .ci/load.
//   SSE_SERVER=... node load.mjs CLIENTS SECONDS [INTERVAL_MS [STALLED]]
import { readFileSync } from "node:fs";
import { sleep, startServer, stalledClient, drain, events, openStream } from "../server/harness.mjs";
import { cpuSeconds, rssKiB } from "./proc.mjs";
import { streamClient } from "./stream_client.mjs";

const CLIENTS = Number(process.argv[2] || 5000);
const SECONDS = Number(process.argv[3] || 20);
const INTERVAL = Number(process.argv[4] || 100);
const STALLED = Number(process.argv[5] || 0);


// One streaming client: counts events and checks that ids run on by one.
function client(port) {
  const c = streamClient(port, (c, text) => {
    const id = Number(text);
    if (c.last !== null && id !== c.last + 1) c.bad++;
    c.last = id;
    if (c.counting) c.events++;
  });
  return Object.assign(c, { events: 0, last: null, bad: 0 });
}

// Stalled readers need events big enough to fill their buffers.
const srv = await startServer(["--interval-ms", String(INTERVAL), "--history", "4096",
  ...(STALLED ? ["--pad", "512"] : [])]);
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

// Stalled readers: each sends its request and never reads.
const stalled = [];
let kernelPeak = 0;
// The server's side of each stalled connection in /proc/net/tcp: bytes
// its kernel still queues, and which are still open (ESTABLISHED).
const serverSide = () => {
  const local = `:${srv.port.toString(16).toUpperCase().padStart(4, "0")}`;
  const ports = new Set(stalled.map((x) => x.sock.localPort));
  const open = new Set();
  let queued = 0;
  for (const line of readFileSync("/proc/net/tcp", "utf8").split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 5 || !f[1].endsWith(local)) continue;
    const port = parseInt(f[2].split(":")[1], 16);
    if (!ports.has(port)) continue;
    queued += parseInt(f[4].split(":")[0], 16);
    if (f[3] === "01") open.add(port);
  }
  return { queued, open };
};
// A stalled reader the server let go does what a browser does: reads what
// was queued for it, then reconnects at once with the last id it got. It
// must resume with the next event (not a resync).
async function resumeStalled(x) {
  const got = await drain(x.sock, 10000).catch(() => null);
  if (got === null) return false;
  const ids = events(got.slice(got.indexOf("\r\n\r\n") + 4)).map((e) => Number(e.id));
  if (!ids.length) return false;
  const r = openStream(srv.port, { lastEventId: String(ids.at(-1)) });
  await r.until((y) => y.events().length >= 1, 10000, "a resumed event").catch(() => {});
  r.close();
  const first = r.events()[0];
  return Boolean(first) && first.type !== "resync" && Number(first.id) === ids.at(-1) + 1;
}
// Notes which stalled readers the server has let go since the last look.
function watchStalled() {
  const { queued, open } = serverSide();
  kernelPeak = Math.max(kernelPeak, queued);
  // /proc/net/tcp is not read atomically, and a busy table can skip an
  // entry: a connection counts as let go once, having been seen open, two
  // looks in a row miss it.
  for (const x of stalled) {
    if (x.closedAt !== null) continue;
    if (open.has(x.sock.localPort)) { x.seen = true; x.missedAt = null; continue; }
    if (!x.seen) continue;
    if (x.missedAt == null) { x.missedAt = Date.now(); continue; }
    x.closedAt = x.missedAt;
    x.resumed = resumeStalled(x);
  }
}
const rssBeforeStalled = rssKiB(srv.proc.pid);
for (let i = 0; i < STALLED; i++) {
  const sock = stalledClient(srv.port);
  stalled.push({ sock, opened: Date.now(), closedAt: null, resumed: null });
}

for (const c of clients) c.counting = true;
const start = Date.now();
const cpuStart = cpuSeconds(srv.proc.pid);
let peak = 0;
let stalledPeak = 0;
while (Date.now() - start < SECONDS * 1000) {
  await sleep(500);
  const rss = rssKiB(srv.proc.pid);
  peak = Math.max(peak, rss);
  if (STALLED) {
    stalledPeak = Math.max(stalledPeak, rss - rssBeforeStalled);
    watchStalled();
  }
}
const elapsed = (Date.now() - start) / 1000;
for (const c of clients) c.counting = false;
const cpu = (cpuSeconds(srv.proc.pid) - cpuStart) / elapsed;
const held = rssKiB(srv.proc.pid);
const stats = await srv.stats();

// Every client must reach the newest event published by now.
const newest = stats.newest;
for (let waited = 0; clients.some((c) => !c.closed && c.last < newest) && waited < 10000; waited += 100)
  await sleep(100);
const short = clients.filter((c) => c.last === null || c.last < newest).length;

const delivered = clients.reduce((n, c) => n + c.events, 0);
const lost = clients.filter((c) => c.bad || c.closed || c.resync || c.last === null).length;
const perConn = ((Math.max(held, peak) - base) * 1024) / CLIENTS;
console.log(`clients held:      ${stats.clients} (of ${CLIENTS} opened)`);
console.log(`server RSS:        ${base} KiB idle, ${held} KiB with clients (peak ${peak} KiB)`);
console.log(`per connection:    ${(perConn / 1024).toFixed(2)} KiB (peak RSS - idle RSS) / clients`);
console.log(`events published:  ${stats.newest} (one due every ${INTERVAL} ms)`);
console.log(`events delivered:  ${delivered} in ${elapsed.toFixed(1)} s = ${Math.round(delivered / elapsed)} events/s (${Math.round(delivered / elapsed / CLIENTS)} per client per second)`);
console.log(`server CPU:        ${(cpu * 100).toFixed(0)}% of one core while measuring`);
console.log(`slow-client kicks: ${stats.kicked_slow}`);
console.log(`clients with a gap, repeat, resync or disconnect: ${lost}`);
console.log(`clients short of the newest event (${newest}) 10 s later: ${short}`);

// The stalled readers: their cost, when they were let go, and their resume.
let stalledBad = 0;
if (STALLED) {
  // A closed one shows to the client only once it reads what is queued,
  // so watch the server's side until every one is let go.
  for (let waited = 0; waited < 120000 && stalled.some((x) => x.closedAt === null); waited += 200) {
    watchStalled();
    await sleep(200);
  }
  const times = [];
  for (const x of stalled) {
    if (x.closedAt === null || !(await x.resumed)) { stalledBad++; continue; }
    times.push((x.closedAt - x.opened) / 1000);
  }
  times.sort((a, b) => a - b);
  console.log(`stalled readers:   ${STALLED}; server RSS +${stalledPeak} KiB (${(stalledPeak / STALLED).toFixed(1)} KiB each), kernel send queue peak ${(kernelPeak / 1024).toFixed(0)} KiB (${(kernelPeak / 1024 / STALLED).toFixed(1)} KiB each)`);
  console.log(`                   let go ${times[0]}..${times.at(-1)} s after connecting; ${STALLED - stalledBad} resumed from their last event with nothing lost`);
}

for (const c of clients) c.sock.destroy();
const { code } = await srv.stop().catch((e) => { console.log(e.message); return { code: 1 }; });
// (A healthy client the server let go shows as a disconnect in `lost`.)
const ok = lost === 0 && short === 0 && stalledBad === 0 && stats.clients >= CLIENTS &&
  code === 0;
console.log(ok ? "load check: ok" : "load check: FAILED");
process.exit(ok ? 0 : 1);
