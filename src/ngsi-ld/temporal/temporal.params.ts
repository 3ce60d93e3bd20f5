// Parses the temporal query (clause 4.11 and 6.18.3.2: timerel, timeAt, endTimeAt, timeproperty,
// lastN), the representation (temporalValues 4.5.8, aggregatedValues 4.5.19) and the aggregation.
import { BadRequestData, InvalidRequest } from '../../core/errors.ts';
import { AGGR_METHODS, type AggrMethod, type TimeProperty, type TimeWindow } from '../../storage/port.temporal.ts';
import { parseDuration, type Duration } from './temporal.duration.ts';

export type TemporalFormat = 'normalized' | 'temporalValues' | 'aggregatedValues';

export interface TemporalQuery {
  window: TimeWindow;
  timerel?: 'before' | 'after' | 'between';
  timeAt?: number;
  endTimeAt?: number;
  lastN?: number;
  format: TemporalFormat;
  sysAttrs: boolean;
  aggr?: { methods: AggrMethod[]; period: Duration };
}

export interface TemporalInput {
  timerel?: unknown;
  timeAt?: unknown;
  endTimeAt?: unknown;
  timeproperty?: unknown;
  lastN?: unknown;
  aggrMethods?: unknown;
  aggrPeriodDuration?: unknown;
}

const TIMERELS = ['before', 'after', 'between'] as const;
const TIME_PROPERTIES: readonly TimeProperty[] = ['observedAt', 'createdAt', 'modifiedAt', 'deletedAt'];
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;
export const TEMPORAL_OPTIONS = ['temporalValues', 'aggregatedValues', 'sysAttrs', 'normalized', 'simplified', 'keyValues'];

export function parseDateTime(v: unknown, param: string): number {
  const t = typeof v === 'string' && DATE_TIME.test(v) ? Date.parse(v) : NaN;
  if (Number.isNaN(t)) throw new BadRequestData(`${param} must be a DateTime in ISO 8601 UTC form such as 2026-11-26T10:00:00Z, got ${JSON.stringify(v)?.slice(0, 60)}`);
  return t;
}

function list(v: unknown): string[] {
  if (Array.isArray(v)) return v.map(String);
  return String(v).split(',').map((s) => s.trim()).filter(Boolean);
}

/** The representation from options/format: temporalValues (alias simplified, keyValues) or aggregatedValues. */
export function parseFormat(opts: Set<string>): { format: TemporalFormat; sysAttrs: boolean } {
  for (const o of opts) if (!TEMPORAL_OPTIONS.includes(o)) throw new BadRequestData(`Unknown option "${o}" for a temporal query; allowed: ${TEMPORAL_OPTIONS.join(', ')}`);
  const simplified = opts.has('temporalValues') || opts.has('simplified') || opts.has('keyValues');
  const aggregated = opts.has('aggregatedValues');
  if (simplified && aggregated) throw new BadRequestData('options temporalValues and aggregatedValues exclude each other');
  if ((simplified || aggregated) && opts.has('normalized')) throw new BadRequestData('options normalized excludes temporalValues and aggregatedValues');
  return { format: aggregated ? 'aggregatedValues' : simplified ? 'temporalValues' : 'normalized', sysAttrs: opts.has('sysAttrs') };
}

export function parseTemporalQuery(i: TemporalInput, opts: Set<string>): TemporalQuery {
  const { format, sysAttrs } = parseFormat(opts);
  const property = (i.timeproperty ?? 'observedAt') as TimeProperty;
  if (!TIME_PROPERTIES.includes(property)) throw new BadRequestData(`timeproperty must be one of ${TIME_PROPERTIES.join(', ')}, got ${JSON.stringify(i.timeproperty)}`);
  const q: TemporalQuery = { window: { property }, format, sysAttrs };
  if (i.timerel !== undefined) {
    if (!TIMERELS.includes(i.timerel as typeof TIMERELS[number])) throw new BadRequestData(`timerel must be before, after or between, got ${JSON.stringify(i.timerel)}`);
    q.timerel = i.timerel as TemporalQuery['timerel'];
    if (i.timeAt === undefined) throw new BadRequestData(`timerel=${q.timerel} needs timeAt`);
    q.timeAt = parseDateTime(i.timeAt, 'timeAt');
    if (q.timerel === 'between') {
      if (i.endTimeAt === undefined) throw new BadRequestData('timerel=between needs endTimeAt');
      q.endTimeAt = parseDateTime(i.endTimeAt, 'endTimeAt');
      if (q.endTimeAt <= q.timeAt) throw new BadRequestData('endTimeAt must be later than timeAt');
      q.window.gte = q.timeAt;
      q.window.lt = q.endTimeAt;
    } else {
      if (i.endTimeAt !== undefined) throw new BadRequestData(`endTimeAt is only allowed with timerel=between, not with timerel=${q.timerel}`);
      if (q.timerel === 'before') q.window.lt = q.timeAt;
      else q.window.gt = q.timeAt;
    }
  } else if (i.timeAt !== undefined || i.endTimeAt !== undefined) {
    throw new BadRequestData(`${i.timeAt !== undefined ? 'timeAt' : 'endTimeAt'} needs timerel (before, after or between)`);
  }
  if (i.lastN !== undefined) {
    const s = String(i.lastN);
    if (!/^\d+$/.test(s) || Number(s) < 1) throw new BadRequestData(`lastN must be a positive integer, got ${JSON.stringify(i.lastN)}`);
    q.lastN = Number(s);
  }
  if (format === 'aggregatedValues') {
    if (i.aggrMethods === undefined) throw new BadRequestData(`options=aggregatedValues needs aggrMethods (any of ${AGGR_METHODS.join(', ')})`);
    const methods = list(i.aggrMethods);
    if (methods.length === 0) throw new BadRequestData('aggrMethods is empty');
    for (const m of methods) if (!AGGR_METHODS.includes(m as AggrMethod)) throw new BadRequestData(`Unknown aggregation method "${m}"; allowed: ${AGGR_METHODS.join(', ')}`);
    const period = i.aggrPeriodDuration === undefined ? parseDuration('P0D') : parseDuration(String(i.aggrPeriodDuration));
    q.aggr = { methods: [...new Set(methods)] as AggrMethod[], period };
  } else if (i.aggrMethods !== undefined || i.aggrPeriodDuration !== undefined) {
    throw new BadRequestData('aggrMethods and aggrPeriodDuration need options=aggregatedValues');
  }
  return q;
}

/** Narrows the window by a Range request header "date-time=<start>-<end>" (clause 6.3.10, RFC 7233 syntax). */
export function applyRange(q: TemporalQuery, header: string | undefined): void {
  if (!header) return;
  const m = /^\s*date-time\s*=\s*(\S+?Z|\S+?[+-]\d{2}:?\d{2})?\s*-\s*(\S+)?\s*$/i.exec(header);
  if (!m || (!m[1] && !m[2])) throw new InvalidRequest(`Range must look like "date-time=2026-01-01T00:00:00Z-2026-02-01T00:00:00Z", got "${header.slice(0, 80)}"`);
  if (m[1]) {
    const s = parseDateTime(m[1], 'Range start');
    q.window.gte = Math.max(q.window.gte ?? -Infinity, s);
  }
  if (m[2]) {
    const e = parseDateTime(m[2], 'Range end');
    q.window.lte = Math.min(q.window.lte ?? Infinity, e);
  }
}
