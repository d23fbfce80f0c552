// The load check through the production topology (not a timed test):
// redis-server, three sse-server instances and nginx (topology.mjs), with
// CLIENTS streams held through nginx for SECONDS while one instance
// publishes an event every INTERVAL_MS. Reports clients held, the memory
// of each process per connection, events per second delivered, and whether
// any client missed, repeated or reordered an event or stopped short of
// the newest (checked against the Redis stream). Run it through
// .ci/load --production.
//   SSE_SERVER=... node topology_load.mjs CLIENTS SECONDS INTERVAL_MS
import { readFileSync, readdirSync } from "node:fs";
import { sleep } from "../server/harness.mjs";
import { startTopology } from "../production/topology.mjs";
import { cpuSeconds, rssKiB, status } from "./proc.mjs";
import { streamClient } from "./stream_client.mjs";

const CLIENTS = Number(process.argv[2] || 3000);
const SECONDS = Number(process.argv[3] || 20);
const INTERVAL = Number(process.argv[4] || 100);

// nginx's processes: the master and its workers.
const nginxPids = (master) => [master, ...readdirSync("/proc").filter((p) => /^\d+$/.test(p))
  .filter((p) => { try { return status(p, "PPid") === master; } catch { return false; } })
  .map(Number)];

// "ms-seq" ids only grow along the stream.
const after = (a, b) => {
  const [am, as] = a.split("-").map(BigInt), [bm, bs] = b.split("-").map(BigInt);
  return am > bm || (am === bm && as > bs);
};

// Checks that ids only grow, and counts them.
function client(port) {
  const c = streamClient(port, (c, id) => {
    if (c.last !== null && !after(id, c.last)) c.bad++;
    if (c.first === null) c.first = id;
    c.last = id;
    c.total++;
    if (c.counting) c.events++;
  });
  return Object.assign(c, { first: null, last: null, total: 0, events: 0, bad: 0 });
}

// A history (and stream) long enough for the whole run.
const topo = await startTopology({ intervalMs: INTERVAL, extra: ["--history", "65536"] });
const clients = [];
let ok = false;
try {
  const nginxMaster = Number(readFileSync(`${topo.dir}/nginx.pid`, "utf8"));
  const procs = [
    ...nginxPids(nginxMaster).map((pid) => ({ name: `nginx ${pid === nginxMaster ? "master" : "worker"}`, pid })),
    ...topo.servers.map((s, i) => ({ name: `sse-server ${i}${i === 0 ? " (publisher)" : ""}`, pid: s.pid })),
  ];
  for (const p of procs) p.base = rssKiB(p.pid);

  for (let i = 0; i < CLIENTS; i += 100) {
    for (let j = i; j < Math.min(CLIENTS, i + 100); j++) clients.push(client(topo.httpPort));
    await sleep(20);
  }
  for (let waited = 0; clients.some((c) => c.last === null) && waited < 30000; waited += 100)
    await sleep(100);
  console.log(`${clients.filter((c) => c.last !== null).length} of ${CLIENTS} clients streaming through nginx`);

  for (const c of clients) c.counting = true;
  for (const p of procs) { p.cpu0 = cpuSeconds(p.pid); p.peak = 0; }
  const start = Date.now();
  while (Date.now() - start < SECONDS * 1000) {
    await sleep(500);
    for (const p of procs) p.peak = Math.max(p.peak, rssKiB(p.pid));
  }
  const elapsed = (Date.now() - start) / 1000;
  for (const c of clients) c.counting = false;
  for (const p of procs) p.cpu = (cpuSeconds(p.pid) - p.cpu0) / elapsed;

  // Every client must reach the newest entry there was when measuring
  // ended, with every entry from its first to its last exactly once (the
  // stream in Redis is the truth; it goes on meanwhile).
  const newest = topo.redis.cli("XREVRANGE", "sse:demo", "+", "-", "COUNT", "1").split("\n")[0];
  for (let waited = 0; waited < 10000 &&
    clients.some((c) => !c.closed && (c.last === null || after(newest, c.last))); waited += 100)
    await sleep(100);
  const index = new Map(topo.redis.ids().map((id, i) => [id, i]));
  const lost = clients.filter((c) => c.bad || c.closed || c.resync || c.first === null ||
    after(newest, c.last) || !index.has(c.first) || !index.has(c.last) ||
    index.get(c.last) - index.get(c.first) + 1 !== c.total).length;
  const delivered = clients.reduce((n, c) => n + c.events, 0);
  let held = 0;
  for (const s of topo.servers) {
    const n = (await s.stats()).clients;
    held += n;
    procs.find((p) => p.pid === s.pid).conns = n;
  }

  console.log(`clients held:      ${held} by ${topo.servers.length} instances (of ${CLIENTS} opened)`);
  // Per connection: an instance's own streams; nginx holds every one.
  for (const p of procs)
    console.log(`${p.name.padEnd(24)} RSS ${p.base} KiB idle, peak ${p.peak} KiB: ` +
      `${((p.peak - p.base) / (p.conns ?? CLIENTS)).toFixed(2)} KiB per stream ` +
      `(${p.conns ?? CLIENTS} streams); CPU ${(p.cpu * 100).toFixed(0)}%`);
  console.log(`events published:  ${index.size} in the stream (one due every ${INTERVAL} ms)`);
  console.log(`events delivered:  ${delivered} in ${elapsed.toFixed(1)} s = ${Math.round(delivered / elapsed)} events/s`);
  console.log(`clients with a gap, repeat, resync or disconnect, or short of the newest: ${lost}`);
  if (lost) { // nginx and the instances say why they refused or cut streams
    console.log(readFileSync(`${topo.dir}/error.log`, "utf8").split("\n").slice(-5).join("\n"));
    for (const s of topo.servers) console.log(s.stderr().split("\n").slice(-4).join("\n"));
  }
  ok = lost === 0 && held >= CLIENTS;
} finally {
  for (const c of clients) c.sock.destroy();
  await topo.stop();
}
console.log(ok ? "load check: ok" : "load check: FAILED");
process.exit(ok ? 0 : 1);
