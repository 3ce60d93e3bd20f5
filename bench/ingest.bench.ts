// Benchmark of the sensor ingest (docs/ingest.md): 1,000 devices publish QoS 0 JSON measurements of 5
// attributes over MQTT (real TCP clients of the mqtt package, in this process) to the embedded broker
// (aedes) and, second, to Mosquitto at 127.0.0.1:1883 when it listens. Reports measurements/s stored with
// history (offered above capacity; stored = accepted by the write path, counted from /iot/metrics) and
// the end-to-end latency publish → visible in a GET of the entity at a fixed 5,000 measurements/s.
import mqtt, { type MqttClient } from 'mqtt';
import net from 'node:net';
import { startServer, freePort, type BenchServer } from './server.ts';
import type { BenchOptions, Result } from './common.ts';

const DEVICES = 1000;
const ATTRS = 5;
const USER = 'bench-devices';
const PASSWORD = 'bench-password-1';

interface Setup { server: BenchServer; brokerUrl: string; apikey: string; clients: MqttClient[] }

async function post(url: string, body: unknown, headers: Record<string, string>): Promise<void> {
  const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  if (r.status >= 300) throw new Error(`POST ${url}: ${r.status} ${await r.text()}`);
}

/** The bench group's counters (an external broker may carry other publishers' messages too). */
async function metrics(server: BenchServer, apikey: string): Promise<{ accepted: number; rejected: number; received: number; rejectedBy: Record<string, number> }> {
  const m = await (await fetch(`${server.url}/iot/metrics`)).json() as { groups: Record<string, { accepted: number; rejected: number; received: number; rejectedBy: Record<string, number> }> };
  // Counters are per service group: named `<tenant><servicePath>` since the hardening (one group "bench/" per
  // fresh server here), by apikey before (the --compare=REV side may be older code).
  return m.groups['bench/'] ?? m.groups[apikey] ?? { accepted: 0, rejected: 0, received: 0, rejectedBy: {} };
}

function reachable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    const done = (ok: boolean) => { s.destroy(); resolve(ok); };
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
    s.setTimeout(2000, () => done(false));
  });
}

