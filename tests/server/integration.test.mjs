// Integration tests of sse-server (examples/demo) with real HTTP clients
// on loopback: the bytes on the wire, headers, heartbeats, Last-Event-ID
// resume, the resync event, the slow-client disconnect, fault injection,
// hostile clients (half-close, unfinished requests, out of descriptors) and
// shutdown; every scenario ends with a clean exit and no sanitizer report
// (harness stop()). Run by ctest as: SSE_SERVER=... node --test this-file
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import net from "node:net";
import { test } from "node:test";
import {
  assertConsecutive, drain, events, frames, openStream, request, sleep,
  stalledClient, startServer,
} from "./harness.mjs";

// Server options shared by most tests: fast, with a short retry.
const FAST = ["--interval-ms", "10", "--retry", "100"];

test("a stream has the recommended headers and starts with retry", async () => {
  const srv = await startServer(FAST);
  try {
    const s = await openStream(srv.port).ready;
    assert.equal(s.status, 200);
    assert.equal(s.headers["content-type"], "text/event-stream");
    assert.equal(s.headers["cache-control"], "no-cache");
    assert.equal(s.headers["x-accel-buffering"], "no");
    await s.until((x) => x.events().length >= 3);
    // The reconnect delay comes first.
    assert.ok(s.text.startsWith("retry: 100\n\n"), s.text.slice(0, 40));
    s.close();
  } finally {
    await srv.stop();
  }
});

test("the bytes of known events follow the encoding rules", async () => {
  // The feed (feed.c) is a function of the event number: event 2 is the
  // token " Events", 9 is "\n\n", 31 is "\r\n", 32 "data: not a", and
  // every fifth is a progress event.
  const srv = await startServer([...FAST, "--max-events", "40"]);
  try {
    while ((await srv.stats()).newest < 1) await sleep(5);
    const s = openStream(srv.port, { lastEventId: "1" });
    await s.until((x) => x.ids().at(-1) === 40, 5000, "event 40");
    const byId = new Map(frames(s.text).filter((f) => f.id).map((f) => [f.id, f.raw]));
    // One space after the colon, then the value's own leading space.
    assert.equal(byId.get("2"), "event: token\nid: 2\ndata:  Events\n\n");
    // A value of two line ends is three empty data lines.
    assert.equal(byId.get("9"), "event: token\nid: 9\ndata:\ndata:\ndata:\n\n");
    // CRLF in the data is a line break like any other.
    assert.equal(byId.get("31"), "event: token\nid: 31\ndata:\ndata:\n\n");
    // Text that looks like a field stays data.
    assert.equal(byId.get("32"), "event: token\nid: 32\ndata: data: not a\n\n");
    assert.match(byId.get("5"), /^event: progress\nid: 5\ndata: \{"tokens":4,"answer":4,"of":\d+\}\n\n$/);
    // Every other frame has the same shape: type, id, data lines.
    for (const f of frames(s.text).slice(1))
      assert.match(f.raw, /^event: (token|progress)\nid: \d+\n(data:( [^\n]*)?\n)+\n$/);
    assertConsecutive(assert, s.ids(), 2);
    s.close();
  } finally {
    await srv.stop();
  }
});

test("every client gets the same bytes for the same event", async () => {
  const srv = await startServer(FAST);
  try {
    const a = openStream(srv.port), b = openStream(srv.port);
    await a.until((x) => x.events().length >= 30);
    await b.until((x) => x.events().length >= 30);
    const rawA = new Map(a.events().map((e) => [e.id, e.raw]));
    let shared = 0;
    for (const e of b.events())
      if (rawA.has(e.id)) { assert.equal(e.raw, rawA.get(e.id)); shared++; }
    assert.ok(shared >= 20, `only ${shared} events in common`);
    a.close(); b.close();
  } finally {
    await srv.stop();
  }
});

test("an idle stream carries heartbeat comments, a busy one none", async () => {
  const idle = await startServer([...FAST, "--max-events", "2", "--heartbeat-ms", "200"]);
  try {
    await sleep(100); // both events published before the client comes
    const s = openStream(idle.port);
    await s.until((x) => (x.text.match(/: heartbeat\n\n/g) || []).length >= 3, 3000, "3 heartbeats");
    const beats = s.arrivals.filter((a) => a.text.includes(": heartbeat"));
    for (let i = 1; i < beats.length; i++)
      assert.ok(beats[i].at - beats[i - 1].at >= 150, "heartbeats closer than the interval");
    assert.equal(s.events().length, 0);
    s.close();
  } finally {
    await idle.stop();
  }
  const busy = await startServer([...FAST, "--heartbeat-ms", "500"]);
  try {
    const s = openStream(busy.port);
    await sleep(700);
    assert.ok(s.events().length > 20);
    assert.doesNotMatch(s.text, /heartbeat/);
    s.close();
  } finally {
    await busy.stop();
  }
});

