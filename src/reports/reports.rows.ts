// What both adapters share: the WHERE clause of a report filter (placeholders per engine) and how a
// patch changes a report. No driver types here.
import type { Report } from './reports.model.ts';
import type { ReportFilter, ReportPatch } from './reports.port.ts';

const DIGITS = /^[1-9][0-9]{0,15}$/;

/** The WHERE clause (or '') and its parameters; `ph(n)` is the engine's n-th placeholder (1-based). */
export function whereOf(f: ReportFilter, ph: (n: number) => string): { sql: string; args: unknown[] } {
  const parts: string[] = [];
  const args: unknown[] = [];
  const p = (v: unknown) => { args.push(v); return ph(args.length); };
  if (f.statuses) parts.push(f.statuses.length ? `status IN (${f.statuses.map(p).join(', ')})` : '1 = 0');
  if (f.categories) parts.push(f.categories.length ? `category IN (${f.categories.map(p).join(', ')})` : '1 = 0');
  if (f.ids) {
    const ids = f.ids.filter((i) => DIGITS.test(i)).map(Number);
    parts.push(ids.length ? `id IN (${ids.map(p).join(', ')})` : '1 = 0');
  }
  if (f.from !== undefined) parts.push(`requested_at >= ${p(f.from)}`);
  if (f.to !== undefined) parts.push(`requested_at < ${p(f.to)}`);
  if (f.bbox) parts.push(`lat BETWEEN ${p(f.bbox.minLat)} AND ${p(f.bbox.maxLat)} AND lon BETWEEN ${p(f.bbox.minLon)} AND ${p(f.bbox.maxLon)}`);
  return { sql: parts.length ? `WHERE ${parts.join(' AND ')}` : '', args };
}

export function applyPatch(r: Report, patch: ReportPatch, at: string): Report {
  const next: Report = { ...r, updatedAt: at };
  if (patch.status !== undefined) next.status = patch.status;
  for (const k of ['statusNote', 'answer', 'department'] as const) {
    const v = patch[k];
    if (v === null) delete next[k];
    else if (v !== undefined) next[k] = v;
  }
  if (patch.photoState !== undefined && next.photo) next.photo = { ...next.photo, state: patch.photoState };
  return next;
}

/** Whether the patch is a step of the history (status or its note changed). */
export function isHistoryStep(before: Report, after: Report): boolean {
  return before.status !== after.status || (before.statusNote ?? null) !== (after.statusNote ?? null);
}