async function setup(external: boolean): Promise<Setup> {
  const apikey = `bench-${process.pid}-${Date.now()}`;
  // The per-device rate limit stays on (its cost is part of the path), above the 10 msg/s per device offered.
  // A port found free can be taken before the server binds it (the load generators' outgoing connections
  // draw from the same range on a shared machine): the server then exits at start-up, and a new port is tried.
  let server: BenchServer | undefined;
  let mqttPort = 0;
  for (let attempt = 1; !server; attempt++) {
    mqttPort = external ? 0 : await freePort();
    try {
      server = await startServer({ env: { DREHSCHEIBE_INGEST_DEVICE_RATE: '50', DREHSCHEIBE_INGEST_DEVICE_BURST: '100', ...(external ? { MQTT_URL: 'mqtt://127.0.0.1:1883' } : { MQTT_PORT: String(mqttPort) }) } });
    } catch (e) {
      if (attempt >= 3 || !/exited during start-up/.test((e as Error).message)) throw e;
      console.error(`# ingest: the server did not start (attempt ${attempt}), trying new ports: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  const headers = { 'fiware-service': 'bench', 'fiware-servicepath': '/' };
  await post(`${server.url}/iot/services`, { services: [{
    apikey, entity_type: 'AirQualityObserved', mqtt: { username: USER, password: PASSWORD },
    attributes: [
      { object_id: 'no2', name: 'NO2', type: 'Number', metadata: { unitCode: { type: 'Text', value: 'GQ' } } },
      { object_id: 'pm10', name: 'PM10', type: 'Number', metadata: { unitCode: { type: 'Text', value: 'GQ' } } },
      { object_id: 'pm25', name: 'PM25', type: 'Number', metadata: { unitCode: { type: 'Text', value: 'GQ' } } },
      { object_id: 'noise', name: 'LAeq', type: 'Number', metadata: { unitCode: { type: 'Text', value: '2N' } } },
      { object_id: 't', name: 'temperature', type: 'Number', metadata: { unitCode: { type: 'Text', value: 'CEL' } } },
    ],
  }] }, headers);
  await post(`${server.url}/iot/devices`, { devices: Array.from({ length: DEVICES }, (_, i) => ({ device_id: `aq-${i}` })) }, headers);
  const brokerUrl = external ? 'mqtt://127.0.0.1:1883' : `mqtt://127.0.0.1:${mqttPort}`;
  const clients: MqttClient[] = [];
  for (let i = 0; i < DEVICES; i += 100) {
    clients.push(...await Promise.all(Array.from({ length: Math.min(100, DEVICES - i) }, (_, k) =>
      mqtt.connectAsync(brokerUrl, { clientId: `${apikey}-${i + k}`, username: external ? undefined : USER, password: external ? undefined : PASSWORD, reconnectPeriod: 0, keepalive: 60 }))));
  }
  return { server, brokerUrl, apikey, clients };
}

/** Open-loop publishing at `msgPerSec` for `sec` seconds, round-robin over the devices; `value(i)` gives t. */
async function publish(s: Setup, msgPerSec: number, sec: number, onSent?: (device: number, seq: number, at: number) => void): Promise<number> {
  const tickMs = 10;
  const perTick = msgPerSec * tickMs / 1000;
  let sent = 0;
  let due = 0;
  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const elapsed = performance.now() - t0;
      if (elapsed >= sec * 1000) { clearInterval(timer); resolve(); return; }
      due = Math.min(msgPerSec * elapsed / 1000, due + perTick * 5);
      while (sent < due) {
        const dev = sent % DEVICES;
        const seq = sent + 1;
        const payload = `{"no2":${20 + (seq % 30)},"pm10":${15 + (seq % 20)},"pm25":${8 + (seq % 10)},"noise":${50 + (seq % 25)},"t":${seq}}`;
        s.clients[dev].publish(`/${s.apikey}/aq-${dev}/attrs`, payload, { qos: 0 });
        onSent?.(dev, seq, performance.now());
        sent++;
      }
    }, tickMs);
  });
  return sent;
}

async function settle(s: Setup, base: { accepted: number; rejected: number }, sent: number, timeoutMs: number): Promise<{ accepted: number; rejected: number; at: number; rejectedBy: Record<string, number> }> {
  const end = performance.now() + timeoutMs;
  let last = await metrics(s.server, s.apikey);
  while (last.accepted + last.rejected - base.accepted - base.rejected < sent && performance.now() < end) {
    await new Promise((r) => setTimeout(r, 20));
    last = await metrics(s.server, s.apikey);
  }
  return { accepted: last.accepted - base.accepted, rejected: last.rejected - base.rejected, at: performance.now(), rejectedBy: last.rejectedBy };
}