test("Last-Event-ID resumes with nothing missing and nothing repeated", async () => {
  const srv = await startServer(FAST);
  try {
    const reference = openStream(srv.port, { lastEventId: "" });
    await reference.until((x) => x.events().length >= 5);
    const first = openStream(srv.port);
    await first.until((x) => x.events().length >= 10);
    first.close();
    const last = first.ids().at(-1);
    await sleep(300); // events published while the client is away
    const again = openStream(srv.port, { lastEventId: String(last) });
    await again.until((x) => x.events().length >= 60);
    assertConsecutive(assert, again.ids(), last + 1);
    // The resumed frames are byte for byte the live ones.
    await reference.until((x) => x.ids().at(-1) >= again.ids().at(-1));
    const ref = new Map(reference.events().map((e) => [e.id, e.raw]));
    for (const e of again.events()) assert.equal(e.raw, ref.get(e.id));
    assert.doesNotMatch(again.text, /event: resync/);
    reference.close(); again.close();
    const st = await srv.stats();
    assert.ok(st.resumed >= 1);
  } finally {
    await srv.stop();
  }
});

test("an up-to-date Last-Event-ID gets no replay, an older one exactly the rest", async () => {
  const srv = await startServer([...FAST, "--max-events", "10"]);
  try {
    while ((await srv.stats()).newest < 10) await sleep(20);
    const current = openStream(srv.port, { lastEventId: "10" });
    const behind = openStream(srv.port, { lastEventId: "7" });
    await behind.until((x) => x.events().length >= 3);
    await sleep(200);
    assert.deepEqual(behind.ids(), [8, 9, 10]);
    await current.ready;
    assert.equal(current.text, "retry: 100\n\n");
    current.close(); behind.close();
  } finally {
    await srv.stop();
  }
});

test("an evicted or unknown id gets the resync event, then live events", async () => {
  const srv = await startServer([...FAST, "--history", "20"]);
  try {
    while ((await srv.stats()).newest < 40) await sleep(20);
    for (const id of ["1", "no-such-id", "x".repeat(100)]) {
      const newest = (await srv.stats()).newest;
      const s = openStream(srv.port, { lastEventId: id });
      await s.until((x) => x.events().length >= 10);
      const [resync, ...live] = s.events();
      // The documented shape (SSE_STREAM_RESYNC_EVENT): no id, empty data,
      // then the newest stored event and live ones, none missing.
      assert.equal(resync.raw, "event: resync\ndata\n\n");
      assert.ok(Number(live[0].id) >= newest, `${live[0].id} older than ${newest}`);
      assertConsecutive(assert, live.map((e) => Number(e.id)), Number(live[0].id));
      s.close();
    }
    assert.equal((await srv.stats()).resynced, 3);
  } finally {
    await srv.stop();
  }
});

test("a client that stops reading is disconnected, then resumes losing nothing", async () => {
  // Small buffers so the backlog shows within a second or two.
  const srv = await startServer(["--interval-ms", "1", "--retry", "100", "--pad", "500",
    "--sndbuf", "8192", "--max-backlog", "4096", "--history", "2000", "--max-lag", "300"]);
  try {
    const healthy = openStream(srv.port);
    const slow = stalledClient(srv.port);
    let st;
    const deadline = Date.now() + 20000;
    while ((st = await srv.stats()).kicked_slow < 1) {
      assert.ok(Date.now() < deadline, "slow client never disconnected");
      await sleep(50);
    }
    // What the slow client still gets is what was in flight; its last
    // complete event is where it resumes from.
    const got = await drain(slow);
    const body = got.slice(got.indexOf("\r\n\r\n") + 4);
    const ids = events(body).map((e) => Number(e.id));
    assert.ok(ids.length > 0);
    assertConsecutive(assert, ids, ids[0]);
    // Resume as EventSource does: from the last complete event, again
    // after every cut (on a loaded machine the resumed client can itself
    // fall behind and be let go); nothing may be missing or repeated.
    const resumedIds = [];
    let last = ids.at(-1);
    const until = Date.now() + 30000;
    while (resumedIds.length < 400) {
      assert.ok(Date.now() < until, `resumed only ${resumedIds.length} events`);
      const resumed = openStream(srv.port, { lastEventId: String(last) });
      await resumed.until((x) => x.ended || resumedIds.length + x.events().length >= 400,
        Math.max(until - Date.now(), 1), "400 resumed events");
      resumed.close();
      assert.doesNotMatch(resumed.text, /event: resync/);
      resumedIds.push(...resumed.ids());
      if (resumedIds.length) last = resumedIds.at(-1);
    }
    assertConsecutive(assert, resumedIds, ids.at(-1) + 1);
    // The healthy client was never cut.
    assert.equal(healthy.ended, false);
    assertConsecutive(assert, healthy.ids(), healthy.ids()[0]);
    healthy.close();
  } finally {
    await srv.stop();
  }
});

