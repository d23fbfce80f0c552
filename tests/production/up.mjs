// ./.ci/production: brings the topology up (topology.mjs) for a person to
// watch, prints where, and stops it all on Ctrl-C (or after
// SSE_PRODUCTION_SECONDS).
import { startTopology } from "./topology.mjs";

const topo = await startTopology({ intervalMs: 250 });
console.log(`redis-server on 127.0.0.1:${topo.redis.port}, sse-server instances on ` +
  topo.servers.map((s) => s.port).join(", "));
console.log(`nginx, HTTP/2 over TLS (self-signed: accept the warning): ${topo.url("/")}`);
console.log(`nginx, plain HTTP/1.1 (six streams per host at most):     ${topo.httpUrl("/")}`);
console.log(`the stream: curl -N --http2 -k ${topo.url("/events")}`);
console.log("Ctrl-C stops everything.");
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await topo.stop();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
if (process.env.SSE_PRODUCTION_SECONDS)
  setTimeout(stop, Number(process.env.SSE_PRODUCTION_SECONDS) * 1000);
