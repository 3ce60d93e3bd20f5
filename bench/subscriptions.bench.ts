// Benchmark of subscriptions (docs/subscriptions.md): PATCH throughput without and with 1,000 active subscriptions
// on distinct entities (each update notifies one HTTP receiver), and the latency from the write's answer to the
// receiver's arrival at a fixed 5,000 updates/s. Load generator and receiver run in this process;
// BENCH_NOTIFY_WORKER=off runs the server with the in-process dispatcher for comparison.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { expectOk, load, loadResult, type BenchOptions, type LoadSpec, type Result } from './common.ts';
import { ENTITY_TYPE, entityId, seed } from './seed.ts';
import { startServer } from './server.ts';

const N = 1000;
const RATE = 5000;

/**
 * Notification receiver: a minimal HTTP/1.1 responder (framing by Content-Length, canned 204) so that the fixture
 * takes as little of the shared cores as possible; the receiver's work is not the platform's. While latency is
 * measured it parses each body and timestamps it by the sequence number carried in temperature.
 */
async function receiver(arrivals: Float64Array) {
  let count = 0;
  let timing = false;
  const RESP = Buffer.from('HTTP/1.1 204 No Content\r\nConnection: keep-alive\r\n\r\n');
  const server = net.createServer((sock) => {
    let buf: Buffer = Buffer.alloc(0);
    sock.on('data', (chunk: Buffer) => {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      let answers = 0;
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) break;
        const head = buf.subarray(0, end).toString('latin1');
        const m = /\r\ncontent-length:\s*(\d+)/i.exec(head);
        const len = m ? Number(m[1]) : 0;
        if (buf.length < end + 4 + len) break;
        const body = buf.subarray(end + 4, end + 4 + len);
        buf = buf.subarray(end + 4 + len);
        count++;
        answers++;
        if (!timing) continue;
        const at = performance.now();
        try {
          const n = JSON.parse(body.toString('utf8')) as { data: Array<{ temperature?: { value?: number } }> };
          for (const e of n.data) {
            const seq = e.temperature?.value;
            if (typeof seq === 'number' && Number.isInteger(seq) && seq >= 1 && seq < arrivals.length && arrivals[seq] === 0) arrivals[seq] = at;
          }
        } catch { /* counted, not timed */ }
      }
      if (answers) sock.write(answers === 1 ? RESP : Buffer.concat(Array.from({ length: answers }, () => RESP)));
    });
    sock.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const sockets = new Set<net.Socket>();
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/notify`,
    received: () => count,
    time: (on: boolean) => { timing = on; },
    close: () => { for (const s of sockets) s.destroy(); return new Promise<void>((r) => server.close(() => r())); },
  };
}

const patchBody = (value: number) => JSON.stringify({ temperature: { type: 'Property', value, unitCode: 'CEL' } });

/** Sends PATCHes at a fixed rate over keep-alive connections; records when each answer arrived. */
async function fixedRate(url: string, rate: number, seconds: number, answered: Float64Array, connections: number): Promise<{ sent: number; ok: number; errors: number; achieved: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const target = new URL(url);
  let seq = 0;
  let inflight = 0;
  let ok = 0;
  let errors = 0;
  const total = Math.floor(rate * seconds);
  const t0 = performance.now();
  await new Promise<void>((done) => {
    const fire = () => {
      const s = ++seq;
      inflight++;
      const body = patchBody(s);
      const req = http.request({ host: target.hostname, port: target.port, agent, method: 'PATCH', path: `/ngsi-ld/v1/entities/${entityId(s % N)}/attrs`, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
        res.resume();
        res.on('end', () => {
          answered[s] = performance.now();
          if (res.statusCode === 204) ok++; else errors++;
          inflight--;
          if (seq >= total && inflight === 0) done();
        });
      });
      req.on('error', () => { errors++; inflight--; if (seq >= total && inflight === 0) done(); });
      req.end(body);
    };
    const timer = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * rate));
      // Never more than 4 × connections in flight: past that the server is saturated and the rate is simply not met.
      while (seq < due && inflight < connections * 4) fire();
      if (seq >= total) clearInterval(timer);
    }, 2);
  });
  const achieved = seq / ((performance.now() - t0) / 1000);
  agent.destroy();
  return { sent: seq, ok, errors, achieved };
}

/** Waits until no notification arrived for 300 ms (the backlog of a saturating run is delivered), at most 60 s. */
async function drained(count: () => number): Promise<void> {
  const end = Date.now() + 60_000;
  let last = -1;
  while (Date.now() < end) {
    const c = count();
    if (c === last) return;
    last = c;
    await new Promise((r) => setTimeout(r, 300));
  }
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** CPU time (user + system) a process has used so far, in µs (from /proc; Linux). */
function cpuMicros(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1e6) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

async function patchThroughput(url: string, pid: number, opts: BenchOptions, warmupSec: number) {
  let i = 0;
  const spec: Omit<LoadSpec, 'durationSec'> = {
    url, connections: opts.connections,
    headers: { 'content-type': 'application/json' },
    requests: [{ method: 'PATCH', setupRequest: (req) => ({ ...req, path: `/ngsi-ld/v1/entities/${entityId(i++ % N)}/attrs`, body: patchBody(1_000_000 + (i % 1000) / 10) }) }],
  };
  await load({ ...spec, durationSec: warmupSec });
  const c0 = cpuMicros(pid);
  const o = await load({ ...spec, durationSec: opts.durationSec });
  return { o, cpuPerReq: (cpuMicros(pid) - c0) / o.total };
}

export async function run(opts: BenchOptions): Promise<Result[]> {
  const latencySec = opts.quick ? 3 : Math.max(5, Math.min(opts.durationSec, 10));
  const arrivals = new Float64Array(RATE * latencySec + 2);
  const answered = new Float64Array(RATE * latencySec + 2);
  const rx = await receiver(arrivals);
  const server = await startServer({ env: { DREHSCHEIBE_NOTIFY_INITIAL: 'off', ...(process.env.BENCH_NOTIFY_WORKER ? { DREHSCHEIBE_NOTIFY_WORKER: process.env.BENCH_NOTIFY_WORKER } : {}) } });
  const warmup = opts.quick ? 1 : 2;
  try {
    await seed(server.url, N);
    await expectOk(`${server.url}/ngsi-ld/v1/entities/${entityId(0)}/attrs`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: patchBody(0.5) });
    const { o: without, cpuPerReq: cpuWithout } = await patchThroughput(server.url, server.pid, opts, warmup);

    for (let k = 0; k < N; k++) {
      await expectOk(`${server.url}/ngsi-ld/v1/subscriptions`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'Subscription', entities: [{ id: entityId(k), type: ENTITY_TYPE }], notification: { endpoint: { uri: rx.url } } }),
      });
    }
    const before = rx.received();
    const { o: withSubs, cpuPerReq: cpuWith } = await patchThroughput(server.url, server.pid, opts, warmup);
    const t1 = performance.now();
    await drained(rx.received);
    const drainMs = performance.now() - t1;
    const notified = rx.received() - before;

    rx.time(true);
    const fr = await fixedRate(server.url, RATE, latencySec, answered, opts.connections);
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline && arrivals.subarray(1, fr.sent + 1).some((x, k) => x === 0 && answered[k + 1] !== 0)) await new Promise((r) => setTimeout(r, 50));
    const lat: number[] = [];
    let lost = 0;
    for (let s = 1; s <= fr.sent; s++) {
      if (answered[s] === 0) continue;
      if (arrivals[s] === 0) { lost++; continue; }
      lat.push(arrivals[s] - answered[s]);
    }
    lat.sort((a, b) => a - b);
    const round = (x: number) => Math.round(x * 100) / 100;
    const loss = (1 - withSubs.reqPerSec / without.reqPerSec) * 100;
    const base = `${N.toLocaleString('en-US')} AirQualityObserved entities, PATCH of temperature, ids rotating, ${opts.connections} connections, ${opts.durationSec} s after ${warmup} s warm-up`;
    const logErrors = server.errorLogCount();
    const errNote = logErrors ? `; server logged ${logErrors} errors` : '';
    return [
      loadResult('subscriptions: PATCH without subscriptions', without, `${base}; no subscription${errNote}`),
      loadResult('subscriptions: PATCH with 1,000 subscriptions', withSubs,
        `${base}; 1,000 active subscriptions, one per entity, each update notifies an HTTP receiver in the load generator's process (${notified.toLocaleString('en-US')} notifications received, incl. warm-up; backlog drained ${(drainMs / 1000).toFixed(1)} s after the run)${errNote}`),
      { name: 'subscriptions: server CPU per update without subscriptions', value: round(cpuWithout), unit: 'µs', conditions: 'user + system CPU of the server process (all threads) per PATCH during the measurement' },
      { name: 'subscriptions: server CPU per update with 1,000 subscriptions', value: round(cpuWith), unit: 'µs', conditions: 'the same, each update notifying one subscription (main thread + dispatch worker); CPU of notifications not yet delivered when the run ends is not counted' },
      { name: 'subscriptions: write-path throughput loss', value: round(loss), unit: '%', conditions: `PATCH req/s with 1,000 subscriptions vs none (${Math.round(withSubs.reqPerSec)} vs ${Math.round(without.reqPerSec)})` },
      {
        name: 'subscriptions: notification latency at 5,000 updates/s', value: fr.achieved, unit: 'updates/s', p50: round(percentile(lat, 50)), p99: round(percentile(lat, 99)),
        errors: fr.errors + lost,
        conditions: `fixed-rate PATCH at ${RATE.toLocaleString('en-US')}/s for ${latencySec} s over ${opts.connections} keep-alive connections, 1,000 subscriptions; latency = receiver arrival − the write's answer at the client (same process clock; may be negative when the notification overtakes the answer); ${fr.sent.toLocaleString('en-US')} updates, ${lat.length.toLocaleString('en-US')} timed, ${lost} notifications missing, ${fr.errors} write errors${errNote}`,
      },
    ];
  } finally {
    await server.stop();
    await rx.close();
  }
}