test("--close-after ends every stream after N events", async () => {
  const srv = await startServer([...FAST, "--close-after", "5"]);
  try {
    const a = openStream(srv.port);
    await a.until((x) => x.ended, 3000, "the end of the stream");
    assert.equal(a.events().length, 5);
    const b = openStream(srv.port, { lastEventId: String(a.ids().at(-1)) });
    await b.until((x) => x.ended, 3000, "the end of the stream");
    assertConsecutive(assert, [...a.ids(), ...b.ids()], a.ids()[0]);
  } finally {
    await srv.stop();
  }
});

test("random aborts: a reconnecting client still gets every event once", async () => {
  const srv = await startServer([...FAST, "--close-random", "0.1", "--seed", "7"]);
  try {
    const ids = [];
    let last, connections = 0;
    while (ids.length < 300) {
      const s = openStream(srv.port, { lastEventId: last });
      connections++;
      await s.until((x) => x.ended, 10000, "an abort");
      for (const e of s.events()) ids.push(Number(e.id));
      if (ids.length) last = String(ids.at(-1));
    }
    assert.ok(connections >= 10, `only ${connections} connections`);
    assertConsecutive(assert, ids, ids[0]);
  } finally {
    await srv.stop();
  }
});

test("POST /drop?client= drops only that page's stream", async () => {
  const srv = await startServer(FAST);
  try {
    const mine = openStream(srv.port, { query: "?client=abc" });
    const other = openStream(srv.port, { query: "?client=def" });
    await mine.until((x) => x.events().length >= 3);
    await other.until((x) => x.events().length >= 3);
    const r = await request(srv.port, "/drop?client=abc", { method: "POST" });
    assert.deepEqual(JSON.parse(r.body), { dropped: 1 });
    await mine.until((x) => x.ended, 3000, "the drop");
    const n = other.events().length;
    await other.until((x) => x.events().length >= n + 5);
    assert.equal(other.ended, false);
    other.close();
  } finally {
    await srv.stop();
  }
});

