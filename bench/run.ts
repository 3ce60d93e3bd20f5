// The benchmark runner behind `npm run bench`: runs each benchmark N times against a fresh server,
// prints medians (min–max) next to the targets, and writes .bench/results-<timestamp>.json + latest.json.
// Flags: --compare=REV (old code at REV and this checkout measured alternately; prints new/old ratios)
//        --only=patch,get,batch,query,temporal,subscriptions,ingest,engines,auth,cluster,portal,lighthouse,ngsiv2,catalog,kpi,reports (and, opt-in, scale)  --runs=N (3)  --duration=S (10)  --connections=C (32)  --quick  --profile
//        --generator=wrk|autocannon (autocannon; wrk if installed and asked for): load generator of the patch, get and query benchmarks.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import type { BenchFn, BenchOptions, GeneratorName, Result } from './common.ts';
import { run as batch } from './batch.bench.ts';
import { run as get } from './get.bench.ts';
import { run as patch } from './patch.bench.ts';
import { run as query } from './query.bench.ts';
import { run as temporal } from './temporal.bench.ts';
import { run as subscriptions } from './subscriptions.bench.ts';
import { run as ingest } from './ingest.bench.ts';
import { run as engines } from './engines.bench.ts';
import { run as auth } from './auth.bench.ts';
import { run as cluster } from './cluster.bench.ts';
import { run as portal } from './portal.bench.ts';
import { run as lighthouse } from './lighthouse.bench.ts';
import { run as participation } from './participation.bench.ts';
import { run as ngsiv2 } from './ngsiv2.bench.ts';
import { run as catalog } from './catalog.bench.ts';
import { run as kpi } from './kpi.bench.ts';
import { run as reports } from './reports.bench.ts';
import { run as scale } from './scale.bench.ts';
import { REPO_ROOT } from './server.ts';
import { compare, compareTable, worktreeOf } from './compare.ts';
import { WRK_THREADS, wrkVersion } from './wrk.ts';

const BENCHES: Record<string, BenchFn> = { patch, get, batch, query, temporal, subscriptions, ingest, engines, auth, cluster, portal, lighthouse, ngsiv2, catalog, kpi, reports, participation };
// Not in the default set: `scale` seeds stores of 10k and 100k entities on both engines (minutes); ask for it with --only=scale.
const OPT_IN: Record<string, BenchFn> = { scale };

interface Target {
  match: (name: string) => boolean;
  text: string;
  met: (r: Summary) => boolean;
  /** Set when the figure is not comparable to the target (e.g. smaller data set with --quick). */
  caveat?: (quick: boolean) => string | undefined;
  /** Applies to the side-by-side engine figures (names starting with "engines:"); the others never do. */
  engines?: boolean;
}

interface Summary {
  bench: string;
  name: string;
  unit: string;
  runs: number;
  value: number;
  min: number;
  max: number;
  p50?: number;
  p99?: number;
  errors: number;
  conditions: string;
  target?: string;
  met?: boolean;
  caveat?: string;
}

