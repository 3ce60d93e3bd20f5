// Checks a dataset document from the API or the editor and lists every problem with the field it
// concerns (JSON-pointer-like paths such as "distributions[1].format"). Vocabularies: catalog.vocab.ts.
import type { Checksum, Distribution, Geometry, LangText, LiveQuery, Spatial, Temporal } from './catalog.model.ts';
import type { DatasetInput } from './catalog.model.ts';
import { findFileType, findFrequency, findLicence, findTheme } from './catalog.vocab.ts';

export interface Problem {
  field: string;
  message: string;
}

export const DATASET_ID = /^[a-z0-9][a-z0-9-]{0,99}$/;
export const DISTRIBUTION_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;
const TENANT = /^[A-Za-z0-9_-]{0,64}$/;
const MEDIA_TYPE = /^[A-Za-z0-9!#$&^_.+-]{1,64}\/[A-Za-z0-9!#$&^_.+-]{1,128}$/;
const DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;
const IRI = /^https?:\/\/[^\s<>"{}|\\^`]+$/;
const EMAIL = /^[^\s@<>"]{1,64}@[^\s@<>"]{1,255}\.[^\s@<>"]{2,}$/;
const TYPE_NAME = /^([A-Za-z_][A-Za-z0-9_.-]{0,127}|https?:\/\/[^\s<>"]{1,500}|urn:[^\s<>"]{1,500})$/;
const ATTR_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/;

const DATASET_KEYS = new Set(['id', 'tenant', 'title', 'description', 'publisherId', 'contactPoint', 'licence', 'themes', 'keywords', 'spatial', 'temporal',
  'accrualPeriodicity', 'contributorIds', 'conformsTo', 'landingPage', 'projectSlug', 'live', 'distributions', 'issued', 'modified',
  // read-only members a client may send back unchanged
  'state', 'createdAt']);
const DIST_KEYS = new Set(['id', 'kind', 'title', 'description', 'accessUrl', 'downloadUrl', 'format', 'mediaType', 'licence', 'byteSize', 'checksum', 'fileName', 'live', 'modified']);

const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): v is string => typeof v === 'string';

class Checker {
  readonly problems: Problem[] = [];
  add(field: string, message: string): void { this.problems.push({ field, message: `${field}: ${message}` }); }

  text(field: string, v: unknown, max: number, required: boolean): string | undefined {
    if (v === undefined || v === null || v === '') { if (required) this.add(field, 'is required'); return undefined; }
    if (!str(v)) { this.add(field, 'must be a string'); return undefined; }
    const t = v.trim();
    if (!t) { if (required) this.add(field, 'is required'); return undefined; }
    if (t.length > max) { this.add(field, `must be at most ${max} characters long`); return undefined; }
    return t;
  }

  lang(field: string, v: unknown, max: number, required: boolean): LangText | undefined {
    if (v === undefined || v === null) { if (required) this.add(`${field}.de`, 'is required (German text)'); return undefined; }
    if (str(v)) v = { de: v };
    if (!isObj(v)) { this.add(field, 'must be an object {"de": …, "en": …}'); return undefined; }
    for (const k of Object.keys(v)) if (k !== 'de' && k !== 'en') this.add(`${field}.${k}`, 'unknown language (de and en are supported)');
    const de = this.text(`${field}.de`, v.de, max, required);
    const en = this.text(`${field}.en`, v.en, max, false);
    if (!de) { if (!required && en) this.add(`${field}.de`, 'is required when English text is given'); return undefined; }
    return en ? { de, en } : { de };
  }

  iri(field: string, v: unknown, required = false): string | undefined {
    if (v === undefined || v === null || v === '') { if (required) this.add(field, 'is required'); return undefined; }
    if (!str(v) || !IRI.test(v) || v.length > 2000) { this.add(field, 'must be an http(s) URL'); return undefined; }
    return v;
  }

  date(field: string, v: unknown): string | undefined {
    if (v === undefined || v === null || v === '') return undefined;
    if (!str(v) || !DATE.test(v) || Number.isNaN(Date.parse(v))) { this.add(field, 'must be a date (YYYY-MM-DD) or an ISO 8601 date-time'); return undefined; }
    return v;
  }

  list<T>(field: string, v: unknown, max: number, item: (field: string, x: unknown) => T | undefined): T[] {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) { this.add(field, 'must be an array'); return []; }
    if (v.length > max) { this.add(field, `must have at most ${max} entries`); return []; }
    const out: T[] = [];
    v.forEach((x, i) => { const r = item(`${field}[${i}]`, x); if (r !== undefined && !out.includes(r)) out.push(r); });
    return out;
  }
}

function geometry(c: Checker, field: string, v: unknown): Geometry | undefined {
  if (!isObj(v)) { c.add(field, 'must be a GeoJSON geometry (Point, Polygon or MultiPolygon)'); return undefined; }
  const pos = (p: unknown) => Array.isArray(p) && p.length === 2 && p.every((n) => typeof n === 'number' && Number.isFinite(n)) && Math.abs(p[0] as number) <= 180 && Math.abs(p[1] as number) <= 90;
  const ring = (r: unknown) => Array.isArray(r) && r.length >= 4 && r.length <= 10_000 && r.every(pos);
  const ok = v.type === 'Point' ? pos(v.coordinates)
    : v.type === 'Polygon' ? Array.isArray(v.coordinates) && v.coordinates.length > 0 && v.coordinates.every(ring)
    : v.type === 'MultiPolygon' ? Array.isArray(v.coordinates) && v.coordinates.length > 0 && v.coordinates.every((p) => Array.isArray(p) && p.length > 0 && p.every(ring))
    : false;
  if (!ok) { c.add(field, 'must be a GeoJSON Point, Polygon or MultiPolygon with lon/lat positions (WGS 84)'); return undefined; }
  return { type: v.type, coordinates: v.coordinates } as Geometry;
}

function spatial(c: Checker, v: unknown): Spatial | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObj(v)) { c.add('spatial', 'must be an object {municipalityKey, geometry}'); return undefined; }
  for (const k of Object.keys(v)) if (k !== 'municipalityKey' && k !== 'geometry') c.add(`spatial.${k}`, 'unknown member');
  const out: Spatial = {};
  if (v.municipalityKey !== undefined && v.municipalityKey !== '') {
    if (!str(v.municipalityKey) || !/^\d{8}$/.test(v.municipalityKey)) c.add('spatial.municipalityKey', 'must be an official municipality key of 8 digits (e.g. 05916000 for Herne)');
    else out.municipalityKey = v.municipalityKey;
  }
  if (v.geometry !== undefined && v.geometry !== null) {
    const g = geometry(c, 'spatial.geometry', v.geometry);
    if (g) out.geometry = g;
  }
  return out.municipalityKey || out.geometry ? out : undefined;
}

