// Summarises V8 .cpuprofile files (from `node --cpu-prof` or `npm run bench -- --profile`):
// top self-time functions with their share. Usage: tsx bench/profile-summary.ts <file|dir> [--top=10]
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile { nodes: Node[]; startTime: number; endTime: number; samples?: number[]; timeDeltas?: number[] }

export interface HotSpot { fn: string; where: string; selfMs: number; share: number }

/** Self time per function (summed over all its nodes), from the sample time deltas. */
export function hotSpots(profile: Profile, top = 10): { spots: HotSpot[]; totalMs: number; idleMs: number } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    // The delta that follows a sample is the time spent in it.
    const dt = (deltas[i + 1] ?? 0) / 1000;
    self.set(samples[i], (self.get(samples[i]) ?? 0) + dt);
  }
  const agg = new Map<string, HotSpot>();
  let totalMs = 0;
  let idleMs = 0;
  for (const [id, ms] of self) {
    const n = byId.get(id);
    if (!n) continue;
    totalMs += ms;
    const fn = n.callFrame.functionName || '(anonymous)';
    if (fn === '(idle)') idleMs += ms;
    const url = n.callFrame.url.replace(/^file:\/\//, '');
    const where = url ? `${url.includes('/node_modules/') ? url.slice(url.lastIndexOf('/node_modules/') + 14) : relative(process.cwd(), url)}:${n.callFrame.lineNumber + 1}` : '';
    const key = `${fn}@${where}`;
    const h = agg.get(key) ?? { fn, where, selfMs: 0, share: 0 };
    h.selfMs += ms;
    agg.set(key, h);
  }
  const busy = totalMs - idleMs;
  const spots = [...agg.values()].filter((h) => h.fn !== '(idle)').sort((a, b) => b.selfMs - a.selfMs).slice(0, top);
  for (const h of spots) h.share = busy > 0 ? h.selfMs / busy : 0;
  return { spots, totalMs, idleMs };
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
    for (const h of spots) console.log(`  ${h.selfMs.toFixed(0).padStart(9)}  ${(100 * h.share).toFixed(1).padStart(6)}  ${h.fn}${h.where ? ` (${h.where})` : ''}`);
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '')) main();
