// The servers to copy (examples/evhttp_server.c, examples/mhd_server.c),
// with real HTTP clients on loopback: HEAD, the opening, resume with
// nothing missing or repeated, heartbeats, and a client that stops reading
// being closed and then resuming losing nothing. SSE_EXAMPLE_SERVER names
// the binary; every scenario ends with a clean SIGTERM exit and no
// sanitizer report.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import net from "node:net";
import { readFileSync, readdirSync, readlinkSync } from "node:fs";

import { sleep, request, openStream, stalledClient, drain, events, assertConsecutive }
  from "../server/harness.mjs";

const SERVER = process.env.SSE_EXAMPLE_SERVER;
if (!SERVER) throw new Error("set SSE_EXAMPLE_SERVER to the example server binary");

// Starts the server on a free port.
function start(intervalMs, heartbeatMs, pad = 0) {
  const proc = spawn(SERVER, ["0", String(intervalMs), String(heartbeatMs), String(pad)],
    { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  proc.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise((resolve) =>
    proc.on("exit", (code, signal) => resolve({ code, signal })));
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error("no listening line: " + stderr)), 5000);
    proc.stdout.on("data", (d) => {
      out += d;
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)\/events/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      resolve({
        port: Number(m[1]),
        pid: proc.pid,
        // SIGTERM must end it with status 0 and nothing from a sanitizer.
        async stop() {
          proc.kill("SIGTERM");
          const { code, signal } = await exited;
          assert.equal(signal, null, `killed by ${signal}: ${stderr}`);
          assert.equal(code, 0, stderr);
          assert.doesNotMatch(stderr, /Sanitizer|runtime error/, stderr);
        },
      });
    });
  });
}

// How many sockets the process has open.
function socketCount(pid) {
  let n = 0;
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      if (readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith("socket:")) n++;
    } catch { /* closed meanwhile */ }
  }
  return n;
}

// Whether the server still holds its side of the connection from
// clientPort open (ESTABLISHED in /proc/net/tcp); a server that closed or
// shut it down shows FIN-WAIT or nothing, whatever the client has read.
function serverSideOpen(serverPort, clientPort) {
  const hex = (n) => n.toString(16).toUpperCase().padStart(4, "0");
  const local = `0100007F:${hex(serverPort)}`, remote = `0100007F:${hex(clientPort)}`;
  return readFileSync("/proc/net/tcp", "utf8").split("\n").some((line) => {
    const f = line.trim().split(/\s+/);
    return f[1] === local && f[2] === remote && f[3] === "01";
  });
}

test("HEAD answers with the stream's headers and no body", async () => {
  const srv = await start(1000, 15000);
  try {
    const res = await request(srv.port, "/events", { method: "HEAD" });
    assert.equal(res.status, 200);
    assert.equal(res.headers["content-type"], "text/event-stream");
    assert.equal(res.headers["cache-control"], "no-cache");
    assert.equal(res.body, "");
    const other = await request(srv.port, "/elsewhere");
    assert.equal(other.status, 404);
  } finally {
    await srv.stop();
  }
});

test("a stream opens with retry, then live ticks in order", async () => {
  const srv = await start(20, 15000);
  try {
    const s = openStream(srv.port);
    await s.until((x) => x.events().length >= 5, 5000, "5 ticks");
    s.close();
    assert.equal(s.headers["content-type"], "text/event-stream");
    assert.ok(s.text.startsWith("retry: 2000\n\n"), s.text.slice(0, 40));
    for (const e of s.events())
      assert.deepEqual(JSON.parse(e.data), { tick: Number(e.id) });
    assertConsecutive(assert, s.ids(), s.ids()[0]);
  } finally {
    await srv.stop();
  }
});

test("Last-Event-ID resumes with nothing missing and nothing repeated", async () => {
  const srv = await start(10, 15000);
  try {
    const first = openStream(srv.port);
    await first.until((x) => x.events().length >= 5, 5000, "5 ticks");
    first.close();
    const seen = first.ids();
    await sleep(200); // ticks published while it is away
    const again = openStream(srv.port, { lastEventId: String(seen.at(-1)) });
    await again.until((x) => x.events().length >= 30, 5000, "30 more ticks");
    again.close();
    assert.doesNotMatch(again.text, /event: resync/);
    assertConsecutive(assert, [...seen, ...again.ids()], seen[0]);
    // An id it never sent gets the resync event, then the newest tick.
    const lost = openStream(srv.port, { lastEventId: "no-such-id" });
    await lost.until((x) => x.events().length >= 3, 5000, "resync and ticks");
    lost.close();
    const [resync, ...live] = lost.events();
    assert.equal(resync.type, "resync");
    assertConsecutive(assert, live.map((e) => Number(e.id)), Number(live[0].id));
  } finally {
    await srv.stop();
  }
});

