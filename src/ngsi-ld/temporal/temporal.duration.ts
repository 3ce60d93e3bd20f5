// ISO 8601 durations as aggrPeriodDuration takes them (clause 4.5.19: P[n]Y[n]M[n]DT[n]H[n]M[n]S
// or P[n]W) and the period boundaries they cut a time range into — calendar-aware for Y and M.
import { BadRequestData, TooManyResults } from '../../core/errors.ts';

export interface Duration {
  years: number;
  months: number;
  /** Fixed part in milliseconds (weeks, days, hours, minutes, seconds; a day is 24 h in UTC). */
  ms: number;
  text: string;
}

const RE = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$/;

export function parseDuration(text: string, param = 'aggrPeriodDuration'): Duration {
  const m = RE.exec(text);
  if (!m || text === 'P' || text.endsWith('T')) {
    throw new BadRequestData(`${param} must be an ISO 8601 duration such as PT1H, P1D, P1W or P1M (P[n]Y[n]M[n]DT[n]H[n]M[n]S), got "${text.slice(0, 40)}"`);
  }
  const n = (i: number) => (m[i] ? Number(m[i].replace(',', '.')) : 0);
  const ms = ((n(3) * 7 + n(4)) * 86400 + n(5) * 3600 + n(6) * 60 + n(7)) * 1000;
  return { years: n(1), months: n(2), ms: Math.round(ms), text };
}

export function isZero(d: Duration): boolean {
  return d.years === 0 && d.months === 0 && d.ms === 0;
}

/** t + k·d; months and years step in the calendar (UTC), a 31st clamps to the month's last day. */
export function addDuration(t: number, d: Duration, k = 1): number {
  let base = t;
  const months = (d.years * 12 + d.months) * k;
  if (months !== 0) {
    const dt = new Date(t);
    const y = dt.getUTCFullYear();
    const mo = dt.getUTCMonth() + months;
    const target = new Date(Date.UTC(y, mo, 1));
    const last = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
    target.setUTCDate(Math.min(dt.getUTCDate(), last));
    target.setUTCHours(dt.getUTCHours(), dt.getUTCMinutes(), dt.getUTCSeconds(), dt.getUTCMilliseconds());
    base = target.getTime();
  }
  return base + d.ms * k;
}

/**
 * Periods [lo, hi) from start until end is covered. A zero duration (P0D, PT0S) is one period over
 * the whole range (clause 4.5.19). More than `max` periods is refused, naming a period that fits.
 */
export function periodBounds(start: number, end: number, d: Duration, max: number): Array<[number, number]> {
  if (end <= start) return [];
  if (isZero(d)) return [[start, end]];
  const approx = d.years * 365.2425 * 86400000 + d.months * 30.436875 * 86400000 + d.ms;
  const estimate = Math.ceil((end - start) / approx);
  if (estimate > max) {
    const hours = Math.ceil((end - start) / max / 3600000);
    const suggestion = hours <= 24 ? `PT${hours}H` : `P${Math.ceil(hours / 24)}D`;
    throw new TooManyResults(`aggrPeriodDuration=${d.text} cuts the requested time range into about ${estimate.toLocaleString('en-US')} periods per attribute; at most ${max.toLocaleString('en-US')} are allowed. Use a longer aggrPeriodDuration (at least ${suggestion}) or a shorter time range (timerel=between with timeAt and endTimeAt)`);
  }
  const out: Array<[number, number]> = [];
  let lo = start;
  for (let k = 1; lo < end; k++) {
    const hi = addDuration(start, d, k);
    out.push([lo, hi]);
    lo = hi;
  }
  return out;
}
