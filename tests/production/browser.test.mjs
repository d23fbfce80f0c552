// The production topology (topology.mjs) in a real browser: Debian's
// chromium, headless, driven by playwright-core (tests/browser/run.sh
// installs it). It trusts nothing but loopback and our throwaway
// certificate (--ignore-certificate-errors).
//   - Ten EventSources on one page: over HTTP/2 through nginx all ten get
//     events; over HTTP/1.1 the browser opens six connections per host and
//     the seventh stream never starts. This documents the trap.
//   - A page on another origin reads the stream with withCredentials when
//     the servers allow that origin, and is refused when they do not.
// Environment: SSE_SERVER, SSE_NODE_MODULES, CHROMIUM.
import assert from "node:assert/strict";
import http from "node:http";
import { createRequire } from "node:module";
import { test } from "node:test";
import { startTopology } from "./topology.mjs";

const require = createRequire(process.env.SSE_NODE_MODULES + "/");
const { chromium } = require("playwright-core");

const launch = () => chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--ignore-certificate-errors"],
});

// In the page: opens n EventSources on url and reports, after ms, how many
// events each got and whether each saw an error.
function openSources({ url, n, ms, withCredentials }) {
  return new Promise((resolve) => {
    const got = Array.from({ length: n }, () => ({ events: 0, errors: 0 }));
    const sources = got.map((g) => {
      const es = new EventSource(url, { withCredentials });
      es.addEventListener("token", () => g.events++);
      es.addEventListener("progress", () => g.events++);
      es.onerror = () => g.errors++;
      return es;
    });
    setTimeout(() => { sources.forEach((es) => es.close()); resolve(got); }, ms);
  });
}

test("ten EventSources: all stream over HTTP/2, the seventh never starts over HTTP/1.1", async (t) => {
  const topo = await startTopology({ intervalMs: 50 });
  const browser = await launch();
  t.after(async () => { await browser.close(); await topo.stop(); });
  const page = await browser.newPage();
  // Any page of that origin will do: the server's 404 is one.
  await page.goto(topo.url("/blank"));
  const h2 = await page.evaluate(openSources, { url: "/events", n: 10, ms: 3000 });
  assert.deepEqual(h2.map((g) => g.events > 0), Array(10).fill(true), JSON.stringify(h2));

  await page.goto(topo.httpUrl("/blank"));
  const h1 = await page.evaluate(openSources, { url: "/events", n: 10, ms: 3000 });
  const streaming = h1.map((g) => g.events > 0);
  assert.deepEqual(streaming, [...Array(6).fill(true), ...Array(4).fill(false)],
    JSON.stringify(h1));
  console.log(`HTTP/2: ${h2.filter((g) => g.events).length} of 10 streaming; ` +
    `HTTP/1.1: ${streaming.filter(Boolean).length} of 10`);
});

test("a page on another origin reads the stream with credentials only if allowed", async (t) => {
  const blank = (req, res) => {
    res.writeHead(200, { "content-type": "text/html" });
    res.end("<!doctype html><title>another origin</title>");
  };
  const pages = [http.createServer(blank), http.createServer(blank)];
  t.after(() => { for (const p of pages) p.close(); });
  for (const p of pages) await new Promise((r) => p.listen(0, "127.0.0.1", r));
  const [allowedPort, otherPort] = pages.map((p) => p.address().port);
  const topo = await startTopology({ intervalMs: 50,
    extra: ["--allow-origin", `http://127.0.0.1:${allowedPort}`] });
  t.after(() => topo.stop());
  const browser = await launch();
  t.after(() => browser.close());
  const page = await browser.newPage();
  const read = async (port) => {
    await page.goto(`http://127.0.0.1:${port}/`);
    const [got] = await page.evaluate(openSources,
      { url: topo.url("/events"), n: 1, ms: 2500, withCredentials: true });
    return got;
  };
  const allowed = await read(allowedPort);
  assert.ok(allowed.events > 0 && allowed.errors === 0, JSON.stringify(allowed));
  const refused = await read(otherPort);
  assert.ok(refused.events === 0 && refused.errors > 0, JSON.stringify(refused));
});