test("an idle stream gets a heartbeat every heartbeat interval", async () => {
  const srv = await start(600000, 300); // no tick during the test
  try {
    const s = openStream(srv.port);
    await s.until((x) => (x.text.match(/: heartbeat\n\n/g) || []).length >= 3, 5000,
      "3 heartbeats");
    s.close();
    const beats = s.arrivals.filter((a) => a.text.includes(": heartbeat"));
    for (let i = 1; i < beats.length; i++)
      assert.ok(beats[i].at - beats[i - 1].at >= 250, "heartbeats closer than the interval");
  } finally {
    await srv.stop();
  }
});

test("a client that stops reading is closed, then resumes losing nothing", async () => {
  // Half-KiB ticks every 5 ms (about 100 KB/s) fill the stalled client's
  // buffers within seconds. The event loop then closes it as its last
  // frame nears the oldest quarter of the history (about 1900 frames in
  // 1 MiB), which leaves it some 470 frames (2 s here; about 8 minutes at
  // the default tick) to come back; libmicrohttpd closes it after 2 idle
  // seconds (twice the heartbeat).
  const srv = await start(5, 1000, 500);
  try {
    const healthy = openStream(srv.port);
    await healthy.until((x) => x.events().length > 0, 5000, "a first tick");
    const sockets = socketCount(srv.pid);
    const slow = stalledClient(srv.port);
    await new Promise((resolve) => slow.on("connect", resolve));
    const deadline = Date.now() + 60000;
    while (serverSideOpen(srv.port, slow.localPort)) {
      assert.ok(Date.now() < deadline, "the stalled client was never closed");
      await sleep(100);
    }
    const got = await drain(slow); // what was in flight, then the end
    // The server let go of its descriptor too, not only of the stream.
    for (const until = Date.now() + 5000; socketCount(srv.pid) > sockets; await sleep(50))
      assert.ok(Date.now() < until, "the server still holds the stalled client's socket");
    const body = got.slice(got.indexOf("\r\n\r\n") + 4);
    const ids = events(body).map((e) => Number(e.id)).filter((n) => !Number.isNaN(n));
    assert.ok(ids.length > 0, "the stalled client got nothing at all");
    assertConsecutive(assert, ids, ids[0]);
    // Resume from its last whole event, as EventSource would.
    const resumed = openStream(srv.port, { lastEventId: String(ids.at(-1)) });
    await resumed.until((x) => x.events().length >= 200, 10000, "200 resumed ticks");
    resumed.close();
    assert.doesNotMatch(resumed.text, /event: resync/);
    assertConsecutive(assert, [...ids, ...resumed.ids()], ids[0]);
    // The healthy client kept streaming.
    assert.equal(healthy.ended, false);
    assertConsecutive(assert, healthy.ids(), healthy.ids()[0]);
    healthy.close();
  } finally {
    await srv.stop();
  }
});

test("a client that half-closes after its request is still a reader", async () => {
  const srv = await start(20, 15000);
  try {
    const sock = net.connect(srv.port, "127.0.0.1");
    let text = "", closed = false;
    sock.on("connect", () => {
      sock.write("GET /events HTTP/1.0\r\nHost: x\r\n\r\n");
      sock.end(); // our sending side only
    });
    sock.on("data", (d) => (text += d));
    sock.on("close", () => (closed = true));
    sock.on("error", () => {});
    await sleep(1000);
    assert.equal(closed, false, "the server ended the stream");
    const ids = events(text.slice(text.indexOf("\r\n\r\n") + 4)).map((e) => Number(e.id));
    assert.ok(ids.length >= 10, `only ${ids.length} ticks in a second`);
    assertConsecutive(assert, ids, ids[0]);
    sock.destroy();
  } finally {
    await srv.stop();
  }
});