const QUICK_CAVEAT = (q: boolean) => (q ? 'target is for 100,000 entities' : undefined);
const TARGETS: Target[] = [
  { match: (n) => n.startsWith('PATCH'), text: '≥ 8,000 req/s, p99 ≤ 20 ms', met: (r) => r.value >= 8000 && (r.p99 ?? Infinity) <= 20 },
  { match: (n) => n.startsWith('GET'), text: '≥ 10,000 req/s', met: (r) => r.value >= 10_000 },
  { match: (n) => n.startsWith('batch upsert'), text: '≥ 20,000 entities/s', met: (r) => r.value >= 20_000 },
  { match: (n) => n.includes('temperature>25 limit=100'), text: '≥ 1,500 req/s', met: (r) => r.value >= 1500, caveat: QUICK_CAVEAT },
  { match: (n) => n.includes('temperature>25 limit=10') && !n.includes('limit=100'), text: '≥ 5,000 req/s', met: (r) => r.value >= 5000, caveat: QUICK_CAVEAT },
  { match: (n) => n.includes('status=="maintenance"'), text: '≥ 1,500 req/s', met: (r) => r.value >= 1500, caveat: QUICK_CAVEAT },
  { match: (n) => n.includes('georel=near'), text: '≥ 1,000 req/s', met: (r) => r.value >= 1000, caveat: QUICK_CAVEAT },
  { match: (n) => n.startsWith('temporal: write-path cost'), text: '≤ 30 %', met: (r) => r.value <= 30 },
  { match: (n) => n.includes('aggrPeriodDuration=P1D'), text: '≤ 150 ms', met: (r) => r.value <= 150, caveat: (q) => (q ? 'target is for 525,600 instances' : undefined) },
  { match: (n) => n.includes('aggrPeriodDuration=PT1H'), text: '≤ 300 ms', met: (r) => r.value <= 300, caveat: (q) => (q ? 'target is for 525,600 instances' : undefined) },
  { match: (n) => n === 'temporal: lastN=100', text: '≤ 10 ms', met: (r) => r.value <= 10 },
  { match: (n) => n.startsWith('temporal: bytes on disk'), text: '≤ 100 bytes', met: (r) => r.value <= 100 },
  { match: (n) => n.startsWith('subscriptions: write-path throughput loss'), text: '≤ 20 %', met: (r) => r.value <= 20 },
  { match: (n) => n.startsWith('subscriptions: notification latency'), text: 'p50 ≤ 5 ms, p99 ≤ 50 ms at 5,000/s', met: (r) => r.value >= 4900 && (r.p50 ?? Infinity) <= 5 && (r.p99 ?? Infinity) <= 50 },
  { match: (n) => n.startsWith('ingest (embedded broker): measurements stored'), text: '≥ 15,000 meas/s', met: (r) => r.value >= 15_000 },
  { match: (n) => n.startsWith('ingest (embedded broker): end-to-end latency'), text: 'p99 ≤ 200 ms at 5,000 meas/s', met: (r) => r.value >= 4900 && (r.p99 ?? Infinity) <= 200 },
  { engines: true, match: (n) => n.startsWith('engines: batch upsert') && n.endsWith('— postgres'), text: '≥ 15,000 entities/s', met: (r) => r.value >= 15_000 },
  { engines: true, match: (n) => /^engines: (query|temporal).*relative to SQLite$/.test(n), text: '≤ 200 % (within 2×)', met: (r) => r.value <= 200 },
  { engines: true, match: (n) => n.startsWith('engines: two nodes / one node'), text: '≥ 150 %', met: (r) => r.value >= 150 },
  { match: (n) => n === 'auth: throughput loss with an API key', text: '≤ 10 %', met: (r) => r.value <= 10 },
  { match: (n) => n === 'auth: throughput loss with a JWT', text: '≤ 15 %', met: (r) => r.value <= 15 },
  { match: (n) => n.startsWith('catalog: full harvest'), text: '≤ 5 s for 10,000 datasets', met: (r) => r.value <= 5, caveat: (q) => (q ? 'target is for 10,000 datasets' : undefined) },
  { match: (n) => n.startsWith('catalog: package_search'), text: 'p99 ≤ 20 ms over 10,000 datasets', met: (r) => (r.p99 ?? Infinity) <= 20, caveat: (q) => (q ? 'target is for 10,000 datasets' : undefined) },
  { match: (n) => n.startsWith('catalog: history CSV export'), text: '≥ 200,000 rows/s', met: (r) => r.value >= 200_000 },
  { match: (n) => n.startsWith('catalog: server RSS growth'), text: '≤ 50 MB during 10 million rows', met: (r) => r.value <= 50, caveat: (q) => (q ? 'target is for 10 million rows' : undefined) },
  { match: (n) => n.startsWith('reports: Open311 requests list'), text: 'p99 ≤ 50 ms', met: (r) => (r.p99 ?? Infinity) <= 50, caveat: (q) => (q ? 'target is for 50,000 reports' : undefined) },
  { match: (n) => n.startsWith('reports: report map page'), text: 'p99 ≤ 100 ms', met: (r) => (r.p99 ?? Infinity) <= 100, caveat: (q) => (q ? 'target is for 50,000 reports' : undefined) },
  { match: (n) => n === 'participation: process page' || n.startsWith('participation: proposal page'), text: 'p99 ≤ 100 ms', met: (r) => r.value <= 100 },
  { match: (n) => n === 'participation: budget result' || n.startsWith('participation: survey results'), text: '≤ 200 ms', met: (r) => r.value <= 200 },
  { match: (n) => n === 'participation: supports stored', text: '≥ 500/s, no double count', met: (r) => r.value >= 500 },
  { match: (n) => n.startsWith('lighthouse') && n.endsWith('performance score'), text: '≥ 90', met: (r) => r.value >= 90 },
  { match: (n) => n.startsWith('server RSS'), text: '< 300 MB with 100k entities', met: (r) => r.value < 300, caveat: QUICK_CAVEAT },
];

