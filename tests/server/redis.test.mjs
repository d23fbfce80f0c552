// sse-server with --redis: the history shared on a Redis stream. Each test
// starts its own redis-server on a free loopback port (no persistence
// unless the test needs it, in a temporary directory) and several server
// instances, one of them publishing; the stream in Redis (XRANGE through
// redis-cli) is the truth every client's events are checked against.
// Run by ctest as: SSE_SERVER=... node --test this-file
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { openStream, request, sleep } from "./harness.mjs";
import { assertExactlyOnce, following, startInstances, startRedis } from "./redis.mjs";

const stopAll = async (list) => { for (const s of list) await s.stop(); };

test("every instance streams the Redis entries, with the entry ids as event ids", async () => {
  const redis = await startRedis();
  const servers = await startInstances(redis, 3);
  try {
    await following(servers);
    const streams = servers.map((s) => openStream(s.port));
    for (const st of streams) await st.until((x) => x.events().length >= 20, 10000, "20 events");
    for (const st of streams) st.close();
    for (const st of streams) {
      const ids = st.events().map((e) => e.id);
      assert.match(ids[0], /^\d+-\d+$/);
      assertExactlyOnce(redis, ids);
    }
  } finally {
    await stopAll(servers);
    await redis.stop();
  }
});

test("a client reconnecting 200 times across instances gets every event once", async () => {
  const redis = await startRedis();
  const servers = await startInstances(redis, 3);
  try {
    await following(servers);
    const ids = [];
    for (let i = 0; i < 200; i++) {
      const s = servers[i % 3];
      const st = openStream(s.port, ids.length ? { lastEventId: ids.at(-1) } : {});
      await st.until((x) => x.events().length >= 1 || x.ended, 5000, "an event");
      st.close();
      const got = st.events();
      assert.ok(got.every((e) => e.type !== "resync"), `resync on reconnect ${i}`);
      ids.push(...got.map((e) => e.id));
    }
    assert.ok(ids.length >= 200);
    assertExactlyOnce(redis, ids);
  } finally {
    await stopAll(servers);
    await redis.stop();
  }
});

test("an instance killed mid-stream, then all restarted: clients resume from Redis", async () => {
  const redis = await startRedis();
  let servers = await startInstances(redis, 3);
  try {
    await following(servers);
    // A client on the second instance, which is then killed outright.
    const first = openStream(servers[1].port);
    await first.until((x) => x.events().length >= 10, 5000, "10 events");
    servers[1].proc.kill("SIGKILL");
    await first.until((x) => x.ended, 5000, "the end of the killed instance's stream");
    const ids = first.events().map((e) => e.id);
    const again = openStream(servers[2].port, { lastEventId: ids.at(-1) });
    await again.until((x) => x.events().length >= 10, 5000, "10 resumed events");
    again.close();
    ids.push(...again.events().map((e) => e.id));
    assertExactlyOnce(redis, ids);
    // Every instance restarted (the publisher too): a new one loads what
    // Redis keeps, and the client resumes from its last event.
    await stopAll([servers[0], servers[2]]);
    servers = await startInstances(redis, 3);
    await following(servers);
    const after = openStream(servers[1].port, { lastEventId: ids.at(-1) });
    await after.until((x) => x.events().length >= 10, 5000, "10 events after the restart");
    after.close();
    ids.push(...after.events().map((e) => e.id));
    assertExactlyOnce(redis, ids);
  } finally {
    await stopAll(servers.filter((s) => s.proc.exitCode === null && s.proc.signalCode === null));
    await redis.stop();
  }
});

