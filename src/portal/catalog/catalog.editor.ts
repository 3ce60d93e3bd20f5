// The dataset editor's logic on top of the catalogue service's public methods: who may edit (the
// session's roles as a CatalogViewer), the form's values ↔ the API's dataset document (the same
// validation as the JSON API, catalog.validate.ts), the service's problems → a German (or English)
// message per form field, and adding/removing file and link distributions without half-created states.
import { createHash } from 'node:crypto';
import type { CatalogService, CatalogViewer, Dataset, DatasetInput, Distribution, Problem } from '../../catalog/index.ts';
import { ALL_VIEWER, CatalogProblem, DATASET_ID, mayManage } from '../../catalog/index.ts';
import type { RoleGrant } from '../../auth/index.ts';
import type { CatalogMessages } from '../i18n/catalog.de.ts';
import type { EditorField, EditorValues } from './editor.pages.tsx';

const CONTRIBUTOR_BASE = 'http://dcat-ap.de/def/contributors/';

/** The tenants a person's roles let them manage (steward or operator; no tenants listed = every tenant). */
export function viewerOfRoles(id: string, roles: ReadonlyArray<{ role: RoleGrant['role'] | string; tenants?: readonly string[] }>): CatalogViewer | undefined {
  const tenants = new Set<string>();
  for (const g of roles) {
    if (g.role !== 'steward' && g.role !== 'operator') continue;
    if (!g.tenants) return { id, manages: 'all' };
    for (const t of g.tenants) tenants.add(t);
  }
  return tenants.size ? { id, manages: [...tenants] } : undefined;
}

export { ALL_VIEWER };

/**
 * The tenant a new dataset gets: the default tenant "" (as the JSON API's default, and the demo's
 * datasets) when the person manages it, else the portal's city tenant, else their first.
 */
export function tenantFor(viewer: CatalogViewer, city: string): string {
  if (mayManage(viewer, '')) return '';
  if (mayManage(viewer, city)) return city;
  return viewer.manages === 'all' ? '' : viewer.manages[0] ?? city;
}

const orUndef = (s: string | undefined) => (s && s.trim() ? s.trim() : undefined);

/** The editor's fields of a stored dataset (to fill the form). */
export function valuesOf(ds: Dataset): EditorValues & { project?: string } {
  return {
    id: ds.id, titleDe: ds.title.de, titleEn: ds.title.en ?? '', descriptionDe: ds.description.de, descriptionEn: ds.description.en ?? '',
    publisher: ds.publisherId, contact: ds.contactPoint?.organisationId ?? '', contactEmail: ds.contactPoint?.email ?? '', licence: ds.licence,
    themes: ds.themes, keywords: ds.keywords.join(', '), frequency: ds.accrualPeriodicity ?? '',
    temporalStart: ds.temporal?.start?.slice(0, 10) ?? '', temporalEnd: ds.temporal?.end?.slice(0, 10) ?? '',
    municipality: ds.spatial?.municipalityKey ?? '',
    contributorId: ds.contributorIds.map((c) => (c.startsWith(CONTRIBUTOR_BASE) ? c.slice(CONTRIBUTOR_BASE.length) : c)).join(', '),
    conformsTo: ds.conformsTo.join(', '), project: ds.projectSlug ?? '',
  };
}

/** The form body's values as typed (strings; themes may repeat). */
export function valuesFromBody(body: Record<string, unknown>, themes: string[]): EditorValues & { project?: string } {
  const s = (k: string) => (typeof body[k] === 'string' ? (body[k] as string) : '');
  return {
    id: s('id').trim(), titleDe: s('titleDe'), titleEn: s('titleEn'), descriptionDe: s('descriptionDe'), descriptionEn: s('descriptionEn'),
    publisher: s('publisher'), contact: s('contact'), contactEmail: s('contactEmail').trim(), licence: s('licence'), themes,
    keywords: s('keywords'), frequency: s('frequency'), temporalStart: s('temporalStart').trim(), temporalEnd: s('temporalEnd').trim(),
    municipality: s('municipality').trim(), contributorId: s('contributorId').trim(), conformsTo: s('conformsTo').trim(), project: s('project'),
  };
}

const list = (s: string | undefined) => (s ?? '').split(',').map((x) => x.trim()).filter(Boolean);

