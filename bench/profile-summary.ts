// Summarises V8 .cpuprofile files (from `node --cpu-prof` or `npm run bench -- --profile`):
// top self-time functions with their share. Usage: tsx bench/profile-summary.ts <file|dir> [--top=10]
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { SourceMap, type SourceMapPayload } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

/**
 * tsx keeps its transpiled files (minified, with a source map) in <tmpdir>/tsx-<uid>; profiles
 * point into that code, so positions are mapped back through the newest cached map per source.
 */
function tsxSourceMaps(): Map<string, SourceMap> {
  const out = new Map<string, { map: SourceMap; mtime: number }>();
  const dir = join(tmpdir(), `tsx-${process.getuid?.() ?? 0}`);
  let files: string[] = [];
  try {
    files = readdirSync(dir);
  } catch {
    return new Map();
  }
  for (const f of files) {
    try {
      const p = join(dir, f);
      const mtime = statSync(p).mtimeMs;
      const entry = JSON.parse(readFileSync(p, 'utf8')) as { map?: SourceMapPayload };
      const src = entry.map?.sources?.[0];
      if (!src || !entry.map) continue;
      const prev = out.get(src);
      if (!prev || prev.mtime < mtime) out.set(src, { map: new SourceMap(entry.map), mtime });
    } catch {
      // not a cache entry
    }
  }
  return new Map([...out].map(([k, v]) => [k, v.map]));
}
let maps: Map<string, SourceMap> | undefined;
const sourceLines = new Map<string, string[]>();

/** "file.ts:line" (original position where a map is known) plus the source line's text. */
function locate(url: string, line: number, col: number): { where: string; text?: string } {
  const path = url.replace(/^file:\/\//, '');
  if (!path) return { where: '' };
  if (path.includes('/node_modules/')) return { where: `${path.slice(path.lastIndexOf('/node_modules/') + 14)}:${line + 1}` };
  maps ??= tsxSourceMaps();
  const m = maps.get(path);
  const rel = relative(process.cwd(), path);
  if (!m) return { where: `${rel}:${line + 1}` };
  const e = m.findEntry(line, col) as { originalLine?: number };
  if (e.originalLine === undefined) return { where: `${rel}:?` };
  if (!sourceLines.has(path)) {
    try {
      sourceLines.set(path, readFileSync(path, 'utf8').split('\n'));
    } catch {
      sourceLines.set(path, []);
    }
  }
  return { where: `${rel}:${e.originalLine + 1}`, text: sourceLines.get(path)?.[e.originalLine]?.trim().slice(0, 90) };
}

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile { nodes: Node[]; startTime: number; endTime: number; samples?: number[]; timeDeltas?: number[] }

export interface HotSpot { fn: string; where: string; text?: string; caller?: string; selfMs: number; share: number }

/**
 * Self time per function (summed over all its nodes), from the sample time deltas. With lastMs, only
 * the samples of the profile's last lastMs milliseconds count (the load, without start-up).
 */
export function hotSpots(profile: Profile, top = 10, lastMs?: number): { spots: HotSpot[]; totalMs: number; idleMs: number } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  let from = 0;
  if (lastMs !== undefined) {
    let t = 0;
    const at = deltas.map((d) => (t += d / 1000));
    const cut = t - lastMs;
    while (from < at.length && at[from]! < cut) from++;
  }
  for (let i = from; i < samples.length; i++) {
    // The delta that follows a sample is the time spent in it.
    const dt = (deltas[i + 1] ?? 0) / 1000;
    self.set(samples[i], (self.get(samples[i]) ?? 0) + dt);
  }
  const agg = new Map<string, HotSpot & { callers: Map<string, number> }>();
  let totalMs = 0;
  let idleMs = 0;
  for (const [id, ms] of self) {
    const n = byId.get(id);
    if (!n) continue;
    totalMs += ms;
    const fn = n.callFrame.functionName || '(anonymous)';
    if (fn === '(idle)') idleMs += ms;
    const { where, text } = locate(n.callFrame.url, n.callFrame.lineNumber, n.callFrame.columnNumber);
    const key = `${fn}@${where}`;
    const h = agg.get(key) ?? { fn, where, text, selfMs: 0, share: 0, callers: new Map<string, number>() };
    h.selfMs += ms;
    // Native functions (and anonymous ones) are easier to place with their caller.
    const pn = byId.get(parent.get(id) ?? -1);
    if (pn) {
      const cw = locate(pn.callFrame.url, pn.callFrame.lineNumber, pn.callFrame.columnNumber).where;
      const c = `${pn.callFrame.functionName || '(anonymous)'}${cw ? ` ${cw}` : ''}`;
      h.callers.set(c, (h.callers.get(c) ?? 0) + ms);
    }
    agg.set(key, h);
  }
  const busy = totalMs - idleMs;
  const spots: HotSpot[] = [...agg.values()].filter((h) => h.fn !== '(idle)').sort((a, b) => b.selfMs - a.selfMs).slice(0, top).map((h) => {
    const caller = [...h.callers].sort((a, b) => b[1] - a[1])[0]?.[0];
    return { fn: h.fn, where: h.where, text: h.text, caller, selfMs: h.selfMs, share: busy > 0 ? h.selfMs / busy : 0 };
  });
  return { spots, totalMs, idleMs };
}

/** One report line: self ms, share of busy time, function (location) ← main caller, source text. */
export function formatSpot(h: HotSpot): string {
  const head = `  ${h.selfMs.toFixed(0).padStart(8)} ${(100 * h.share).toFixed(1).padStart(6)}  ${h.fn}${h.where ? ` (${h.where})` : ''}${h.caller ? `  ← ${h.caller}` : ''}`;
  return h.text ? `${head}\n${' '.repeat(19)}» ${h.text}` : head;
}

function main(): void {
  const args = process.argv.slice(2);
  const top = Number(args.find((a) => a.startsWith('--top='))?.slice(6) ?? 10);
  const targets = args.filter((a) => !a.startsWith('--'));
  if (targets.length === 0) {
    console.error('usage: tsx bench/profile-summary.ts <file.cpuprofile|dir> [--top=10]');
    process.exit(2);
  }
  const files = targets.flatMap((t) => (statSync(t).isDirectory() ? readdirSync(t).filter((f) => f.endsWith('.cpuprofile')).map((f) => join(t, f)) : [t]));
  for (const f of files) {
    const { spots, totalMs, idleMs } = hotSpots(JSON.parse(readFileSync(f, 'utf8')) as Profile, top);
    console.log(`\n${f}: ${(totalMs / 1000).toFixed(1)} s sampled, ${(100 * (1 - idleMs / totalMs)).toFixed(0)} % busy`);
    console.log(`  ${'self ms'.padStart(9)}  ${'% busy'.padStart(6)}  function (location)`);
    for (const h of spots) console.log(formatSpot(h));
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '')) main();