function temporal(c: Checker, v: unknown): Temporal | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObj(v)) { c.add('temporal', 'must be an object {start, end}'); return undefined; }
  for (const k of Object.keys(v)) if (k !== 'start' && k !== 'end') c.add(`temporal.${k}`, 'unknown member');
  const start = c.date('temporal.start', v.start);
  const end = c.date('temporal.end', v.end);
  if (start && end && Date.parse(start) > Date.parse(end)) c.add('temporal.end', 'must not be before temporal.start');
  if (!start && !end) return undefined;
  return { ...(start ? { start } : {}), ...(end ? { end } : {}) };
}

function live(c: Checker, v: unknown): LiveQuery | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObj(v)) { c.add('live', 'must be an object {tenant, type, q, geo, attrs}'); return undefined; }
  for (const k of Object.keys(v)) if (!['tenant', 'type', 'q', 'geo', 'attrs', 'historyDays', 'context'].includes(k)) c.add(`live.${k}`, 'unknown member');
  const tenant = v.tenant ?? '';
  if (!str(tenant) || !TENANT.test(tenant)) c.add('live.tenant', 'must be a tenant name (letters, digits, _ or -; empty = default tenant)');
  if (!str(v.type) || !TYPE_NAME.test(v.type)) c.add('live.type', 'must be an entity type name or IRI');
  const out: LiveQuery = { tenant: str(tenant) ? tenant : '', type: str(v.type) ? v.type : '' };
  if (v.q !== undefined && v.q !== '') {
    if (!str(v.q) || v.q.length > 2000) c.add('live.q', 'must be an NGSI-LD q expression of at most 2000 characters');
    else out.q = v.q;
  }
  if (v.geo !== undefined && v.geo !== null) {
    const g = v.geo;
    if (!isObj(g) || !str(g.georel) || !str(g.geometry) || !(str(g.coordinates) || Array.isArray(g.coordinates))) c.add('live.geo', 'must be an object {georel, geometry, coordinates[, geoproperty]}');
    else {
      const coordinates = str(g.coordinates) ? g.coordinates : JSON.stringify(g.coordinates);
      out.geo = { georel: g.georel, geometry: g.geometry, coordinates, ...(str(g.geoproperty) ? { geoproperty: g.geoproperty } : {}) };
    }
  }
  if (v.attrs !== undefined) {
    const attrs = c.list('live.attrs', v.attrs, 100, (f, x) => { if (!str(x) || !ATTR_NAME.test(x)) { c.add(f, 'must be an attribute name'); return undefined; } return x; });
    if (attrs.length) out.attrs = attrs;
  }
  if (v.context !== undefined && v.context !== '') {
    const ctx = c.iri('live.context', v.context);
    if (ctx) out.context = ctx;
  }
  if (v.historyDays !== undefined) {
    if (typeof v.historyDays !== 'number' || !Number.isInteger(v.historyDays) || v.historyDays < 1 || v.historyDays > 366) c.add('live.historyDays', 'must be a whole number of days from 1 to 366');
    else out.historyDays = v.historyDays;
  }
  return out;
}

