// Times eventsource-parser (npm, pinned in package.json) on one workload
// file for sse-bench, which interleaves it with the C parsers. Feeds as a
// JavaScript consumer does: each chunk of bytes through a streaming
// TextDecoder, then into the parser.
//
//   node esp_bench.mjs FILE FEED [SIZES]
//
// FEED is a byte count, or "sizes" to take each chunk's size from SIZES
// (little-endian u32s, written by sse-bench). One warm-up run, then one
// timed run; prints "seconds events data_code_units".
import { readFileSync } from 'node:fs';
import { createParser } from 'eventsource-parser';

const [file, feed, sizesFile] = process.argv.slice(2);
const bytes = readFileSync(file);
const cuts = [];
if (feed === 'sizes') {
  const raw = readFileSync(sizesFile);
  const sizes = new Uint32Array(raw.buffer, raw.byteOffset, raw.length / 4);
  let at = 0;
  for (const n of sizes) {
    at = Math.min(at + n, bytes.length);
    cuts.push(at);
  }
} else {
  const n = Number(feed);
  for (let at = n; at < bytes.length + n; at += n) cuts.push(Math.min(at, bytes.length));
}

function run() {
  let events = 0;
  let data = 0;
  const parser = createParser({
    onEvent(ev) {
      events++;
      data += ev.data.length;
    },
  });
  const decoder = new TextDecoder();
  const t0 = process.hrtime.bigint();
  let from = 0;
  for (const to of cuts) {
    parser.feed(decoder.decode(bytes.subarray(from, to), { stream: true }));
    from = to;
  }
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  return { secs, events, data };
}

run();
const r = run();
console.log(`${r.secs} ${r.events} ${r.data}`);