test("Redis out of reach: streams end with a retry, nothing acknowledged is lost", async () => {
  const dir = mkdtempSync(join(tmpdir(), "sse-redis-"));
  let redis = await startRedis({ dir });
  const servers = await startInstances(redis, 2);
  try {
    await following(servers);
    const st = openStream(servers[1].port);
    await st.until((x) => x.events().length >= 10, 5000, "10 events");
    await redis.stop();
    await st.until((x) => x.ended, 5000, "the stream to end when Redis went away");
    const ids = st.events().map((e) => e.id);
    // Meanwhile a new stream gets only the retry, and ends.
    const meanwhile = await request(servers[1].port, "/events");
    assert.equal(meanwhile.status, 200);
    assert.equal(meanwhile.body, "retry: 100\n\n");
    await sleep(500);
    redis = await startRedis({ port: redis.port, dir });
    await following(servers);
    const back = openStream(servers[1].port, { lastEventId: ids.at(-1) });
    await back.until((x) => x.events().length >= 10, 10000, "10 events after Redis came back");
    back.close();
    ids.push(...back.events().map((e) => e.id));
    assertExactlyOnce(redis, ids);
    // Every event the publisher counts as published (acknowledged by
    // Redis) is in the stream, and nothing else: no event was lost or
    // appended twice across the outage. (It keeps publishing: read the
    // count before and after the stream.)
    const before = (await servers[0].stats()).newest;
    const kept = redis.ids().length;
    const after = (await servers[0].stats()).newest;
    assert.ok(before <= kept && kept <= after, `${before} <= ${kept} <= ${after}`);
  } finally {
    await stopAll(servers);
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("an id newer than any entry waits for it, then resyncs; leaving while waiting is fine", async () => {
  const redis = await startRedis();
  const servers = await startInstances(redis, 2);
  try {
    await following(servers);
    // An id from the future: the instance waits (2 s at most) for an
    // entry that never comes, then treats it as unknown.
    const future = `${Date.now() + 3600000}-0`;
    const st = openStream(servers[1].port, { lastEventId: future });
    await st.until((x) => x.events().length >= 2, 10000, "the resync");
    st.close();
    assert.equal(st.events()[0].type, "resync");
    // A client that gives up while its request waits.
    for (let i = 0; i < 5; i++) {
      const gone = openStream(servers[1].port, { lastEventId: future });
      await sleep(100);
      gone.close();
    }
    await sleep(2500);
    const after = openStream(servers[1].port);
    await after.until((x) => x.events().length >= 3, 5000, "events after that");
    after.close();
    assertExactlyOnce(redis, after.events().map((e) => e.id));
  } finally {
    await stopAll(servers); // exit status 0, no sanitizer report
    await redis.stop();
  }
});

test("retention: ids trimmed by count or older than --retention-ms resync", async () => {
  const redis = await startRedis();
  const servers = await startInstances(redis, 2, { extra: ["--history", "20"] });
  try {
    await following(servers);
    const st = openStream(servers[1].port);
    await st.until((x) => x.events().length >= 30, 5000, "30 events");
    st.close();
    const old = st.events()[0].id; // 30 events back: beyond the 20 kept
    assert.equal(redis.ids().includes(old), false);
    const r = openStream(servers[1].port, { lastEventId: old });
    await r.until((x) => x.events().length >= 2, 5000, "the resync");
    r.close();
    assert.equal(r.events()[0].type, "resync");
  } finally {
    await stopAll(servers);
    await redis.stop();
  }
  const redis2 = await startRedis();
  const aged = await startInstances(redis2, 2, { extra: ["--retention-ms", "300"] });
  try {
    await following(aged);
    const st = openStream(aged[1].port);
    await st.until((x) => x.events().length >= 5, 5000, "5 events");
    const recent = st.events().at(-1).id;
    const r1 = openStream(aged[1].port, { lastEventId: recent });
    await r1.until((x) => x.events().length >= 1, 5000, "a resumed event");
    r1.close();
    assert.notEqual(r1.events()[0].type, "resync", "a recent id resumes");
    await sleep(600);
    st.close();
    const r2 = openStream(aged[1].port, { lastEventId: recent });
    await r2.until((x) => x.events().length >= 1, 5000, "the resync");
    r2.close();
    assert.equal(r2.events()[0].type, "resync", "an id older than the retention");
    assert.equal(redis2.ids().includes(recent), false, "Redis trimmed it too");
  } finally {
    await stopAll(aged);
    await redis2.stop();
  }
});
