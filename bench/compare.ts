// `npm run bench -- --compare=REV`: measures the code at REV ("old") and this checkout ("new") alternately
// in one sitting (old, new, old, new, …), so the shared machine's drift hits both sides alike, and prints
// the median of the per-round ratios new/old next to each side's median.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchFn, BenchOptions, Result } from './common.ts';
import { REPO_ROOT, setServerRoot } from './server.ts';

export interface ComparedFigure {
  bench: string;
  name: string;
  unit: string;
  old: number[];
  new: number[];
  /** new/old of each round, in round order. */
  ratios: number[];
  medianRatio: number;
}

const git = (...args: string[]) => execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8' }).trim();

/** A detached worktree of REV under .bench/compare/<sha>, sharing this checkout's node_modules. */
export function worktreeOf(rev: string): { dir: string; sha: string } {
  const sha = git('rev-parse', '--verify', `${rev}^{commit}`);
  const dir = join(REPO_ROOT, '.bench', 'compare', sha.slice(0, 12));
  if (!existsSync(join(dir, 'src', 'main.ts'))) {
    mkdirSync(join(REPO_ROOT, '.bench', 'compare'), { recursive: true });
    git('worktree', 'add', '--force', '--detach', dir, sha);
  }
  // The old code runs with today's dependencies; a dependency that only the new code added does no harm.
  if (!existsSync(join(dir, 'node_modules'))) symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return { dir, sha };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/**
 * Runs each bench `rounds` times on both sides, old first in every round. A round whose either side
 * failed is left out of the ratios (and reported by the caller through `failures`).
 */
export async function compare(
  benches: Array<[string, BenchFn]>,
  oldDir: string,
  rounds: number,
  opts: BenchOptions,
  log: (s: string) => void,
): Promise<{ figures: ComparedFigure[]; failures: string[] }> {
  const figures: ComparedFigure[] = [];
  const failures: string[] = [];
  for (const [bench, fn] of benches) {
    const byRound: Array<{ old?: Result[]; new?: Result[] }> = [];
    for (let k = 1; k <= rounds; k++) {
      const round: { old?: Result[]; new?: Result[] } = {};
      for (const side of ['old', 'new'] as const) {
        setServerRoot(side === 'old' ? oldDir : REPO_ROOT);
        const t0 = performance.now();
        try {
          round[side] = await fn(opts);
          log(`▶ ${bench} round ${k}/${rounds} ${side}: ${((performance.now() - t0) / 1000).toFixed(0)} s: `
            + round[side]!.map((r) => `${r.name} = ${Math.round(r.value).toLocaleString('en-US')} ${r.unit}`).join('; '));
        } catch (e) {
          failures.push(`${bench} round ${k} ${side}: ${(e as Error).message.split('\n')[0]}`);
          log(`▶ ${bench} round ${k}/${rounds} ${side}: FAILED ${(e as Error).message.split('\n')[0]}`);
        }
      }
      byRound.push(round);
    }
    setServerRoot(REPO_ROOT);
    const names = [...new Set(byRound.flatMap((r) => [...(r.old ?? []), ...(r.new ?? [])].map((x) => x.name)))];
    for (const name of names) {
      const pairs = byRound
        .map((r) => [r.old?.find((x) => x.name === name), r.new?.find((x) => x.name === name)] as const)
        .filter((p): p is readonly [Result, Result] => !!p[0] && !!p[1] && p[0].value > 0);
      if (pairs.length === 0) continue;
      const ratios = pairs.map(([o, n]) => n.value / o.value);
      figures.push({
        bench,
        name,
        unit: pairs[0][0].unit,
        old: pairs.map(([o]) => o.value),
        new: pairs.map(([, n]) => n.value),
        ratios,
        medianRatio: median(ratios),
      });
    }
  }
  return { figures, failures };
}

/** Lower is better for latencies, sizes, memory and percentages of loss; higher for rates and scores. */
export function higherIsBetter(unit: string): boolean {
  return /\/s$/.test(unit) || unit === 'score';
}

export function compareTable(figures: ComparedFigure[]): string[][] {
  const fmt = (v: number) => (Math.abs(v) >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(1));
  return [
    ['Benchmark', 'Unit', 'old (median)', 'new (median)', 'new/old per round', 'median new/old', 'better is'],
    ...figures.map((f) => [
      f.name, f.unit, fmt(median(f.old)), fmt(median(f.new)),
      f.ratios.map((r) => r.toFixed(3)).join(' '), f.medianRatio.toFixed(3), higherIsBetter(f.unit) ? 'higher' : 'lower',
    ]),
  ];
}
