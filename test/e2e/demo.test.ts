// The real process: DREHSCHEIBE_DEMO=auto in a new data directory starts the simulator on the embedded
// broker (and remembers it), and `npm run simulate` provisions and feeds a running server over HTTP and MQTT.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startServer } from '../support/server.ts';

async function waitFor(url: string, headers: Record<string, string>, ok: (body: any) => boolean, ms: number): Promise<any> {
  const end = Date.now() + ms;
  let last: unknown;
  while (Date.now() < end) {
    const r = await fetch(url, { headers });
    last = r.status === 200 ? await r.json() : r.status;
    if (r.status === 200 && ok(last)) return last;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`timed out; last answer ${JSON.stringify(last).slice(0, 300)}`);
}

test('DREHSCHEIBE_DEMO=auto in a new data directory runs the labelled simulator over the embedded broker', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ds-demo-'));
  const s = await startServer({ DREHSCHEIBE_DATA_DIR: dir, DREHSCHEIBE_DEMO: 'auto', MQTT_PORT: String(await freePort()), DREHSCHEIBE_DEMO_INTERVAL: '1' });
  try {
    const e = await waitFor(`${s.url}/ngsi-ld/v1/entities/urn:ngsi-ld:TrafficFlowObserved:Herne-bahnhofstrasse`, { 'ngsild-tenant': 'herne' }, (b) => Object.keys(b).some((k) => k.endsWith('intensity')), 15_000);
    assert.match(JSON.stringify(e), /simulated/);
    assert.ok(existsSync(join(dir, 'demo-simulator')), 'the data directory remembers the demo');
  } finally {
    s.child.kill('SIGTERM');
    await s.exited;
    rmSync(dir, { recursive: true, force: true });
  }
});

test('npm run simulate provisions the fleet over HTTP and publishes over MQTT to a running server', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ds-sim-'));
  const mqttPort = await freePort();
  const s = await startServer({ DREHSCHEIBE_DATA_DIR: dir, MQTT_PORT: String(mqttPort) });
  const sim = spawn(process.execPath, ['--import', 'tsx', 'src/ingest/simulator/simulate.cli.ts', `--url=${s.url}`, `--mqtt=mqtt://127.0.0.1:${mqttPort}`, '--interval=0.5', '--service=stadt'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  sim.stdout!.on('data', (d) => { out += d; });
  sim.stderr!.on('data', (d) => { out += d; });
  try {
    const devices = await waitFor(`${s.url}/iot/devices?limit=100`, { 'fiware-service': 'stadt', 'fiware-servicepath': '/simulated' }, (b) => b.count > 30, 15_000).catch((e) => { throw new Error(`${e.message}\n${out}`); });
    assert.ok(devices.devices.some((d: { device_id: string }) => d.device_id.startsWith('bank-')));
    const e = await waitFor(`${s.url}/ngsi-ld/v1/entities/urn:ngsi-ld:SolarEnergy:Solarbank-crange`, { 'ngsild-tenant': 'stadt' }, (b) => Object.keys(b).some((k) => k.endsWith('batteryLevel')), 15_000);
    assert.ok(e);
  } finally {
    sim.kill('SIGTERM');
    s.child.kill('SIGTERM');
    await s.exited;
    rmSync(dir, { recursive: true, force: true });
  }
});

test('npm run simulate without a key says how to pass one; with --token=<the operator key> it provisions and feeds a default start with access control on (the key as a bearer token)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ds-sim-auth-'));
  const mqttPort = await freePort();
  const s = await startServer({ DREHSCHEIBE_DATA_DIR: dir, MQTT_PORT: String(mqttPort), DREHSCHEIBE_AUTH: 'on' });
  const key = readFileSync(join(dir, 'admin-key'), 'utf8').trim();
  // Without a key it stops at once and says how to pass one.
  const bare = spawn(process.execPath, ['--import', 'tsx', 'src/ingest/simulator/simulate.cli.ts', `--url=${s.url}`, `--mqtt=mqtt://127.0.0.1:${mqttPort}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let bareOut = '';
  bare.stderr!.on('data', (d) => { bareOut += d; });
  const code = await new Promise<number | null>((r) => bare.on('exit', r));
  assert.equal(code, 1);
  assert.match(bareOut, /401 — access control is on; pass an operator or steward API key, e\.g\. npm run simulate -- --token=/);
  const sim = spawn(process.execPath, ['--import', 'tsx', 'src/ingest/simulator/simulate.cli.ts', `--url=${s.url}`, `--mqtt=mqtt://127.0.0.1:${mqttPort}`, '--interval=0.5', `--token=${key}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  sim.stdout!.on('data', (d) => { out += d; });
  sim.stderr!.on('data', (d) => { out += d; });
  try {
    const e = await waitFor(`${s.url}/ngsi-ld/v1/entities/urn:ngsi-ld:SolarEnergy:Solarbank-crange`, { 'ngsild-tenant': 'herne' }, (b) => Object.keys(b).some((k) => k.endsWith('batteryLevel')), 20_000)
      .catch((err) => { throw new Error(`${err.message}\n${out}`); });
    assert.ok(e);
    assert.doesNotMatch(out, /401|Bearer tokens are not accepted/);
  } finally {
    sim.kill('SIGTERM');
    s.child.kill('SIGTERM');
    await s.exited;
    rmSync(dir, { recursive: true, force: true });
  }
});
