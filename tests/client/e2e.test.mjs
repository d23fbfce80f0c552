// End-to-end tests of sse-get (examples/tools/sse_get.c) against sse-server on
// loopback: fault injection, idle timeout, retry, 204 / 500 / wrong type,
// and sse-get versus curl -N piped into sse-dump.
//   SSE_SERVER=... SSE_GET=... SSE_DUMP=... node --test this-file
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { test } from "node:test";
import { sleep, startServer } from "../server/harness.mjs";

const GET = process.env.SSE_GET, DUMP = process.env.SSE_DUMP;

// Runs sse-get to its end (bounded by ms); returns its JSON lines.
function sseGet(args, ms = 30000) {
  const proc = spawn(GET, args, { stdio: ["ignore", "pipe", "pipe"] });
  const t0 = Date.now();
  const done = new Promise((resolve, reject) => {
    let out = "", err = "";
    proc.stdout.on("data", (d) => (out += d));
    proc.stderr.on("data", (d) => (err += d));
    const timer = setTimeout(() => { proc.kill("SIGKILL"); reject(new Error("sse-get hung: " + err)); }, ms);
    proc.on("exit", (code) => {
      clearTimeout(timer);
      const lines = out.trim() ? out.trim().split("\n").map((l) => JSON.parse(l)) : [];
      resolve({ code, lines, events: lines.filter((l) => "data" in l), stderr: err, ms: Date.now() - t0 });
    });
  });
  done.proc = proc; // to send it signals
  return done;
}

const ids = (events) => events.map((e) => Number(e.id));
const consecutive = (list) => list.map((_, i) => list[0] + i);

test("closed after every 5 events: each event once, in order", async () => {
  const srv = await startServer(["--interval-ms", "5", "--retry", "20", "--close-after", "5"]);
  try {
    const r = await sseGet(["--max-events", "150", srv.url("/events")]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.events.length, 150);
    assert.deepEqual(ids(r.events), consecutive(ids(r.events)));
    assert.ok((r.stderr.match(/reconnecting in 20 ms/g) || []).length >= 29, r.stderr);
  } finally {
    await srv.stop();
  }
});

test("aborted at random: each event once, in order", async () => {
  const srv = await startServer(["--interval-ms", "5", "--retry", "20", "--close-random", "0.05", "--seed", "3"]);
  try {
    const r = await sseGet(["--max-events", "300", srv.url("/events")]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(ids(r.events), consecutive(ids(r.events)));
    assert.equal(r.events.length, 300);
    assert.ok((r.stderr.match(/reconnecting/g) || []).length >= 5, r.stderr);
    assert.ok((await srv.stats()).resumed >= 5);
  } finally {
    await srv.stop();
  }
});

test("a silent server: reconnect after the idle timeout, nothing repeated", async () => {
  const srv = await startServer(["--interval-ms", "5", "--retry", "50", "--max-events", "3", "--heartbeat-ms", "0"]);
  try {
    await sleep(100);
    const r = await sseGet(["--idle-timeout", "1", "--max-reconnects", "2", "--last-event-id", "1",
      srv.url("/events")]);
    assert.equal(r.code, 1); // gave up after 2 reconnects, as asked
    assert.equal((r.stderr.match(/no data within --idle-timeout; reconnecting/g) || []).length, 2, r.stderr);
    assert.match(r.stderr, /giving up after 2 reconnects/);
    assert.ok(r.ms >= 3000, `${r.ms} ms for 3 idle periods of 1 s`);
    assert.deepEqual(ids(r.events), [2, 3]);
    assert.equal((await srv.stats()).resumed, 3);
  } finally {
    await srv.stop();
  }
});

test("a heartbeat keeps an idle connection alive", async () => {
  const srv = await startServer(["--max-events", "1", "--heartbeat-ms", "300", "--interval-ms", "5"]);
  try {
    const p = sseGet(["--idle-timeout", "1", srv.url("/events")]);
    await sleep(2500);
    assert.equal((await srv.stats()).connections, 1, "reconnected despite heartbeats");
    p.proc.kill("SIGINT");
    const r = await p;
    assert.equal(r.code, 0);
    assert.doesNotMatch(r.stderr, /idle/);
  } finally {
    await srv.stop();
  }
});

test("the server's retry sets the reconnect delay", async () => {
  for (const retry of [100, 700]) {
    const srv = await startServer(["--interval-ms", "5", "--retry", String(retry), "--close-after", "2"]);
    try {
      const r = await sseGet(["--max-events", "8", srv.url("/events")]);
      assert.equal(r.code, 0, r.stderr);
      // Three reconnects, each waiting exactly the server's retry.
      assert.equal((r.stderr.match(new RegExp(`reconnecting in ${retry} ms`, "g")) || []).length, 3, r.stderr);
      assert.ok(r.ms >= 3 * retry, `${r.ms} ms`);
      assert.deepEqual(ids(r.events), consecutive(ids(r.events)));
    } finally {
      await srv.stop();
    }
  }
});

test("204 stops, 500 and a wrong content type fail without reconnecting", async () => {
  for (const [status, code, message] of [
    ["204", 0, /204 No Content: the server says stop/],
    ["500", 1, /HTTP status 500, not 200: giving up/],
  ]) {
    const srv = await startServer(["--status", status]);
    try {
      const r = await sseGet([srv.url("/events")]);
      assert.equal(r.code, code);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /reconnecting/);
      assert.equal(r.lines.length, 0);
    } finally {
      await srv.stop();
    }
  }
  const srv = await startServer([]);
  try {
    const r = await sseGet([srv.url("/stats")]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /content type "application\/json", not text\/event-stream: giving up/);
    const refused = await sseGet(["--max-reconnects", "2", "--retry", "10", "http://127.0.0.1:1/"]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /connection refused or unreachable; giving up after 2 reconnects/);
  } finally {
    await srv.stop();
  }
});

