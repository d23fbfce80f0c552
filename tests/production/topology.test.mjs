// The production topology on loopback (topology.mjs: redis-server, three
// sse-server instances sharing their history on it, nginx with TLS and
// HTTP/2 in front), driven over HTTP/2 by node's http2 client. Every
// client's ids are checked against the Redis stream itself.
// Run by ctest as: SSE_SERVER=... node --test this-file
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import http2 from "node:http2";
import { test } from "node:test";
import { events, sleep } from "../server/harness.mjs";
import { assertExactlyOnce } from "../server/redis.mjs";
import { startTopology } from "./topology.mjs";

// One EventSource-like request over its own HTTP/2 connection to nginx.
function h2Stream(topo, { lastEventId, origin } = {}) {
  const session = http2.connect(topo.url("/"), { ca: topo.ca });
  session.on("error", () => {});
  const headers = { ":path": "/events", accept: "text/event-stream" };
  if (lastEventId) headers["last-event-id"] = lastEventId;
  if (origin) headers.origin = origin;
  const s = { text: "", ended: false, status: 0, headers: {} };
  const req = session.request(headers);
  req.setEncoding("utf8");
  req.on("response", (h) => { s.status = h[":status"]; s.headers = h; });
  req.on("data", (d) => (s.text += d));
  req.on("error", () => {});
  req.on("close", () => (s.ended = true));
  s.events = () => events(s.text);
  s.until = async (pred, ms, what) => {
    for (const until = Date.now() + ms; !pred(s); await sleep(5))
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(s.text.slice(-200))}`);
    return s;
  };
  s.close = () => session.destroy();
  return s;
}

// The ids of an ended stream and of six resumes after it through nginx,
// each from the last id so far, each of 5 events or more and no resync.
async function resumeSixTimes(topo, ended) {
  const ids = ended.events().map((e) => e.id);
  for (let i = 0; i < 6; i++) {
    const again = h2Stream(topo, { lastEventId: ids.at(-1) });
    await again.until((x) => x.events().length >= 5, 5000, "5 resumed events");
    again.close();
    assert.equal(again.status, 200);
    assert.ok(again.events().every((e) => e.type !== "resync"), "a resync on resume");
    ids.push(...again.events().map((e) => e.id));
  }
  return ids;
}

test("through nginx: 200 reconnects land on every instance, each event once", async () => {
  const topo = await startTopology();
  try {
    const ids = [];
    for (let i = 0; i < 200; i++) {
      const st = h2Stream(topo, ids.length ? { lastEventId: ids.at(-1) } : {});
      await st.until((x) => x.events().length >= 1 || x.ended, 5000, `an event (reconnect ${i})`);
      st.close();
      assert.equal(st.status, 200);
      assert.ok(st.events().every((e) => e.type !== "resync"), `resync on reconnect ${i}`);
      ids.push(...st.events().map((e) => e.id));
    }
    assertExactlyOnce(topo.redis, ids);
    const served = [];
    for (const s of topo.servers) served.push((await s.stats()).connections);
    assert.ok(served.every((n) => n >= 20), `streams per instance: ${served}`);
    console.log(`200 reconnects through nginx: ${ids.length} events, each once; streams per instance ${served}`);
  } finally {
    await topo.stop();
  }
});

test("through nginx: an instance killed mid-stream, its client resumes on another", async () => {
  const topo = await startTopology();
  try {
    // Three streams, one per instance (nginx takes turns); the second
    // instance (not the publisher) is then killed outright.
    const streams = [h2Stream(topo), h2Stream(topo), h2Stream(topo)];
    for (const x of streams) await x.until((y) => y.events().length >= 10, 5000, "10 events");
    for (const s of topo.servers) assert.equal((await s.stats()).clients, 1);
    topo.servers[1].proc.kill("SIGKILL");
    let st;
    for (const until = Date.now() + 5000; !(st = streams.find((x) => x.ended)); await sleep(10))
      assert.ok(Date.now() < until, "no stream ended with its instance");
    for (const x of streams) if (x !== st) x.close();
    // nginx skips the dead instance (proxy_next_upstream) on the way back.
    assertExactlyOnce(topo.redis, await resumeSixTimes(topo, st));
  } finally {
    await topo.stop();
  }
});

test("through nginx: every instance restarted, clients resume from Redis", async () => {
  const topo = await startTopology();
  try {
    const st = h2Stream(topo);
    await st.until((x) => x.events().length >= 10, 5000, "10 events");
    await topo.restartInstances();
    await st.until((x) => x.ended, 5000, "the stream to end with its instance");
    assertExactlyOnce(topo.redis, await resumeSixTimes(topo, st));
  } finally {
    await topo.stop();
  }
});

test("through nginx: the first event published arrives within 200 ms", async () => {
  const topo = await startTopology({ publish: false });
  try {
    const st = h2Stream(topo);
    await st.until((x) => x.text.includes("retry:"), 5000, "the stream to open");
    const latencies = [];
    for (let i = 0; i < 5; i++) {
      const before = st.events().length;
      const t0 = Date.now();
      execFileSync("redis-cli", ["-p", String(topo.redis.port), "XADD", "sse:demo", "*",
        "event", "token", "data", `first ${i}`]);
      await st.until((x) => x.events().length > before, 2000, "the published event");
      latencies.push(Date.now() - t0);
      await sleep(100);
    }
    st.close();
    console.log(`publish to arrival through nginx, ms: ${latencies.join(", ")}`);
    assert.ok(latencies[0] < 200, `first event after ${latencies[0]} ms`);
    assert.ok(Math.max(...latencies) < 200, `latencies ${latencies}`);
  } finally {
    await topo.stop();
  }
});

test("through nginx: CORS headers only for the allowed origin", async () => {
  const allowed = "https://app.example";
  const topo = await startTopology({ extra: ["--allow-origin", allowed] });
  try {
    const ok = h2Stream(topo, { origin: allowed });
    const other = h2Stream(topo, { origin: "https://evil.example" });
    await ok.until((x) => x.status, 5000, "headers");
    await other.until((x) => x.status, 5000, "headers");
    ok.close();
    other.close();
    assert.equal(ok.headers["access-control-allow-origin"], allowed);
    assert.equal(ok.headers["access-control-allow-credentials"], "true");
    assert.equal(other.headers["access-control-allow-origin"], undefined);
    // (X-Accel-Buffering: no is for nginx, which keeps it to itself.)
    assert.equal(ok.headers["x-accel-buffering"], undefined);
  } finally {
    await topo.stop();
  }
});
