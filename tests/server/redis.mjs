// redis-server for the tests: started on a free loopback port, stopped by
// the test; with { dir } it keeps an append-only file there.
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import net from "node:net";
import { sleep, startServer } from "./harness.mjs";

// n distinct free loopback ports: all are held open together before any is
// let go (asked for one at a time, the same port can come back twice).
export async function freePorts(n) {
  const held = [];
  for (let i = 0; i < n; i++)
    held.push(await new Promise((resolve, reject) => {
      const srv = net.createServer();
      srv.on("error", reject);
      srv.listen(0, "127.0.0.1", () => resolve(srv));
    }));
  const ports = held.map((srv) => srv.address().port);
  await Promise.all(held.map((srv) => new Promise((resolve) => srv.close(resolve))));
  return ports;
}

export const freePort = async () => (await freePorts(1))[0];

// A redis-server of our own; { dir } keeps an append-only file there, so a
// restart on the same port and directory keeps the stream.
export async function startRedis({ port, dir } = {}) {
  port = port || (await freePort());
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--save", ""];
  if (dir) args.push("--dir", dir, "--appendonly", "yes", "--appendfsync", "always");
  else args.push("--appendonly", "no");
  const proc = spawn("redis-server", args, { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  proc.stdout.on("data", (d) => (out += d));
  const exited = new Promise((resolve) => proc.on("exit", resolve));
  for (const until = Date.now() + 5000; !/Ready to accept connections/.test(out); await sleep(20))
    assert.ok(Date.now() < until && proc.exitCode === null, `redis-server did not start: ${out}`);
  const cli = (...a) => execFileSync("redis-cli", ["-p", String(port), ...a], { encoding: "utf8" });
  return {
    port, dir, cli,
    addr: `127.0.0.1:${port}`,
    // Entry ids in the stream, oldest first.
    ids: (key = "sse:demo") => cli("XRANGE", key, "-", "+").split("\n")
      .filter((l) => /^\d+-\d+$/.test(l)),
    async stop() {
      proc.kill("SIGTERM");
      await exited;
    },
  };
}

// Instances on one Redis; the first publishes every intervalMs. { ports }
// starts them on those ports (a restart) instead of free ones.
export async function startInstances(redis, n,
  { intervalMs = 10, publish = true, extra = [], ports = [] } = {}) {
  const out = [];
  for (let i = 0; i < n; i++)
    out.push(await startServer(["--redis", redis.addr, "--retry", "100",
      ...(ports[i] ? ["--port", String(ports[i])] : []),
      ...(i === 0 && publish ? ["--publish", "--interval-ms", String(intervalMs)] : []),
      ...extra]));
  return out;
}

// Until every instance follows the stream (it loaded what Redis keeps).
export async function following(instances) {
  for (const s of instances)
    for (const until = Date.now() + 10000; !(await s.stats()).following; await sleep(20))
      assert.ok(Date.now() < until, "an instance never followed the stream");
}

// ids must be exactly the stream's entries from the first of them on,
// each once and in order (the stream may go on after the last).
export function assertExactlyOnce(redis, ids) {
  const all = redis.ids();
  const from = all.indexOf(ids[0]);
  assert.ok(from >= 0, `first id ${ids[0]} not in the stream`);
  assert.deepEqual(ids, all.slice(from, from + ids.length));
}