async function measure(external: boolean, opts: BenchOptions): Promise<Result[]> {
  const label = external ? 'Mosquitto' : 'embedded broker';
  const s = await setup(external);
  try {
    const sec = Math.max(3, opts.durationSec);
    // Warm-up (JIT, entity creation); then latency at a fixed rate; then throughput above capacity.
    await publish(s, 1000, 2);
    await settle(s, { accepted: 0, rejected: 0 }, 2000, 10_000);
    // Latency at 5,000 measurements/s (1,000 messages/s): sampled messages polled until visible.
    const rate = 5000 / ATTRS;
    const samples: number[] = [];
    const pending = new Map<number, { seq: number; at: number }>();
    const sampleEvery = 20;
    // One poller asks for all pending samples in one query every ~5 ms, so the measuring load stays
    // small (≤ 200 queries/s of a few entities) and does not grow into the measurement when latency rises.
    let publishing = true;
    const poller = (async () => {
      while (publishing || pending.size) {
        if (pending.size) {
          const ids = [...pending.keys()].map((d) => `urn:ngsi-ld:AirQualityObserved:aq-${d}`).join(',');
          const r = await fetch(`${s.server.url}/ngsi-ld/v1/entities?type=AirQualityObserved&id=${ids}&attrs=temperature&options=keyValues&limit=1000`, { headers: { 'ngsild-tenant': 'bench' } });
          const now = performance.now();
          for (const e of await r.json() as Array<{ id: string; temperature?: number }>) {
            const dev = Number(e.id.slice(e.id.lastIndexOf('-') + 1));
            const p = pending.get(dev);
            if (p && (e.temperature ?? 0) >= p.seq) { samples.push(now - p.at); pending.delete(dev); }
          }
          for (const [dev, p] of pending) if (now - p.at > 10_000) pending.delete(dev); // counted as missing below
        }
        await new Promise((r2) => setTimeout(r2, 5));
      }
    })();
    let n = 0;
    let sampled = 0;
    const latSent = await publish(s, rate, sec, (dev, seq, at) => {
      if (n++ % sampleEvery !== 0 || pending.has(dev)) return;
      sampled++;
      pending.set(dev, { seq, at });
    });
    publishing = false;
    await poller;
    samples.sort((a, b) => a - b);
    // Throughput, offered above the target: 10,000 msg/s (50,000 meas/s) to the embedded broker, whose TCP
    // back-pressure loses nothing; 4,000 msg/s (20,000 meas/s) through Mosquitto, which drops QoS 0 messages
    // it cannot queue for a subscriber that falls behind (BENCH_INGEST_OFFERED overrides both).
    const base = await metrics(s.server, s.apikey);
    const offered = Number(process.env.BENCH_INGEST_OFFERED ?? (external ? 4_000 : 10_000));
    const t0 = performance.now();
    const sent = await publish(s, offered, sec);
    const done = await settle(s, base, sent, 30_000);
    const perSec = (done.accepted * ATTRS) / ((done.at - t0) / 1000);
    const lost = sent - done.accepted - done.rejected;

    const pct = (p: number) => samples.length ? Number(samples[Math.min(samples.length - 1, Math.floor(p * samples.length))].toFixed(1)) : NaN;
    const cond = `${DEVICES} devices (one TCP client each, mqtt.js in the runner process), QoS 0, ${ATTRS} Number attributes per message with unitCode, server on the same 2 shared cores, per-device rate limit 50 msg/s`;
    return [
      {
        name: `ingest (${label}): measurements stored/s with history`,
        value: Math.round(perSec), unit: 'meas/s',
        errors: done.rejected + lost,
        conditions: `${cond}; ${offered.toLocaleString('en-US')} msg/s (${(offered * ATTRS).toLocaleString('en-US')} meas/s) offered for ${sec} s; ${sent.toLocaleString('en-US')} messages sent, ${done.accepted.toLocaleString('en-US')} stored, ${done.rejected} rejected ${JSON.stringify(done.rejectedBy)}, ${lost} not arrived within 30 s; rate = stored × ${ATTRS} / (last stored − first sent)`,
      },
      {
        name: `ingest (${label}): end-to-end latency at 5,000 meas/s`,
        value: Math.round((latSent * ATTRS) / sec), unit: 'meas/s', p50: pct(0.5), p99: pct(0.99),
        conditions: `${cond}; ${rate} msg/s for ${sec} s; latency = publish → the value visible in a query (GET /entities?id=<all pending samples>, every ~5 ms), 1 in ${sampleEvery} messages sampled, ${samples.length} of ${sampled} seen within 10 s`,
      },
    ];
  } finally {
    await Promise.all(s.clients.map((c) => c.endAsync(true).catch(() => undefined)));
    await s.server.stop();
  }
}

export async function run(opts: BenchOptions): Promise<Result[]> {
  const out = await measure(false, opts);
  if (await reachable(1883)) out.push(...await measure(true, opts));
  else out.push({ name: 'ingest (Mosquitto): not measured', value: 0, unit: '-', conditions: 'Mosquitto is not listening at 127.0.0.1:1883' });
  return out;
}
