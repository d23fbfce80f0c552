// Shared by the server tests: start sse-server on a free loopback port,
// open streams with real HTTP clients, and read what arrives.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import http from "node:http";
import net from "node:net";

export const SERVER = process.env.SSE_SERVER;
if (!SERVER) throw new Error("set SSE_SERVER to the sse-server binary");

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Starts the server with --port 0 and the given options; resolves once it
// prints the address it listens on. { fdLimit } runs it with that many
// descriptors at most (ulimit -n). stop() sends a signal and asserts the
// clean exit every scenario must end with: status 0, no sanitizer report.
export function startServer(args = [], { fdLimit } = {}) {
  const argv = ["--port", "0", ...args];
  const proc = fdLimit
    ? spawn("sh", ["-c", `ulimit -n ${fdLimit} && exec "$0" "$@"`, SERVER, ...argv],
      { stdio: ["ignore", "pipe", "pipe"] })
    : spawn(SERVER, argv, { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  proc.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise((resolve) =>
    proc.on("exit", (code, signal) => resolve({ code, signal, stderr })));
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error("server did not start: " + stderr)), 5000);
    proc.stdout.on("data", (d) => {
      out += d;
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)\//.exec(out);
      if (m) {
        clearTimeout(timer);
        const port = Number(m[1]);
        resolve({
          port, proc, exited,
          url: (path) => `http://127.0.0.1:${port}${path}`,
          stats: () => getJson(port, "/stats"),
          pid: proc.pid,
          stderr: () => stderr,
          async stop(signal = "SIGTERM") {
            if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
            const result = await exited;
            assert.equal(result.signal, null, `sse-server killed by ${result.signal}: ${stderr}`);
            assert.equal(result.code, 0, `sse-server exited ${result.code}: ${stderr}`);
            assert.doesNotMatch(stderr, /Sanitizer|runtime error/, stderr);
            return result;
          },
        });
      }
    });
    proc.on("exit", () => reject(new Error("server exited: " + stderr)));
  });
}

export function request(port, path, { method = "GET", headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, path, method, headers, agent: false },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (d) => (body += d));
        res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body }));
      });
    req.on("error", reject);
    req.end();
  });
}

export async function getJson(port, path) {
  return JSON.parse((await request(port, path)).body);
}

// The event-stream frames in text: blocks ending in a blank line, each as
// {raw, fields: [[name, value]...], id, type, data}. The server writes
// only LF line ends, so this is all the parsing the tests need.
export function frames(text) {
  const out = [];
  let start = 0;
  for (;;) {
    const end = text.indexOf("\n\n", start);
    if (end < 0) return out;
    const raw = text.slice(start, end + 2);
    const fields = raw.slice(0, -2).split("\n").map((line) => {
      const colon = line.indexOf(":");
      if (colon < 0) return [line, ""];
      let value = line.slice(colon + 1);
      if (value.startsWith(" ")) value = value.slice(1);
      return [line.slice(0, colon), value];
    });
    const get = (name) => fields.filter(([n]) => n === name).map(([, v]) => v);
    out.push({
      raw, fields,
      id: get("id").at(-1),
      type: get("event").at(-1),
      data: get("data").length ? get("data").join("\n") : undefined,
    });
    start = end + 2;
  }
}

// The events (frames with data) in text.
export const events = (text) => frames(text).filter((f) => f.data !== undefined);

// An open stream: its status, headers, and everything received so far.
export function openStream(port, { lastEventId, query = "", headers = {} } = {}) {
  const h = { Accept: "text/event-stream", ...headers };
  if (lastEventId !== undefined) h["Last-Event-ID"] = lastEventId;
  const s = { text: "", ended: false, status: 0, headers: {}, arrivals: [] };
  s.ready = new Promise((resolve, reject) => {
    s.req = http.get({ host: "127.0.0.1", port, path: "/events" + query, headers: h, agent: false },
      (res) => {
        s.status = res.statusCode;
        s.headers = res.headers;
        res.setEncoding("utf8");
        res.on("data", (d) => {
          s.text += d;
          s.arrivals.push({ at: Date.now(), text: d });
        });
        const done = () => (s.ended = true);
        res.on("end", done);
        res.on("close", done);
        resolve(s);
      });
    s.req.on("error", (e) => { s.ended = true; s.error = e; resolve(s); });
  });
  s.events = () => events(s.text);
  s.ids = () => s.events().map((e) => Number(e.id));
  // Waits until pred(s) holds, or fails after ms.
  s.until = async (pred, ms = 5000, what = "condition") => {
    const deadline = Date.now() + ms;
    while (!pred(s)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(s.text.slice(-300))}`);
      await sleep(10);
    }
    return s;
  };
  s.close = () => s.req.destroy();
  return s;
}

// A client that sends its request and then never reads: the slow client.
export function stalledClient(port) {
  const sock = net.connect(port, "127.0.0.1");
  sock.write("GET /events HTTP/1.0\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n");
  sock.pause();
  return sock;
}

// Reads everything a socket still delivers until the peer closes it.
export function drain(sock, ms = 10000) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    const timer = setTimeout(() => reject(new Error("socket not closed")), ms);
    sock.on("data", (d) => chunks.push(d));
    sock.on("close", () => { clearTimeout(timer); resolve(Buffer.concat(chunks).toString("utf8")); });
    sock.on("error", () => {});
    sock.resume();
  });
}

// Ids must run first, first+1, ... with none missing and none repeated.
export function assertConsecutive(assert, ids, first) {
  assert.ok(ids.length > 0, "no events");
  const expected = ids.map((_, i) => first + i);
  assert.deepStrictEqual(ids, expected);
}