test("the page, and errors for other paths and methods", async () => {
  const srv = await startServer(FAST);
  try {
    const page = await request(srv.port, "/");
    assert.equal(page.status, 200);
    assert.match(page.headers["content-type"], /^text\/html/);
    assert.match(page.body, /new EventSource\(/);
    assert.equal((await request(srv.port, "/nope")).status, 404);
    const put = await request(srv.port, "/events", { method: "PUT" });
    assert.equal(put.status, 405);
    assert.equal(put.headers.allow, "GET, HEAD");
    assert.equal((await request(srv.port, "/drop")).status, 405);
    const icon = await request(srv.port, "/favicon.ico");
    assert.equal(icon.status, 200);
    assert.equal(icon.headers["content-type"], "image/svg+xml");
    assert.match(icon.body, /^<svg /);
    assert.match(page.body, /<link rel="icon" href="\/favicon.ico"/);
    assert.match(page.body, /<meta name="viewport" content="width=device-width/);
  } finally {
    await srv.stop();
  }
});

test("HEAD answers like GET without a body, and opens no stream", async () => {
  const srv = await startServer(FAST);
  try {
    for (const path of ["/", "/events", "/stats", "/favicon.ico"]) {
      const get = path === "/events" ? null : await request(srv.port, path);
      const head = await request(srv.port, path, { method: "HEAD" });
      assert.equal(head.status, 200, path);
      assert.equal(head.body, "", path);
      if (get) assert.equal(head.headers["content-type"], get.headers["content-type"], path);
    }
    const head = await request(srv.port, "/events", { method: "HEAD" });
    assert.equal(head.headers["content-type"], "text/event-stream");
    assert.equal(head.headers["cache-control"], "no-cache");
    assert.equal(head.headers["x-accel-buffering"], "no");
    const stats = await srv.stats();
    assert.equal(stats.connections, 0);
    assert.equal(stats.clients, 0);
  } finally {
    await srv.stop();
  }
});

for (const signal of ["SIGINT", "SIGTERM"]) {
  test(`${signal} shuts down cleanly with clients connected`, async () => {
    const srv = await startServer(FAST);
    const streams = [openStream(srv.port), openStream(srv.port, { lastEventId: "1" })];
    await Promise.all(streams.map((s) => s.until((x) => x.events().length >= 3)));
    const t0 = Date.now();
    const { code, stderr } = await srv.stop(signal);
    assert.equal(code, 0, stderr);
    assert.ok(Date.now() - t0 < 2000);
    assert.match(stderr, new RegExp(`${signal}, shutting down`));
    await Promise.all(streams.map((s) => s.until((x) => x.ended, 2000, "the close")));
  });
}

test("--allow-origin: that origin's pages may read the stream, with credentials", async () => {
  const srv = await startServer([...FAST, "--allow-origin", "https://app.example"]);
  try {
    const ok = await openStream(srv.port, { headers: { Origin: "https://app.example" } }).ready;
    assert.equal(ok.headers["access-control-allow-origin"], "https://app.example");
    assert.equal(ok.headers["access-control-allow-credentials"], "true");
    assert.equal(ok.headers["vary"], "Origin");
    ok.close();
    const other = await openStream(srv.port, { headers: { Origin: "https://evil.example" } }).ready;
    assert.equal(other.headers["access-control-allow-origin"], undefined);
    assert.equal(other.headers["access-control-allow-credentials"], undefined);
    other.close();
    // Without the option, no page of another origin may.
    const plain = await startServer(FAST);
    try {
      const s = await openStream(plain.port, { headers: { Origin: "https://app.example" } }).ready;
      assert.equal(s.headers["access-control-allow-origin"], undefined);
      s.close();
    } finally {
      await plain.stop();
    }
  } finally {
    await srv.stop();
  }
});

// A raw connection that sends `request` and collects what comes back.
function rawClient(port, request, { halfClose = false } = {}) {
  const sock = net.connect(port, "127.0.0.1");
  const c = { text: "", closedAt: null, sock, opened: Date.now() };
  sock.on("connect", () => {
    sock.write(request);
    if (halfClose) sock.end(); // shuts down our sending side only
  });
  sock.on("data", (d) => (c.text += d));
  sock.on("close", () => (c.closedAt = Date.now()));
  sock.on("error", () => {});
  return c;
}

// CPU seconds the process has used (user + system).
function cpuSeconds(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(f[11]) + Number(f[12])) / 100;
}

test("a client that half-closes after its request is still a reader", async () => {
  const srv = await startServer([...FAST]);
  try {
    const c = rawClient(srv.port, "GET /events HTTP/1.1\r\nHost: x\r\n\r\n", { halfClose: true });
    await sleep(1000);
    assert.equal(c.closedAt, null, "the server ended the stream");
    const ids = events(c.text.slice(c.text.indexOf("\r\n\r\n") + 4).replace(/\r\n[0-9a-f]+\r\n/g, ""))
      .map((e) => Number(e.id));
    assert.ok(ids.length >= 10, `only ${ids.length} events in a second`);
    c.sock.destroy();
  } finally {
    await srv.stop();
  }
});

// Decodes an HTTP/1.1 chunked body strictly (RFC 9112 7.1): each chunk is
// a hex size, CRLF, exactly that many bytes, CRLF. A chunk cut off by the
// end of what was read is left out. Throws on any framing error.
function dechunk(body) {
  const out = [];
  let at = 0;
  for (;;) {
    const eol = body.indexOf("\r\n", at);
    if (eol < 0) break;
    const size = body.subarray(at, eol).toString("latin1");
    assert.match(size, /^[0-9a-f]+$/, `chunk size line at byte ${at}`);
    const n = parseInt(size, 16);
    if (eol + 2 + n + 2 > body.length) break;
    assert.equal(body.subarray(eol + 2 + n, eol + 4 + n).toString("latin1"), "\r\n",
      `chunk at byte ${at} ends with CRLF`);
    out.push(body.subarray(eol + 2, eol + 2 + n));
    at = eol + 4 + n;
  }
  return Buffer.concat(out).toString("utf8");
}

test("a reader that keeps pausing gets whole chunks and every event", async () => {
  // A small kernel buffer and big events: most writes are partial, and the
  // rest of each chunk waits in the server's queue.
  const srv = await startServer(["--interval-ms", "1", "--pad", "512", "--sndbuf", "4096",
    "--retry", "100"]);
  try {
    const sock = net.connect(srv.port, "127.0.0.1");
    const got = [];
    sock.on("connect", () => sock.write("GET /events HTTP/1.1\r\nHost: x\r\n\r\n"));
    sock.on("data", (d) => {
      got.push(d);
      sock.pause();
      setTimeout(() => sock.resume(), 5);
    });
    await sleep(3000);
    sock.destroy();
    const all = Buffer.concat(got);
    const head = all.indexOf("\r\n\r\n");
    assert.match(all.subarray(0, head).toString("latin1"), /Transfer-Encoding: chunked/i);
    const ids = events(dechunk(all.subarray(head + 4))).map((e) => Number(e.id));
    assert.ok(ids.length >= 100, `only ${ids.length} events`);
    assertConsecutive(assert, ids, ids[0]);
    assert.equal((await srv.stats()).kicked_slow, 0);
  } finally {
    await srv.stop();
  }
});

test("a NUL byte in Last-Event-ID is refused, not cut short", async () => {
  // evhttp would cut the value at the NUL: "3<NUL>9" would resume from 3.
  const srv = await startServer([...FAST]);
  try {
    const sent = await openStream(srv.port).until((x) => x.ids().length >= 5, 5000, "5 events");
    sent.close();
    const request = "GET /events HTTP/1.1\r\nHost: x\r\nLast-Event-ID: 3\u00009\r\n\r\n";
    // Whole, and one byte per write (the NUL arriving on its own).
    for (const bytewise of [false, true]) {
      const sock = net.connect(srv.port, "127.0.0.1");
      sock.setNoDelay(true);
      let text = "";
      sock.on("data", (d) => (text += d));
      sock.on("error", () => {});
      const closed = new Promise((resolve) => sock.on("close", resolve));
      await new Promise((resolve) => sock.on("connect", resolve));
      if (!bytewise) sock.write(request, "latin1");
      else for (const ch of request) { sock.write(ch, "latin1"); await sleep(2); }
      await Promise.race([closed, sleep(3000)]);
      sock.destroy();
      assert.match(text, /^HTTP\/1\.1 400 /, `bytewise ${bytewise}`);
      assert.doesNotMatch(text, /id: /);
    }
    const st = await srv.stats();
    assert.equal(st.connections, 1, "only the first stream was opened");
    assert.equal(st.resumed, 0);
  } finally {
    await srv.stop();
  }
});

test("a request never finished is closed after --request-timeout-ms", async () => {
  const srv = await startServer([...FAST, "--request-timeout-ms", "500"]);
  try {
    const c = rawClient(srv.port, "GET /events HTTP/1.1\r\nHost: x\r\n");
    while (c.closedAt === null) {
      assert.ok(Date.now() - c.opened < 5000, "the half-sent request was kept");
      await sleep(20);
    }
    assert.ok(c.closedAt - c.opened >= 400, "closed before the timeout");
    // An idle stream is not a slow request: it outlives the timeout.
    const s = openStream(srv.port);
    await sleep(1200);
    assert.equal(s.ended, false);
    s.close();
  } finally {
    await srv.stop();
  }
});

test("out of descriptors: accepting pauses quietly, and resumes", async () => {
  // 64 descriptors, 100 half-sent requests held open (slowloris).
  const srv = await startServer([...FAST, "--request-timeout-ms", "2000"], { fdLimit: 64 });
  try {
    const attackers = [];
    for (let i = 0; i < 100; i++)
      attackers.push(rawClient(srv.port, "GET /events HTTP/1.1\r\nHost: x\r\n"));
    await sleep(300);
    const cpu0 = cpuSeconds(srv.pid);
    await sleep(1000);
    const cpu = cpuSeconds(srv.pid) - cpu0;
    assert.ok(cpu < 0.3, `the server used ${cpu} s of CPU in 1 s while out of descriptors`);
    // As the half-sent requests time out, descriptors free up: a new
    // client is served.
    const s = openStream(srv.port);
    await s.until((x) => x.events().length >= 1, 15000, "an event for a new client");
    s.close();
    for (const a of attackers) a.sock.destroy();
    const lines = srv.stderr().split("\n").filter((l) => l.includes("accept"));
    assert.ok(lines.length >= 1 && lines.length <= 6, `log lines: ${lines.join(" | ")}`);
  } finally {
    await srv.stop();
  }
});
