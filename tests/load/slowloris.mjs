// The slowloris check (a measurement, not a test): sse-server with a
// descriptor limit of FD_LIMIT, and HALF_SENT connections that each send
// part of a request header and then nothing. Reports the server's CPU while
// they hold it, when a legitimate client that arrives meanwhile gets its
// first event, how many log lines the episode cost, and how many of the
// half-sent requests the server had closed by then. Exit status 1 if the
// client was never served, or the server did not exit cleanly.
// Run it through .ci/load --slowloris.
//   SSE_SERVER=... node slowloris.mjs [HALF_SENT [FD_LIMIT]]
import net from "node:net";
import { openStream, sleep, startServer } from "../server/harness.mjs";
import { cpuSeconds } from "./proc.mjs";

const HALF_SENT = Number(process.argv[2] || 300);
const FD_LIMIT = Number(process.argv[3] || 256);

const srv = await startServer(["--interval-ms", "100"], { fdLimit: FD_LIMIT });
const socks = [];
const t0 = Date.now();
for (let i = 0; i < HALF_SENT; i++) {
  const s = net.connect(srv.port, "127.0.0.1", () => s.write("GET /events HTTP/1.1\r\nHost: x\r\n"));
  s.on("error", () => {});
  socks.push(s);
}
await sleep(1000);
const cpu0 = cpuSeconds(srv.pid), w0 = Date.now();
const legit = openStream(srv.port);
let served = null;
for (let i = 0; i < 600 && served === null; i++) {
  await sleep(100);
  if (legit.events().length) served = (Date.now() - t0) / 1000;
}
const cpu = (cpuSeconds(srv.pid) - cpu0) / ((Date.now() - w0) / 1000);
legit.close();
const closed = socks.filter((s) => s.destroyed || s.readyState === "closed").length;
const lines = srv.stderr().split("\n").filter(Boolean).length;
console.log(`descriptor limit ${FD_LIMIT}, ${HALF_SENT} half-sent requests held open`);
console.log(`server CPU while held: ${(cpu * 100).toFixed(1)}% of one core; log lines: ${lines}`);
console.log(`a new client was served ${served === null ? "never (60 s)" : `${served} s`} after the attack began; ` +
  `${closed} of ${HALF_SENT} half-sent requests closed by then`);
for (const s of socks) s.destroy();
const { code } = await srv.stop().catch((e) => { console.log(e.message); return { code: 1 }; });
const ok = served !== null && code === 0;
console.log(ok ? "slowloris check: ok" : "slowloris check: FAILED");
process.exit(ok ? 0 : 1);