test("sse-get and curl -N | sse-dump see the same events", async () => {
  const srv = await startServer(["--interval-ms", "5", "--max-events", "60"]);
  try {
    while ((await srv.stats()).newest < 60) await sleep(20);
    const r = await sseGet(["--max-events", "59", "--last-event-id", "1", srv.url("/events")]);
    const curl = spawnSync("curl", ["-sN", "--max-time", "1", "-H", "Last-Event-ID: 1", srv.url("/events")]);
    assert.equal(curl.status, 28);
    const dumped = spawnSync(DUMP, [], { input: curl.stdout, encoding: "utf8" }).stdout
      .trim().split("\n").map((l) => JSON.parse(l));
    assert.equal(r.events.length, 59);
    assert.deepEqual(r.lines, dumped);
  } finally {
    await srv.stop();
  }
});

test("SIGINT exits cleanly with complete lines", async () => {
  const srv = await startServer(["--interval-ms", "5"]);
  try {
    const p = sseGet([srv.url("/events")]);
    await sleep(500);
    p.proc.kill("SIGINT");
    const r = await p;
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.events.length > 10);
    assert.equal(r.stderr, "");
  } finally {
    await srv.stop();
  }
});

// TLS: a node https server with a certificate made here (openssl, which
// Debian's ca-certificates brings), trusted by nothing on the machine.
test("TLS: --cacert and -k connect; an untrusted certificate ends the run", async (t) => {
  const https = await import("node:https");
  const { mkdtempSync, readFileSync, rmSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const dir = mkdtempSync(join(tmpdir(), "sse-tls-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const key = join(dir, "key.pem"), cert = join(dir, "cert.pem");
  const made = spawnSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes",
    "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1",
    "-addext", "subjectAltName=IP:127.0.0.1"], { encoding: "utf8" });
  if (made.error || made.status !== 0) {
    t.skip("openssl cannot make a certificate: " + (made.stderr || made.error));
    return;
  }
  let connections = 0;
  const server = https.createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (req, res) => {
    connections++;
    res.writeHead(200, { "Content-Type": "text/event-stream" });
    res.end("id: 1\ndata: one\n\nid: 2\ndata: two\n\n");
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => server.close());
  const url = `https://127.0.0.1:${server.address().port}/`;

  // Not trusted: one attempt, a message, exit 1 - never a retry loop.
  const untrusted = await sseGet(["--retry", "10", url], 15000);
  assert.equal(untrusted.code, 1, untrusted.stderr);
  assert.match(untrusted.stderr, /certificate error is not fixed by retrying/);
  assert.doesNotMatch(untrusted.stderr, /reconnecting/);
  assert.equal(untrusted.events.length, 0);

  for (const args of [["--cacert", cert], [`--cacert=${cert}`], ["-k"], ["--insecure"]]) {
    const r = await sseGet([...args, "--max-events", "2", url], 15000);
    assert.equal(r.code, 0, `${args}: ${r.stderr}`);
    assert.deepEqual(r.events.map((e) => e.data), ["one", "two"], args.join(" "));
  }

  const badFile = await sseGet(["--cacert", join(dir, "missing.pem"), "--retry", "10", url], 15000);
  assert.equal(badFile.code, 1, badFile.stderr);
  assert.match(badFile.stderr, /giving up/);
  assert.doesNotMatch(badFile.stderr, /reconnecting/);
  assert.ok(connections >= 4);
});

test("a reader that goes away (| head -1) is an ordinary end: exit 0", async () => {
  const srv = await startServer(["--interval-ms", "2"]);
  try {
    const r = spawnSync("bash", ["-c", `"$0" "$1" | head -n 1; exit \${PIPESTATUS[0]}`,
      GET, srv.url("/events")], { encoding: "utf8", timeout: 20000 });
    assert.equal(r.status, 0, `exit ${r.status} ${r.signal}: ${r.stderr}`);
    assert.equal(r.stderr, "");
    assert.deepEqual(JSON.parse(r.stdout), { retry: 2000 }); // the first line only
  } finally {
    await srv.stop();
  }
});
