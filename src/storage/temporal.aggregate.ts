// Engine-neutral part of temporal aggregation: which partial sums (slots) each method needs, and
// how one period's slot values become the methods' results. Each adapter computes the slots in SQL.
import type { AggrMethod } from './port.temporal.ts';

export const AGGR_SLOTS = ['n', 'dc', 's', 'a', 'mn', 'mnv', 'mx', 'mxv', 'ssq', 'cn', 'sk', 'sk2'] as const;
/** n: values, dc: distinct values, s/a: sum/avg, mn/mx: numeric min/max, mnv/mxv: string min/max, ssq: sum of squares, cn: numeric values, sk/sk2: sums shifted by a series value (variance). */
export type AggrSlot = typeof AGGR_SLOTS[number];

export const METHOD_SLOTS: Record<AggrMethod, AggrSlot[]> = {
  totalCount: ['n'], distinctCount: ['dc'], sum: ['s', 'cn'], avg: ['a'], min: ['mn', 'mnv'], max: ['mx', 'mxv'],
  sumsq: ['ssq', 'cn'], varianceSum: ['cn', 'sk', 'sk2'], stddev: ['cn', 'sk', 'sk2'],
};

/** The slots a set of methods needs ('n' always: it tells an empty period). */
export function slotsFor(methods: AggrMethod[]): AggrSlot[] {
  return [...new Set(['n' as AggrSlot, ...methods.flatMap((m) => METHOD_SLOTS[m])])];
}

/** One period's slot values → method values; undefined when the period is empty. */
export function aggregateFromSlots(methods: AggrMethod[], v: Record<AggrSlot, number | string | null>): Partial<Record<AggrMethod, number | string | null>> | undefined {
  if (!v.n) return undefined;
  const str = (x: number | string | null) => (typeof x === 'string' && x.startsWith('"') ? (JSON.parse(x) as string) : null);
  const num = (x: number | string | null) => (typeof x === 'number' ? x : null);
  const cn = num(v.cn) ?? 0;
  const varianceSum = () => {
    if (cn === 0) return null;
    const sk = num(v.sk) ?? 0;
    return Math.max(0, (num(v.sk2) ?? 0) - (sk * sk) / cn);
  };
  const out: Partial<Record<AggrMethod, number | string | null>> = {};
  for (const m of methods) {
    switch (m) {
      case 'totalCount': out[m] = num(v.n); break;
      case 'distinctCount': out[m] = num(v.dc); break;
      case 'sum': out[m] = cn ? num(v.s) : null; break;
      case 'avg': out[m] = num(v.a); break;
      case 'min': out[m] = v.mn !== null ? num(v.mn) : str(v.mnv); break;
      case 'max': out[m] = v.mx !== null ? num(v.mx) : str(v.mxv); break;
      case 'sumsq': out[m] = cn ? num(v.ssq) : null; break;
      case 'varianceSum': out[m] = varianceSum(); break;
      case 'stddev': {
        const vs = varianceSum();
        // Sample standard deviation (n − 1), as PostgreSQL's stddev; a single value deviates by 0.
        out[m] = vs === null ? null : cn > 1 ? Math.sqrt(vs / (cn - 1)) : 0;
        break;
      }
    }
  }
  return out;
}
