// The demo in a real browser: Debian's chromium, driven headless by
// playwright-core (which never downloads a browser of its own), opens the
// demo page, receives events through EventSource, is made to reconnect
// several times with the page's drop button, and must end with every event
// id exactly once, in order. The events Chromium decoded are then compared
// with what sse-dump (our parser) reads from the same stream fetched by
// curl: the encoder's frames mean the same to both.
//
// Environment: SSE_SERVER, SSE_DUMP (binaries), SSE_NODE_MODULES (where
// playwright-core is installed), SSE_SCREENSHOT (PNG to write), CHROMIUM
// (default /usr/bin/chromium).
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { test } from "node:test";
import { startServer } from "../server/harness.mjs";

const require = createRequire(process.env.SSE_NODE_MODULES + "/");
const { chromium } = require("playwright-core");

const RECONNECTS = 4;
const EVENTS = 160;

test("the demo page resumes across reconnects with every id once, in order", async (t) => {
  const srv = await startServer(["--interval-ms", "20", "--retry", "200"]);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    // No background traffic: this machine has no network beyond loopback.
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  t.after(async () => { await browser.close(); await srv.stop(); });

  const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(srv.url("/"));
  const count = () => page.evaluate(() => window.demo.events.length);
  const opens = () => page.evaluate(() => window.demo.opens);
  await page.waitForFunction(() => window.demo.events.length >= 20, null, { timeout: 15000 });

  for (let i = 0; i < RECONNECTS; i++) {
    const before = await opens();
    const seen = await count();
    await page.click("#drop");
    // Reconnected (after the 200 ms retry), and events flow again.
    await page.waitForFunction((n) => window.demo.opens > n, before, { timeout: 10000 });
    await page.waitForFunction((n) => window.demo.events.length >= n + 15, seen, { timeout: 10000 });
  }
  await page.waitForFunction((n) => window.demo.events.length >= n, EVENTS, { timeout: 20000 });

  const demo = await page.evaluate(() => window.demo);
  assert.deepEqual(errors, []);
  assert.ok(demo.opens >= RECONNECTS + 1, `${demo.opens} connections`);
  assert.equal(demo.resyncs, 0);
  assert.equal(demo.gaps, 0);
  const ids = demo.events.map((e) => Number(e.id));
  assert.deepEqual(ids, ids.map((_, i) => ids[0] + i), "ids not consecutive");
  const st = await srv.stats();
  assert.ok(st.dropped_by_request >= RECONNECTS && st.resumed >= RECONNECTS);

  const shot = process.env.SSE_SCREENSHOT;
  mkdirSync(dirname(shot), { recursive: true });
  await page.screenshot({ path: shot, fullPage: true });

  // The same events as our parser reads them: replay from the history.
  // curl ends at --max-time (exit status 28): the stream itself never ends.
  const curl = spawnSync("curl", ["-sN", "--max-time", "2",
    "-H", `Last-Event-ID: ${ids[0] - 1}`, srv.url("/events")], { maxBuffer: 1 << 24 });
  assert.equal(curl.status, 28, String(curl.stderr));
  const dumped = execFileSync(process.env.SSE_DUMP, [], { input: curl.stdout, encoding: "utf8" })
    .trim().split("\n").map((l) => JSON.parse(l)).filter((r) => "data" in r);
  const byId = new Map(dumped.map((r) => [r.id, r]));
  for (const e of demo.events) {
    const r = byId.get(e.id);
    assert.ok(r, `sse-dump has no event ${e.id}`);
    assert.equal(e.type, r.type, `type of ${e.id}`);
    assert.equal(e.data, r.data, `data of ${e.id}`);
  }

  // And what the server gave the encoder arrives unchanged (line ends as
  // LF): the feed's awkward tokens, as feed.c lists them.
  const tokens = new Set(demo.events.filter((e) => e.type === "token").map((e) => e.data));
  for (const want of [" Events", "\n\n", "\n", "    indented code", "data: not a",
    " \u2192", " \u2713", " \u{1F642}"])
    assert.ok(tokens.has(want), `token ${JSON.stringify(want)} not received`);
});