function parseArgs(argv: string[]) {
  const a = {
    only: Object.keys(BENCHES), runs: 3, duration: 10, connections: 32, quick: false, profile: false,
    // autocannon by default: every machine has it (npm), so figures stay comparable across machines.
    generator: 'autocannon' as GeneratorName,
    compare: undefined as string | undefined,
  };
  let runsGiven = false;
  let durationGiven = false;
  for (const arg of argv) {
    const [k, v] = arg.split('=', 2);
    const num = () => {
      const n = Number(v);
      if (!Number.isFinite(n) || n <= 0) throw new Error(`${k} needs a positive number, got "${v}"`);
      return n;
    };
    switch (k) {
      case '--only':
        a.only = (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);
        for (const b of a.only) if (!BENCHES[b] && !OPT_IN[b]) throw new Error(`unknown benchmark "${b}"; known: ${[...Object.keys(BENCHES), ...Object.keys(OPT_IN)].join(', ')}`);
        break;
      case '--runs': a.runs = Math.floor(num()); runsGiven = true; break;
      case '--duration': a.duration = num(); durationGiven = true; break;
      case '--connections': a.connections = Math.floor(num()); break;
      case '--quick': a.quick = true; break;
      case '--compare':
        if (!v) throw new Error('--compare needs a git revision, e.g. --compare=HEAD~3');
        a.compare = v;
        break;
      case '--profile': a.profile = true; break;
      case '--generator':
        if (v !== 'wrk' && v !== 'autocannon') throw new Error(`--generator must be wrk or autocannon, got "${v}"`);
        if (v === 'wrk' && !wrkVersion()) throw new Error('--generator=wrk: wrk is not installed (apt-get install wrk)');
        a.generator = v;
        break;
      case '--help': case '-h':
        console.log('npm run bench -- [--only=patch,get,batch,query] [--runs=3] [--duration=10] [--connections=32] [--quick] [--profile] [--generator=wrk|autocannon] [--compare=REV]');
        process.exit(0);
        break;
      default: throw new Error(`unknown argument "${arg}"`);
    }
  }
  if (a.quick) {
    if (!runsGiven) a.runs = 1;
    if (!durationGiven) a.duration = 3;
  }
  return a;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

function fmtValue(v: number, unit: string): string {
  if (unit === 'MB') return v.toFixed(0);
  if (unit === '%') return v.toFixed(1);
  if (unit === 'ratio' || unit === '×') return v.toFixed(2);
  if (unit === 'CLS') return v.toFixed(3);
  return Math.round(v).toLocaleString('en-US');
}
// autocannon's latency histogram has 1 ms resolution, wrk's report 10 µs; show decimals only where there are some.
const fmtMs = (v?: number) => (v === undefined ? '–' : Number.isInteger(v) ? String(v) : v.toFixed(1));

function summarise(bench: string, runs: Result[][], quick: boolean): Summary[] {
  const names = [...new Set(runs.flat().map((r) => r.name))];
  return names.map((name) => {
    const rs = runs.map((list) => list.find((r) => r.name === name)).filter((r): r is Result => !!r);
    const values = rs.map((r) => r.value);
    const med = median(values);
    // Conditions of the run closest to the median (they carry per-run counts).
    const mid = rs.reduce((best, r) => (Math.abs(r.value - med) < Math.abs(best.value - med) ? r : best), rs[0]);
    const p50s = rs.map((r) => r.p50).filter((x): x is number => x !== undefined);
    const p99s = rs.map((r) => r.p99).filter((x): x is number => x !== undefined);
    const s: Summary = {
      bench,
      name,
      unit: rs[0].unit,
      runs: rs.length,
      value: med,
      min: Math.min(...values),
      max: Math.max(...values),
      p50: p50s.length ? median(p50s) : undefined,
      p99: p99s.length ? median(p99s) : undefined,
      errors: rs.reduce((n, r) => n + (r.errors ?? 0), 0),
      conditions: mid.conditions,
    };
    const t = TARGETS.find((x) => x.match(name) && Boolean(x.engines) === name.startsWith('engines:'));
    if (t) {
      s.target = t.text;
      s.met = t.met(s);
      s.caveat = t.caveat?.(quick);
    }
    return s;
  });
}

function verdict(s: Summary): string {
  if (!s.target) return '';
  return `${s.met ? '✓' : '✗'}${s.caveat ? ` (${s.caveat})` : ''}`;
}

function textTable(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => [...r[c]].length)));
  const line = (r: string[]) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.profile) {
    // server.ts adds --cpu-prof for every server it starts; summarise with bench/profile-summary.ts.
    const dir = join(REPO_ROOT, '.bench', 'profiles');
    mkdirSync(dir, { recursive: true });
    process.env.BENCH_CPU_PROF_DIR = dir;
  }
  const cpus = os.cpus();
  const env = {
    node: process.version,
    cpu: cpus[0]?.model ?? 'unknown',
    cpuCount: cpus.length,
    memGb: Number((os.totalmem() / 1024 ** 3).toFixed(1)),
    platform: `${os.platform()} ${os.release()}`,
  };
  const opts: BenchOptions = { durationSec: args.duration, connections: args.connections, quick: args.quick, generator: args.generator };
  const generator = args.generator === 'wrk'
    ? `wrk ${wrkVersion()} (${WRK_THREADS} thread${WRK_THREADS === 1 ? '' : 's'}, own process) generates the load of patch, get and query, `
      + 'autocannon in the runner process that of subscriptions (batch and temporal use their own clients)'
    : 'autocannon generates the load in the runner process'
      + (wrkVersion() ? ' (--generator=wrk uses the installed wrk)' : '');
  const common = `Node ${env.node}, ${env.cpu} × ${env.cpuCount} (${env.memGb} GB RAM, ${env.platform}); `
    + `${args.runs} run(s) per benchmark, each on a fresh server and data dir; ${generator}; the generator runs on the same machine `
    + `and competes with the server for the ${env.cpuCount} (shared) cores; ${args.connections} connections, ${args.duration} s per measurement`
    + (args.quick ? '; --quick: query bench on 20,000 entities instead of 100,000' : '')
    + (args.profile ? '; --profile: server under --cpu-prof (slower)' : '');
  console.log(`Drehscheibe benchmarks — ${common}\n`);
  console.log(`Load generator: ${args.generator}${args.generator === 'wrk' ? ` ${wrkVersion()}, ${WRK_THREADS} thread(s)` : ''}\n`);

  if (args.compare) {
    await runCompare(args.compare, args, opts, common);
    return;
  }

  const raw: Record<string, Result[][]> = {};
  const failures: Array<{ bench: string; run: number; error: string }> = [];
  for (const bench of args.only) {
    raw[bench] = [];
    for (let k = 1; k <= args.runs; k++) {
      const t0 = performance.now();
      process.stdout.write(`▶ ${bench} run ${k}/${args.runs} … `);
      try {
        const res = await (BENCHES[bench] ?? OPT_IN[bench]!)(opts);
        raw[bench].push(res);
        console.log(`${((performance.now() - t0) / 1000).toFixed(0)} s: ${res.map((r) => `${r.name} = ${fmtValue(r.value, r.unit)} ${r.unit}${r.p99 !== undefined ? ` (p99 ${fmtMs(r.p99)} ms)` : ''}${r.errors ? ` [${r.errors} errors]` : ''}`).join('; ')}`);
      } catch (e) {
        const msg = (e as Error).stack ?? String(e);
        failures.push({ bench, run: k, error: msg });
        console.log(`FAILED\n${msg}`);
      }
    }
  }

  const summary = Object.entries(raw).flatMap(([bench, runs]) => summarise(bench, runs, args.quick));
  const head = ['Benchmark', 'Median', 'Unit', 'Range (min–max)', 'p50 ms', 'p99 ms', 'Errors', 'Target', 'Met'];
  const rows = summary.map((s) => [
    s.name, fmtValue(s.value, s.unit), s.unit, `${fmtValue(s.min, s.unit)}–${fmtValue(s.max, s.unit)}`,
    fmtMs(s.p50), fmtMs(s.p99), String(s.errors), s.target ?? '–', verdict(s) || '–',
  ]);
  console.log(`\n${textTable([head, ...rows])}\n`);
  console.log('Conditions per benchmark (of the median run):');
  for (const s of summary) console.log(`  • ${s.name}: ${s.conditions}`);

  const esc = (x: string) => x.replace(/\|/g, '\\|');
  const md = [
    `| ${head.join(' | ')} |`,
    `|${head.map((_, i) => (i === 0 || i >= 7 ? ' --- ' : ' ---: ')).join('|')}|`,
    ...rows.map((r) => `| ${r.map((c, i) => (i === 0 ? `\`${c}\`` : esc(c))).join(' | ')} |`),
    '',
    `Conditions: ${common}.`,
    '',
    ...summary.map((s) => `- \`${s.name}\`: ${esc(s.conditions)}`),
  ].join('\n');
  console.log(`\nMarkdown (for the README):\n\n${md}\n`);

  if (failures.length) {
    console.log(`${failures.length} benchmark run(s) FAILED:`);
    for (const f of failures) console.log(`  • ${f.bench} run ${f.run}: ${f.error.split('\n')[0]}`);
  }

  const outDir = join(REPO_ROOT, '.bench');
  mkdirSync(outDir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const json = JSON.stringify({ timestamp: new Date().toISOString(), options: args, environment: env, conditions: common, summary, runs: raw, failures, markdown: md }, null, 2);
  const file = join(outDir, `results-${stamp}.json`);
  writeFileSync(file, json);
  writeFileSync(join(outDir, 'latest.json'), json);
  console.log(`Results written to ${file} and .bench/latest.json`);
  if (failures.length) process.exitCode = 1;
}