/** The API's dataset document from the form; members the form does not edit are kept from `before`. */
export function inputOf(v: EditorValues & { project?: string }, tenant: string, before?: Dataset): Record<string, unknown> {
  const doc: Record<string, unknown> = {
    id: before?.id ?? v.id,
    tenant: before?.tenant ?? tenant,
    title: { de: orUndef(v.titleDe), en: orUndef(v.titleEn) },
    description: { de: orUndef(v.descriptionDe), en: orUndef(v.descriptionEn) },
    publisherId: orUndef(v.publisher),
    licence: orUndef(v.licence),
    themes: v.themes ?? [],
    keywords: list(v.keywords),
    accrualPeriodicity: orUndef(v.frequency),
    contributorIds: list(v.contributorId).map((c) => (/^https?:\/\//.test(c) ? c : CONTRIBUTOR_BASE + c)),
    conformsTo: list(v.conformsTo),
    projectSlug: orUndef(v.project),
  };
  if (orUndef(v.contact) || orUndef(v.contactEmail)) doc.contactPoint = { organisationId: orUndef(v.contact), email: orUndef(v.contactEmail), url: before?.contactPoint?.url };
  if (orUndef(v.temporalStart) || orUndef(v.temporalEnd)) doc.temporal = { start: orUndef(v.temporalStart), end: orUndef(v.temporalEnd) };
  const geometry = before?.spatial?.geometry;
  if (orUndef(v.municipality) || geometry) doc.spatial = { municipalityKey: orUndef(v.municipality), geometry };
  if (before?.landingPage) doc.landingPage = before.landingPage;
  if (before?.live) doc.live = before.live;
  if (before?.issued) doc.issued = before.issued;
  doc.distributions = before && !before.live ? before.distributions.map(distInput) : [];
  return doc;
}

/** A stored distribution as the API takes it back (upload results are kept by the service). */
function distInput(d: Distribution): Record<string, unknown> {
  const { fileName: _f, modified: _m, ...rest } = d;
  if (d.kind === 'file') { delete rest.byteSize; delete rest.checksum; }
  return rest;
}

/** The dataset's document from a stored dataset (for distribution changes). */
function documentOf(ds: Dataset): Record<string, unknown> {
  const { state: _s, modified: _m, createdAt: _c, distributions, ...rest } = ds;
  return { ...rest, distributions: ds.live ? [] : distributions.map(distInput) };
}

const FIELD_OF: Array<[RegExp, EditorField | 'project' | 'contact' | 'url' | 'format' | 'distTitle' | 'form']> = [
  [/^id$/, 'id'], [/^title(\.de)?$/, 'titleDe'], [/^title\.en$/, 'titleEn'], [/^description(\.de)?$/, 'descriptionDe'], [/^description\.en$/, 'descriptionEn'],
  [/^publisherId$/, 'publisher'], [/^contactPoint\.email$/, 'contactEmail'], [/^contactPoint/, 'contact'], [/^licence$/, 'licence'],
  [/^themes/, 'themes'], [/^keywords/, 'keywords'], [/^accrualPeriodicity$/, 'frequency'], [/^temporal\.start$/, 'temporalStart'],
  [/^temporal(\.end)?$/, 'temporalEnd'], [/^spatial/, 'municipality'], [/^contributorIds/, 'contributorId'], [/^conformsTo/, 'conformsTo'],
  [/^projectSlug$/, 'project'], [/^distributions\[\d+\]\.accessUrl$/, 'url'], [/^distributions\[\d+\]\.format$/, 'format'], [/^distributions\[\d+\]\.title/, 'distTitle'],
];

/** Form field labels by field (for the generic messages). */
export function labels(c: CatalogMessages): Record<string, string> {
  const f = c.editor.fields;
  return {
    id: f.id, titleDe: f.titleDe, titleEn: f.titleEn, descriptionDe: f.descriptionDe, descriptionEn: f.descriptionEn, publisher: f.publisher,
    contact: f.contact, contactEmail: f.contactEmail, licence: f.licence, themes: f.themes, keywords: f.keywords, frequency: f.frequency,
    temporalStart: f.temporalStart, temporalEnd: f.temporalEnd, municipality: f.municipality, contributorId: f.contributorId,
    conformsTo: f.conformsTo, project: f.project, url: c.editor.url, format: c.editor.format, distTitle: c.editor.distTitle, form: f.titleDe,
  };
}

/** The service's problems (English, by document path) as one readable message per form field. */
export function fieldErrors(problems: Problem[], c: CatalogMessages): Record<string, string> {
  const out: Record<string, string> = {};
  const label = labels(c);
  for (const p of problems) {
    const field = FIELD_OF.find(([re]) => re.test(p.field))?.[1] ?? 'form';
    if (out[field]) continue;
    const m = p.message;
    const choose = ['publisher', 'contact', 'licence', 'frequency', 'project', 'themes'].includes(field);
    let text: string;
    if (field === 'id') text = c.errors.idFormat;
    else if (/is required/.test(m)) text = choose ? c.errors.choose(label[field]!) : c.errors.requiredField(label[field]!);
    else if (/at most (\d+) characters/.test(m)) text = c.errors.tooLong(Number(/at most (\d+) characters/.exec(m)![1]));
    else if (field === 'contactEmail') text = c.errors.email;
    else if (field === 'temporalEnd' && /before/.test(m)) text = c.errors.endBeforeStart;
    else if (field === 'temporalStart' || field === 'temporalEnd') text = c.errors.date;
    else if (field === 'municipality') text = c.errors.municipality;
    else if (field === 'contributorId' || field === 'conformsTo' || field === 'url') text = c.errors.url;
    else if (field === 'format') text = c.errors.formatUnknown;
    else if (choose) text = c.errors.choose(label[field]!);
    else if (/^distributions$/.test(p.field)) text = /live dataset/.test(m) ? c.errors.liveNoFiles : c.errors.needsDistribution;
    else if (/^live/.test(p.field) && /not readable anonymously/.test(m)) text = c.errors.notReadable;
    else text = field === 'form' ? `${c.errors.notPublishable} (${m})` : c.errors.invalid(label[field]!);
    out[field] = text;
  }
  return out;
}

/** A distribution id from a title or file name, unique within the dataset. */
export function distributionId(ds: Dataset, base: string): string {
  const folded = base.toLowerCase().replace(/ä/g, 'ae').replace(/ö/g, 'oe').replace(/ü/g, 'ue').replace(/ß/g, 'ss')
    .replace(/\.[a-z0-9]{1,8}$/, '').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 50) || 'datei';
  const taken = new Set(ds.distributions.map((d) => d.id));
  if (!taken.has(folded)) return folded;
  for (let i = 2; ; i++) if (!taken.has(`${folded}-${i}`)) return `${folded}-${i}`;
}

const EXTENSIONS: Record<string, string> = {
  csv: 'CSV', json: 'JSON', geojson: 'GEOJSON', jsonld: 'JSON_LD', xml: 'XML', rdf: 'RDF_XML', ttl: 'RDF_TURTLE', pdf: 'PDF', xlsx: 'XLSX',
  ods: 'ODS', zip: 'ZIP', txt: 'TXT', html: 'HTML', htm: 'HTML', gpkg: 'GPKG', kml: 'KML', png: 'PNG', jpg: 'JPEG', jpeg: 'JPEG',
};

/** The EU file type of an uploaded file, from its extension. */
export function formatOfFile(fileName: string): string | undefined {
  const ext = /\.([A-Za-z0-9]{1,8})$/.exec(fileName)?.[1]?.toLowerCase();
  return ext ? EXTENSIONS[ext] : undefined;
}

function safeFileName(name: string): string {
  const base = name.split(/[\\/]/).pop()!.replace(/[^A-Za-z0-9äöüÄÖÜß_.() -]+/g, '_').slice(0, 200).trim();
  return base && base !== '.' && base !== '..' ? base : 'datei';
}

export type EditResult = { ok: true; dataset: Dataset } | { ok: false; status: number; errors: Record<string, string> };

/** Problems of a failed service call as form errors (other errors are thrown on). */
export function asFormErrors(e: unknown, c: CatalogMessages): EditResult {
  if (e instanceof CatalogProblem && e.status === 409) return { ok: false, status: 409, errors: { id: c.errors.conflict } };
  if (e instanceof CatalogProblem && e.status === 400) return { ok: false, status: 400, errors: fieldErrors(e.problems.length ? e.problems : [{ field: '', message: e.detail ?? '' }], c) };
  throw e;
}

/**
 * Adds an uploaded file as a new distribution in one store step (dataset and file together), after
 * the checks of the service's upload (size, type, non-empty) and of the API (the dataset document).
 */
export async function addFile(catalog: CatalogService, id: string, viewer: CatalogViewer, f: { title?: string; fileName: string; data: Buffer }, c: CatalogMessages, maxLabel: string): Promise<EditResult> {
  const before = await catalog.dataset(id, viewer);
  if (!mayManage(viewer, before.tenant)) throw new CatalogProblem('Forbidden', 403, 'Forbidden', `Changing datasets of tenant "${before.tenant}" needs the steward or operator role there`);
  if (before.live) return { ok: false, status: 400, errors: { file: c.errors.liveNoFiles } };
  if (f.data.length === 0) return { ok: false, status: 400, errors: { file: c.errors.fileMissing } };
  if (f.data.length > catalog.limits.maxUploadBytes) return { ok: false, status: 413, errors: { file: c.errors.fileTooLarge(maxLabel) } };
  const format = formatOfFile(f.fileName);
  const mediaType = format ? catalog.fileTypes()[format] : undefined;
  if (!format || !mediaType || !catalog.limits.uploadTypes.includes(mediaType)) return { ok: false, status: 415, errors: { file: c.errors.fileType } };
  const distId = distributionId(before, orUndef(f.title) ?? f.fileName);
  const dist = { id: distId, kind: 'file' as const, format, mediaType, title: { de: orUndef(f.title) ?? safeFileName(f.fileName) } };
  const doc = documentOf(before);
  doc.distributions = [...(doc.distributions as unknown[]), dist];
  const problems = await catalog.check(doc, id);
  if (problems.length) return { ok: false, status: 400, errors: fieldErrors(problems, c) };
  const now = catalog.now();
  const sha256 = createHash('sha256').update(f.data).digest('hex');
  const fileName = safeFileName(f.fileName);
  const ds: Dataset = {
    ...before, modified: now,
    distributions: [...before.distributions, { ...dist, fileName, byteSize: f.data.length, checksum: { algorithm: 'sha256', value: sha256 }, modified: now }],
  };
  await catalog.store.updateWithFile(ds, catalog.indexOf(ds), { datasetId: id, distributionId: distId, fileName, mediaType, byteSize: f.data.length, sha256 }, f.data);
  return { ok: true, dataset: ds };
}

/** Adds a link distribution (replace through the service: the API's validation and access check). */
export async function addLink(catalog: CatalogService, id: string, viewer: CatalogViewer, l: { url: string; format: string; title?: string }, c: CatalogMessages): Promise<EditResult> {
  const before = await catalog.dataset(id, viewer);
  if (before.live) return { ok: false, status: 400, errors: { url: c.errors.liveNoFiles } };
  const errors: Record<string, string> = {};
  if (!l.url.trim()) errors.url = c.errors.requiredField(c.editor.url);
  if (!l.format.trim()) errors.format = c.errors.requiredField(c.editor.format);
  if (Object.keys(errors).length) return { ok: false, status: 400, errors };
  const aliases: Record<string, string> = { WMS: 'WMS_SRVC', WFS: 'WFS_SRVC', 'JSON-LD': 'JSON_LD', TURTLE: 'RDF_TURTLE', RDF: 'RDF_XML', JPG: 'JPEG' };
  const code = l.format.trim().toUpperCase();
  const format = aliases[code] ?? code;
  const types = catalog.fileTypes();
  const dist = {
    id: distributionId(before, orUndef(l.title) ?? (format.toLowerCase() + '-link')), kind: 'link', accessUrl: l.url.trim(), format,
    mediaType: types[format] ?? 'application/octet-stream', ...(orUndef(l.title) ? { title: { de: orUndef(l.title) } } : {}),
  };
  const doc = documentOf(before);
  doc.distributions = [...(doc.distributions as unknown[]), dist];
  try {
    return { ok: true, dataset: await catalog.replace(id, doc, viewer) };
  } catch (e) {
    return asFormErrors(e, c);
  }
}

/** Removes a file or link distribution (its stored file goes with it). */
export async function removeDistribution(catalog: CatalogService, id: string, distId: string, viewer: CatalogViewer, c: CatalogMessages): Promise<EditResult> {
  const before = await catalog.dataset(id, viewer);
  const doc = documentOf(before);
  doc.distributions = (doc.distributions as Array<{ id: string }>).filter((d) => d.id !== distId);
  try {
    return { ok: true, dataset: await catalog.replace(id, doc, viewer) };
  } catch (e) {
    return asFormErrors(e, c);
  }
}

/** Creates (before undefined) or replaces a dataset from the form. */
export async function saveForm(catalog: CatalogService, v: EditorValues & { project?: string }, viewer: CatalogViewer, tenant: string, c: CatalogMessages, before?: Dataset): Promise<EditResult> {
  if (!before && v.id && !DATASET_ID.test(v.id)) {
    // The id is checked first so a typo in it is not hidden behind other messages.
    const doc = inputOf(v, tenant);
    const problems = await catalog.check(doc);
    return { ok: false, status: 400, errors: fieldErrors(problems.length ? problems : [{ field: 'id', message: 'id: invalid' }], c) };
  }
  const doc = inputOf(v, tenant, before);
  try {
    const ds = before ? await catalog.replace(before.id, doc, viewer) : await catalog.create(doc, viewer);
    return { ok: true, dataset: ds };
  } catch (e) {
    return asFormErrors(e, c);
  }
}

export type { DatasetInput };
