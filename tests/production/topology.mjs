// The production topology on loopback: redis-server, several sse-server
// instances sharing their history on it, and nginx in front (TLS with a
// certificate made here by openssl, HTTP/2, proxy_buffering off, the
// instances as one upstream), from deploy/nginx/sse.conf.in. Every part on
// a free port, everything in one temporary directory, all stopped by stop().
// Used by the production tests and by ./.ci/production.
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { sleep } from "../server/harness.mjs";
import { following, freePorts, startInstances, startRedis } from "../server/redis.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

function canConnect(port) {
  return new Promise((resolve) => {
    const s = net.connect(port, "127.0.0.1");
    s.on("connect", () => { s.destroy(); resolve(true); });
    s.on("error", () => resolve(false));
  });
}

// { instances, intervalMs, publish, extra }: as startInstances.
export async function startTopology({ instances = 3, intervalMs = 10, publish = true,
  extra = [] } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "sse-production-"));
  chmodSync(dir, 0o755); // nginx's workers may run as another user
  const cert = join(dir, "cert.pem"), key = join(dir, "key.pem");
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
    "-keyout", key, "-out", cert], { stdio: "ignore" });
  const redis = await startRedis();
  const servers = [];
  let nginx = null, nginxExited = null;
  // Whatever has started is stopped again if the rest does not start.
  const stopAll = async () => {
    if (nginx && nginx.exitCode === null && nginx.signalCode === null) {
      nginx.kill("SIGTERM");
      await nginxExited;
    }
    for (const s of servers)
      if (s.proc.exitCode === null && s.proc.signalCode === null) await s.stop();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  const [tlsPort, httpPort] = await freePorts(2);
  try {
    servers.push(...await startInstances(redis, instances, { intervalMs, publish, extra }));
    await following(servers);
    const conf = readFileSync(join(root, "deploy/nginx/sse.conf.in"), "utf8")
      .replaceAll("@PREFIX@", dir).replaceAll("@CERT@", cert).replaceAll("@KEY@", key)
      .replaceAll("@TLS_PORT@", String(tlsPort)).replaceAll("@HTTP_PORT@", String(httpPort))
      .replaceAll("@UPSTREAMS@", servers.map((s) => `server 127.0.0.1:${s.port};`).join("\n        "));
    writeFileSync(join(dir, "nginx.conf"), conf);
    nginx = spawn("nginx", ["-p", dir, "-c", join(dir, "nginx.conf"), "-e", join(dir, "error.log")],
      { stdio: ["ignore", "pipe", "pipe"] });
    let nginxOut = "";
    nginx.stderr.on("data", (d) => (nginxOut += d));
    nginxExited = new Promise((resolve) => nginx.on("exit", resolve));
    for (const until = Date.now() + 5000; !(await canConnect(tlsPort)); await sleep(20))
      assert.ok(Date.now() < until && nginx.exitCode === null,
        `nginx did not start: ${nginxOut} ${(() => { try { return readFileSync(join(dir, "error.log"), "utf8"); } catch { return ""; } })()}`);
  } catch (e) {
    await stopAll();
    throw e;
  }
  return {
    dir, cert, redis, servers, tlsPort, httpPort,
    ca: readFileSync(cert),
    url: (path) => `https://127.0.0.1:${tlsPort}${path}`,
    httpUrl: (path) => `http://127.0.0.1:${httpPort}${path}`,
    stop: stopAll,
    // Every instance stopped, then started again on its port (nginx's
    // upstream stays as it is); resolves once all follow the stream.
    async restartInstances() {
      const ports = servers.map((s) => s.port);
      for (const s of servers)
        if (s.proc.exitCode === null && s.proc.signalCode === null) await s.stop();
      servers.splice(0, servers.length,
        ...await startInstances(redis, ports.length, { intervalMs, publish, extra, ports }));
      await following(servers);
    },
  };
}
