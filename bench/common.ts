// Shared pieces of the benchmark scripts: the Result shape, the options every run() takes and load(),
// which runs wrk (bench/wrk.ts) or autocannon and turns the output into a Result.
//
// Load generator: `apt-get install wrk` gives the more accurate figures. wrk is a C program running in its
// own process on one thread; autocannon (the fallback, used when wrk is not installed or with
// --generator=autocannon) runs in the runner's Node process and saturates a core by itself at ~7–8k req/s
// on a 2-core machine, so PATCH and GET figures measured with it are capped by the generator, not the server.
// The runner prints which generator it used, and each Result's conditions name it.
import autocannon from 'autocannon';
import { createRequire } from 'node:module';
import { readdirSync, readFileSync } from 'node:fs';
import { wrkLoad } from './wrk.ts';

export type GeneratorName = 'wrk' | 'autocannon';

export interface Result {
  name: string;
  value: number;
  unit: string;
  /** Latency percentiles in ms, where measured. */
  p50?: number;
  p99?: number;
  /** Non-2xx responses plus connection errors/timeouts seen during the measurement. */
  errors?: number;
  conditions: string;
}

export interface BenchOptions {
  durationSec: number;
  connections: number;
  /** Smaller data sets and shorter warm-ups (runner's --quick). */
  quick?: boolean;
  /** Load generator for the benchmarks that support wrk (patch, get, query); autocannon when unset. */
  generator?: GeneratorName;
}

export type BenchFn = (opts: BenchOptions) => Promise<Result[]>;

export interface LoadSpec {
  url: string;
  connections: number;
  durationSec: number;
  /** The workload for autocannon. */
  requests: autocannon.Request[];
  headers?: Record<string, string>;
  /** Seconds of un-measured load before the measurement (JIT, caches). */
  warmupSec?: number;
  /** autocannon unless set; 'wrk' needs wrkScript. */
  generator?: GeneratorName;
  /** The same workload as a wrk Lua script (bench/wrk.ts luaScript()); headers must be in it too. */
  wrkScript?: string;
  /** The server's pid: its CPU time over the measured window is divided by the requests (autocannon only). */
  serverPid?: number;
}

export interface LoadOutcome {
  reqPerSec: number;
  p50: number;
  p99: number;
  total: number;
  non2xx: number;
  socketErrors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  /** Which generator measured it, with its threads (for the conditions). */
  generator: string;
  /**
   * Server CPU (user + system) per request in µs over the measured window, when spec.serverPid was given: what a
   * request costs, far less sensitive to a shared machine's load than the rate.
   */
  serverCpuUsPerReq?: number;
}

function cannon(opts: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((res, rej) => {
    autocannon(opts, (err, result) => (err ? rej(err) : res(result)));
  });
}

const autocannonVersion = (): string => {
  try {
    return (createRequire(import.meta.url)('autocannon/package.json') as { version: string }).version;
  } catch {
    return 'unknown version';
  }
};

/** Runs the load with spec.generator: wrk when asked for (and given its script), otherwise autocannon. */
export function load(spec: LoadSpec): Promise<LoadOutcome> {
  if (spec.generator === 'wrk') {
    if (!spec.wrkScript) throw new Error('load: generator wrk needs a wrkScript');
    return wrkLoad({ url: spec.url, connections: spec.connections, durationSec: spec.durationSec, warmupSec: spec.warmupSec, script: spec.wrkScript });
  }
  return autocannonLoad(spec);
}

/** Runs autocannon (keep-alive, no pipelining) after an optional warm-up and summarises it. */
export async function autocannonLoad(spec: LoadSpec): Promise<LoadOutcome> {
  const base: autocannon.Options = {
    url: spec.url,
    connections: spec.connections,
    pipelining: 1,
    headers: spec.headers,
    requests: spec.requests,
    timeout: 30,
  };
  if (spec.warmupSec && spec.warmupSec > 0) await cannon({ ...base, duration: spec.warmupSec });
  const pid = spec.serverPid;
  const cpu0 = pid === undefined ? 0 : cpuSeconds((_c, p) => p === pid);
  const r = await cannon({ ...base, duration: spec.durationSec });
  const cpu1 = pid === undefined ? 0 : cpuSeconds((_c, p) => p === pid);
  const statusCodes: Record<string, number> = {};
  for (const [code, s] of Object.entries(r.statusCodeStats ?? {})) statusCodes[code] = s.count ?? 0;
  return {
    reqPerSec: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    total: r.requests.total,
    non2xx: r.non2xx,
    socketErrors: r.errors,
    timeouts: r.timeouts,
    statusCodes,
    generator: `autocannon ${autocannonVersion()}, 1 thread (in the runner's Node process)`,
    ...(pid !== undefined && r.requests.total > 0 ? { serverCpuUsPerReq: ((cpu1 - cpu0) * 1e6) / r.requests.total } : {}),
  };
}

/** The server-CPU-per-request figure of a load, when it was measured (see LoadSpec.serverPid). */
export function cpuResult(name: string, o: LoadOutcome, conditions: string): Result[] {
  if (o.serverCpuUsPerReq === undefined) return [];
  return [{ name: `${name} (server CPU per request)`, value: o.serverCpuUsPerReq, unit: 'µs/req', conditions: `${conditions}; user + system CPU of the server process over the measured window (/proc, 10 ms ticks) divided by the requests` }];
}

/** "201: 0, 404: 3" style summary of the non-2xx status codes (empty when none). */
export function badStatuses(o: LoadOutcome): string {
  return Object.entries(o.statusCodes)
    .filter(([c]) => !c.startsWith('2'))
    .map(([c, n]) => `HTTP ${c}×${n}`)
    .join(', ');
}

/** The Result of one load measurement; its conditions end with the generator used. */
export function loadResult(name: string, o: LoadOutcome, conditions: string): Result {
  const bad = badStatuses(o);
  const errs = [bad, o.socketErrors ? `${o.socketErrors} socket errors (${o.timeouts} timeouts)` : ''].filter(Boolean).join('; ');
  conditions = `${conditions}; load generator: ${o.generator}`;
  return {
    name,
    value: o.reqPerSec,
    unit: 'req/s',
    p50: o.p50,
    p99: o.p99,
    errors: o.non2xx + o.socketErrors,
    conditions: errs ? `${conditions}; ERRORS: ${errs}` : conditions,
  };
}

/** Verifies one request before a load test, so that a broken endpoint fails loudly instead of measuring 4xx speed. */
export async function expectOk(url: string, init?: RequestInit): Promise<string> {
  const r = await fetch(url, init);
  const text = await r.text();
  if (!r.ok) throw new Error(`${init?.method ?? 'GET'} ${url} → HTTP ${r.status}: ${text.slice(0, 300)}`);
  return text;
}

export const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/**
 * CPU seconds (user + system) used so far by the processes the predicate picks, from /proc
 * (Linux): e.g. every `postgres` process, or one server's pid. Processes that exit between two
 * readings drop out of the sum, so take differences over a window in which they live.
 */
export function cpuSeconds(pick: (comm: string, pid: number) => boolean): number {
  let t = 0;
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const st = readFileSync(`/proc/${d}/stat`, 'utf8');
      const comm = st.slice(st.indexOf('(') + 1, st.lastIndexOf(')'));
      if (!pick(comm, Number(d))) continue;
      const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
      t += (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (100 Hz)
    } catch { /* the process ended meanwhile */ }
  }
  return t;
}