/** --compare: old (REV) and new alternately, `runs` rounds; medians of the per-round ratios new/old. */
async function runCompare(rev: string, args: ReturnType<typeof parseArgs>, opts: BenchOptions, common: string): Promise<void> {
  const { dir, sha } = worktreeOf(rev);
  console.log(`Comparing old = ${sha.slice(0, 12)} (${dir}) with new = this checkout; ${args.runs} round(s) of old, then new.\n`);
  const { figures, failures } = await compare(args.only.map((b) => [b, BENCHES[b] ?? OPT_IN[b]!]), dir, args.runs, opts, (s) => console.log(s));
  const table = compareTable(figures);
  console.log(`\n${textTable(table)}\n`);
  const md = [
    `| ${table[0].join(' | ')} |`,
    `|${table[0].map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`,
    ...table.slice(1).map((r) => `| ${r.map((c, i) => (i === 0 ? `\`${c}\`` : c)).join(' | ')} |`),
    '',
    `Conditions: old = ${sha.slice(0, 12)}, new = this checkout, alternating; ${common}.`,
  ].join('\n');
  console.log(`Markdown:\n\n${md}\n`);
  if (failures.length) {
    console.log(`${failures.length} run(s) FAILED:`);
    for (const f of failures) console.log(`  • ${f}`);
    process.exitCode = 1;
  }
  const outDir = join(REPO_ROOT, '.bench');
  mkdirSync(outDir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  writeFileSync(join(outDir, `compare-${stamp}.json`), JSON.stringify({ timestamp: new Date().toISOString(), old: sha, options: args, figures, failures, markdown: md }, null, 2));
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(2);
});
