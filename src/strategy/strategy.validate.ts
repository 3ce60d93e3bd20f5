// Validation of project input (API and, later, the steward's forms: the same rules). Each problem
// names its field, so a form can show it next to the field and the API can list them all.
import { PROJECT_STATUSES, type Project, type ProjectLocation, type ProjectStatus, type Text2 } from './strategy.model.ts';

export const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;
const DATE = /^\d{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?$/;
const TYPE_NAME = /^[A-Za-z][A-Za-z0-9_:.\/#-]{0,255}$/;

/** A project as written by a steward: everything but the timestamps the store sets. */
export type ProjectInput = Omit<Project, 'createdAt' | 'modifiedAt'>;

export interface Problem {
  field: string;
  message: string;
}

export const LIMITS = { title: 200, summary: 600, description: 20_000, list: 50 };

const KNOWN = new Set(['slug', 'fieldId', 'title', 'summary', 'description', 'status', 'organisationId', 'start', 'end', 'location', 'entityTypes', 'datasets']);

function text2(v: unknown, field: string, max: number, problems: Problem[], required: boolean): Text2 {
  if (v === undefined && !required) return { de: '', en: '' };
  if (!v || typeof v !== 'object' || Array.isArray(v)) {
    problems.push({ field, message: `${field} must be an object { de, en } of strings` });
    return { de: '', en: '' };
  }
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) if (k !== 'de' && k !== 'en') problems.push({ field: `${field}.${k}`, message: `${field}: unknown language ${k} (de, en)` });
  const out: Text2 = { de: '', en: '' };
  for (const lang of ['de', 'en'] as const) {
    const s = o[lang];
    if (s === undefined) continue;
    if (typeof s !== 'string') { problems.push({ field: `${field}.${lang}`, message: `${field}.${lang} must be a string` }); continue; }
    if (s.length > max) problems.push({ field: `${field}.${lang}`, message: `${field}.${lang} has ${s.length} characters; the limit is ${max}` });
    out[lang] = s.trim();
  }
  if (required && out.de === '') problems.push({ field: `${field}.de`, message: `${field}.de (German) is required` });
  return out;
}

function lonLat(p: unknown): p is [number, number] {
  return Array.isArray(p) && p.length === 2 && typeof p[0] === 'number' && typeof p[1] === 'number'
    && Number.isFinite(p[0]) && Number.isFinite(p[1]) && Math.abs(p[0]) <= 180 && Math.abs(p[1]) <= 90;
}

/** A GeoJSON Point or Polygon in WGS 84 (RFC 7946: lon, lat; rings closed, at least 4 positions). */
export function location(v: unknown, problems: Problem[]): ProjectLocation | undefined {
  if (v === undefined || v === null) return undefined;
  const g = v as { type?: unknown; coordinates?: unknown };
  if (g && g.type === 'Point' && lonLat(g.coordinates)) return { type: 'Point', coordinates: [g.coordinates[0], g.coordinates[1]] };
  if (g && g.type === 'Polygon' && Array.isArray(g.coordinates) && g.coordinates.length > 0 && g.coordinates.length <= 10
    && g.coordinates.every((ring: unknown) => Array.isArray(ring) && ring.length >= 4 && ring.length <= 1000 && ring.every(lonLat)
      && ring[0][0] === ring[ring.length - 1][0] && ring[0][1] === ring[ring.length - 1][1])) {
    return { type: 'Polygon', coordinates: (g.coordinates as Array<Array<[number, number]>>).map((r) => r.map((p) => [p[0], p[1]] as [number, number])) };
  }
  problems.push({ field: 'location', message: 'location must be a GeoJSON Point or Polygon in WGS 84 (longitude -180..180, latitude -90..90; polygon rings closed, 4 to 1000 positions)' });
  return undefined;
}

function strList(v: unknown, field: string, pattern: RegExp, problems: Problem[]): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.length > LIMITS.list || !v.every((x) => typeof x === 'string' && pattern.test(x))) {
    problems.push({ field, message: `${field} must be a list of at most ${LIMITS.list} names (letters, digits, _ : . / # -)` });
    return [];
  }
  return [...new Set(v as string[])];
}

/** Checks a project body; `slug` comes from the URL on updates. Returns the input or the problems. */
export function parseProject(body: unknown, slugFromUrl?: string): { input?: ProjectInput; problems: Problem[] } {
  const problems: Problem[] = [];
  if (!body || typeof body !== 'object' || Array.isArray(body)) return { problems: [{ field: '', message: 'The body must be a JSON object' }] };
  const b = body as Record<string, unknown>;
  for (const k of Object.keys(b)) if (!KNOWN.has(k)) problems.push({ field: k, message: `unknown member ${k}; known: ${[...KNOWN].join(', ')}` });
  const slug = slugFromUrl ?? b.slug;
  if (slugFromUrl !== undefined && b.slug !== undefined && b.slug !== slugFromUrl) problems.push({ field: 'slug', message: 'slug cannot be changed (it is the project\'s address)' });
  if (typeof slug !== 'string' || !SLUG.test(slug)) problems.push({ field: 'slug', message: 'slug must be 1-64 lower-case letters, digits and hyphens (e.g. solarbaenke)' });
  if (typeof b.fieldId !== 'string' || !SLUG.test(b.fieldId)) problems.push({ field: 'fieldId', message: 'fieldId must name a field of action' });
  const title = text2(b.title, 'title', LIMITS.title, problems, true);
  const summary = text2(b.summary, 'summary', LIMITS.summary, problems, false);
  const description = text2(b.description, 'description', LIMITS.description, problems, false);
  if (!PROJECT_STATUSES.includes(b.status as ProjectStatus)) problems.push({ field: 'status', message: `status must be one of ${PROJECT_STATUSES.join(', ')}` });
  if (b.organisationId !== undefined && (typeof b.organisationId !== 'string' || !SLUG.test(b.organisationId))) problems.push({ field: 'organisationId', message: 'organisationId must name an organisation' });
  for (const k of ['start', 'end'] as const) {
    if (b[k] !== undefined && (typeof b[k] !== 'string' || !DATE.test(b[k] as string))) problems.push({ field: k, message: `${k} must be a date YYYY-MM or YYYY-MM-DD` });
  }
  if (typeof b.start === 'string' && typeof b.end === 'string' && DATE.test(b.start) && DATE.test(b.end) && b.end < b.start) problems.push({ field: 'end', message: 'end must not be before start' });
  const loc = location(b.location, problems);
  const entityTypes = strList(b.entityTypes, 'entityTypes', TYPE_NAME, problems);
  const datasets = strList(b.datasets, 'datasets', TYPE_NAME, problems);
  if (problems.length) return { problems };
  return {
    problems,
    input: {
      slug: slug as string, fieldId: b.fieldId as string, title, summary, description, status: b.status as ProjectStatus,
      organisationId: b.organisationId as string | undefined, start: b.start as string | undefined, end: b.end as string | undefined,
      location: loc, entityTypes, datasets,
    },
  };
}