function checksum(c: Checker, field: string, v: unknown): Checksum | undefined {
  if (v === undefined || v === null) return undefined;
  const len: Record<string, number> = { sha256: 64, sha1: 40, md5: 32 };
  if (!isObj(v) || !str(v.algorithm) || !(v.algorithm in len) || !str(v.value) || !new RegExp(`^[0-9a-fA-F]{${len[v.algorithm]}}$`).test(v.value)) {
    c.add(field, 'must be {"algorithm": "sha256"|"sha1"|"md5", "value": hex digest}');
    return undefined;
  }
  return { algorithm: v.algorithm as Checksum['algorithm'], value: v.value.toLowerCase() };
}

function distribution(c: Checker, f: string, v: unknown): Omit<Distribution, 'fileName' | 'modified'> | undefined {
  if (!isObj(v)) { c.add(f, 'must be an object'); return undefined; }
  for (const k of Object.keys(v)) if (!DIST_KEYS.has(k)) c.add(`${f}.${k}`, 'unknown member');
  const n = c.problems.length;
  if (!str(v.id) || !DISTRIBUTION_ID.test(v.id)) c.add(`${f}.id`, 'must be 1–64 lower-case letters, digits or hyphens');
  if (v.kind !== 'file' && v.kind !== 'link') c.add(`${f}.kind`, 'must be "file" (uploaded) or "link"; live distributions are generated');
  const title = c.lang(`${f}.title`, v.title, 300, false);
  const description = c.lang(`${f}.description`, v.description, 5000, false);
  const accessUrl = c.iri(`${f}.accessUrl`, v.accessUrl, v.kind === 'link');
  const downloadUrl = c.iri(`${f}.downloadUrl`, v.downloadUrl);
  const format = str(v.format) ? findFileType(v.format) : undefined;
  if (!format) c.add(`${f}.format`, v.format === undefined ? 'is required (an EU file type such as CSV, GEOJSON, PDF)' : `"${String(v.format)}" is not a known EU file type`);
  let mediaType: string | undefined;
  if (!str(v.mediaType) || !MEDIA_TYPE.test(v.mediaType)) c.add(`${f}.mediaType`, 'must be a media type such as text/csv');
  else mediaType = v.mediaType.toLowerCase();
  let licence: string | undefined;
  if (v.licence !== undefined && v.licence !== null && v.licence !== '') {
    licence = str(v.licence) ? findLicence(v.licence)?.id : undefined;
    if (!licence) c.add(`${f}.licence`, `"${String(v.licence)}" is not a licence of the DCAT-AP.de vocabulary (e.g. dl-by-de/2.0)`);
  }
  let byteSize: number | undefined;
  if (v.byteSize !== undefined && v.byteSize !== null) {
    if (typeof v.byteSize !== 'number' || !Number.isSafeInteger(v.byteSize) || v.byteSize < 0) c.add(`${f}.byteSize`, 'must be a whole number of bytes');
    else byteSize = v.byteSize;
  }
  const sum = checksum(c, `${f}.checksum`, v.checksum);
  if (c.problems.length > n) return undefined;
  const d: Omit<Distribution, 'fileName' | 'modified'> = { id: v.id as string, kind: v.kind as 'file' | 'link', format: format!, mediaType: mediaType! };
  if (title) d.title = title;
  if (description) d.description = description;
  if (accessUrl) d.accessUrl = accessUrl;
  if (downloadUrl) d.downloadUrl = downloadUrl;
  if (licence) d.licence = licence;
  if (byteSize !== undefined && v.kind === 'link') d.byteSize = byteSize;
  if (sum && v.kind === 'link') d.checksum = sum;
  return d;
}

