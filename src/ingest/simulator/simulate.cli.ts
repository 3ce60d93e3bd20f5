// `npm run simulate`: provisions the simulated Herne fleet on a running Drehscheibe over its HTTP API
// and publishes measurements over MQTT until stopped (Ctrl-C).
// Flags: --url=http://127.0.0.1:1026  --mqtt=mqtt://127.0.0.1:1883  --interval=5 (s)  --service=herne
//        --path=/simulated  --password=…  --token=… (admin token when access control is on)  --broker-auth=on|off
import { randomBytes } from 'node:crypto';
import { httpProvisioner, Simulator } from './simulator.ts';

function args(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of argv) {
    const m = /^--([a-z-]+)=(.*)$/.exec(a);
    if (!m) { console.error(`unknown argument "${a}"; see the header of src/ingest/simulator/simulate.cli.ts`); process.exit(2); }
    out[m[1]] = m[2];
  }
  return out;
}

async function main(): Promise<void> {
  const a = args(process.argv.slice(2));
  const interval = Number(a.interval ?? 5);
  if (!Number.isFinite(interval) || interval < 0.1) { console.error('--interval must be a number of seconds ≥ 0.1'); process.exit(2); }
  const log = { info: (o: object, m: string) => console.log(m, JSON.stringify(o)), warn: (o: object, m: string) => console.warn(m, JSON.stringify(o)) };
  const sim = new Simulator({
    service: a.service ?? 'herne', servicePath: a.path ?? '/simulated', intervalMs: interval * 1000,
    password: a.password ?? randomBytes(12).toString('base64url'), brokerCredentials: (a['broker-auth'] ?? 'on') === 'on', log,
  });
  await sim.provision(httpProvisioner(a.url ?? 'http://127.0.0.1:1026', a.token));
  await sim.start(a.mqtt ?? 'mqtt://127.0.0.1:1883');
  setInterval(() => log.info({ sent: sim.sent }, 'simulator: messages sent'), 60_000).unref();
  const stop = async () => { await sim.stop(); process.exit(0); };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  await new Promise(() => undefined);
}

main().catch((e: Error) => { console.error(`simulator: ${e.message}`); process.exit(1); });