/** Parses a dataset document; `id` (from the URL of a PUT) wins over the body's. */
export function parseDataset(body: unknown, id?: string): { input?: DatasetInput; problems: Problem[] } {
  const c = new Checker();
  if (!isObj(body)) return { problems: [{ field: '', message: 'The body must be a JSON object (a dataset)' }] };
  for (const k of Object.keys(body)) if (!DATASET_KEYS.has(k)) c.add(k, 'unknown member');
  const theId = id ?? body.id;
  if (!str(theId) || !DATASET_ID.test(theId)) c.add('id', 'is required: 1–100 lower-case letters, digits or hyphens, starting with a letter or digit');
  else if (id !== undefined && body.id !== undefined && body.id !== id) c.add('id', `must be ${id} (the dataset's URL) or left out`);
  const tenant = body.tenant ?? '';
  if (!str(tenant) || !TENANT.test(tenant)) c.add('tenant', 'must be a tenant name (letters, digits, _ or -; empty = default tenant)');
  const title = c.lang('title', body.title, 300, true);
  const description = c.lang('description', body.description, 20_000, true);
  const publisherId = c.text('publisherId', body.publisherId, 100, true);
  let contactPoint: DatasetInput['contactPoint'];
  if (body.contactPoint !== undefined && body.contactPoint !== null) {
    const cp = body.contactPoint;
    if (!isObj(cp)) c.add('contactPoint', 'must be an object {organisationId, email, url}');
    else {
      for (const k of Object.keys(cp)) if (!['organisationId', 'email', 'url'].includes(k)) c.add(`contactPoint.${k}`, 'unknown member');
      const organisationId = c.text('contactPoint.organisationId', cp.organisationId, 100, true);
      let email: string | undefined;
      if (cp.email !== undefined && cp.email !== '') { if (!str(cp.email) || !EMAIL.test(cp.email)) c.add('contactPoint.email', 'must be an e-mail address'); else email = cp.email; }
      const url = c.iri('contactPoint.url', cp.url);
      // DCAT-AP.de: a contact point has an e-mail address, a URL or a telephone number.
      if (cp.email === undefined && cp.url === undefined) c.add('contactPoint.email', 'an e-mail address or a URL (contactPoint.url) is required');
      if (organisationId) contactPoint = { organisationId, ...(email ? { email } : {}), ...(url ? { url } : {}) };
    }
  }
  let licence: string | undefined;
  if (body.licence === undefined || body.licence === null || body.licence === '') c.add('licence', 'is required (a licence of the DCAT-AP.de vocabulary, e.g. dl-by-de/2.0)');
  else {
    licence = str(body.licence) ? findLicence(body.licence)?.id : undefined;
    if (!licence) c.add('licence', `"${String(body.licence)}" is not a licence of the DCAT-AP.de vocabulary (e.g. dl-by-de/2.0, dl-zero-de/2.0, cc-by/4.0)`);
  }
  const themes = c.list('themes', body.themes, 13, (f, x) => {
    const t = str(x) ? findTheme(x)?.code : undefined;
    if (!t) c.add(f, `"${String(x)}" is not an EU data theme (AGRI, ECON, EDUC, ENER, ENVI, GOVE, HEAL, INTR, JUST, REGI, SOCI, TECH, TRAN or its IRI)`);
    return t;
  });
  const keywords = c.list('keywords', body.keywords, 50, (f, x) => c.text(f, x, 100, true));
  const sp = spatial(c, body.spatial);
  const tm = temporal(c, body.temporal);
  let accrualPeriodicity: string | undefined;
  if (body.accrualPeriodicity !== undefined && body.accrualPeriodicity !== null && body.accrualPeriodicity !== '') {
    accrualPeriodicity = str(body.accrualPeriodicity) ? findFrequency(body.accrualPeriodicity) : undefined;
    if (!accrualPeriodicity) c.add('accrualPeriodicity', `"${String(body.accrualPeriodicity)}" is not an EU frequency (e.g. DAILY, MONTHLY, CONT, IRREG)`);
  }
  const contributorIds = c.list('contributorIds', body.contributorIds, 20, (f, x) => c.iri(f, x, true));
  const conformsTo = c.list('conformsTo', body.conformsTo, 20, (f, x) => c.iri(f, x, true));
  const landingPage = c.iri('landingPage', body.landingPage);
  let projectSlug: string | undefined;
  if (body.projectSlug !== undefined && body.projectSlug !== null && body.projectSlug !== '') {
    if (!str(body.projectSlug) || !/^[a-z0-9][a-z0-9-]{0,99}$/.test(body.projectSlug)) c.add('projectSlug', 'must be the slug of a strategy project');
    else projectSlug = body.projectSlug;
  }
  const lv = live(c, body.live);
  // A live dataset's generated distributions may come back unchanged (a GET, edited, PUT back): they are regenerated.
  const given = lv && Array.isArray(body.distributions) ? body.distributions.filter((x) => !(isObj(x) && x.kind === 'live')) : body.distributions;
  const distributions = c.list('distributions', given, 50, (f, x) => distribution(c, f, x));
  const ids = new Set<string>();
  distributions.forEach((d, i) => { if (ids.has(d.id)) c.add(`distributions[${i}].id`, `${d.id} is used twice`); ids.add(d.id); });
  if (lv && distributions.length) c.add('distributions', 'a live dataset has only generated distributions; leave distributions out');
  const issued = c.date('issued', body.issued);
  const modified = c.date('modified', body.modified);
  if (c.problems.length) return { problems: c.problems };
  const input: DatasetInput = {
    id: theId as string, tenant: tenant as string, title: title!, description: description!, publisherId: publisherId!, licence: licence!,
    themes, keywords, contributorIds, conformsTo, distributions,
  };
  if (contactPoint) input.contactPoint = contactPoint;
  if (sp) input.spatial = sp;
  if (tm) input.temporal = tm;
  if (accrualPeriodicity) input.accrualPeriodicity = accrualPeriodicity;
  if (landingPage) input.landingPage = landingPage;
  if (projectSlug) input.projectSlug = projectSlug;
  if (lv) input.live = lv;
  if (issued) input.issued = issued;
  if (modified) input.modified = modified;
  return { input, problems: [] };
}
