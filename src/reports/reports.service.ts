// The reports service: the one way in for the Open311 API, the pages and the admin pages. Validates,
// stores through the module's port, mirrors each report as an IssueReporting entity in the city's
// tenant, and mails the reporter on each change through the accounts' outbox.
import type { Clock } from '../core/clock.ts';
import { ProblemError, StorageConflict, StorageNotFound } from '../core/errors.ts';
import type { EntityService } from '../ngsi-ld/entities/entities.service.ts';
import { DEFAULT_CATEGORIES, NEXT, STATUSES, type Category, type Report, type ReportContact, type ReportEvent, type ReportStatus } from './reports.model.ts';
import type { Cluster, ReportFilter, ReportStore } from './reports.port.ts';
import { issueReporting } from './reports.entity.ts';
import { cleanPhoto, PhotoRejected, type PhotoLimits } from './reports.photos.ts';
import { cleanText, LIMITS, metres, validateReport, type FieldProblem, type ReportInput } from './reports.validate.ts';

const TYPE = 'https://drehscheibe.dev/errors/';

/** A problem with the request, with the field problems (German texts are the pages' job). */
export class ReportProblem extends ProblemError {
  constructor(name: 'BadRequest' | 'NotFound' | 'Conflict' | 'Forbidden', status: number, title: string, detail: string, readonly problems: FieldProblem[] = []) {
    super(TYPE + name, status, title, detail);
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), ...(this.problems.length ? { errors: this.problems } : {}) };
  }
}

export interface MailSender { send(m: { to: string; subject: string; text: string }): Promise<unknown> }
interface Log { error(obj: object, msg: string): void; warn(obj: object, msg: string): void }

export interface ReportServiceDeps {
  store: ReportStore;
  entities: EntityService;
  /** The city's tenant (the portal's). */
  tenant: string;
  clock: Clock;
  mailer?: MailSender;
  log: Log;
  /** Absolute base URL for links in mails and media_url. */
  publicUrl: string;
  photoLimits?: PhotoLimits;
  /** Radius of the duplicate offer, metres (default 50). */
  duplicateRadiusM?: number;
}

export interface NewReportInput extends ReportInput {
  photo?: { bytes: Buffer; type?: string };
  lang?: 'de' | 'en';
}

export interface StaffChange {
  status?: ReportStatus;
  /** Reason (required for rejected) or note of the change. */
  note?: string;
  answer?: string;
  department?: string;
  photo?: 'released' | 'rejected';
}

/** How long a cached read (map clusters, Open311 lists) may be served; writes on this node drop the cache at once. */
export const READ_CACHE_MS = 10_000;
const READ_CACHE_MAX = 256;

export class ReportService {
  private cats?: { list: Category[]; at: number };
  /** Bumped by every write on this node: cached reads of an older generation are not served. */
  private generation = 0;
  private readonly reads = new Map<string, { gen: number; at: number; value: Promise<unknown> }>();
  constructor(private readonly d: ReportServiceDeps) {}

  /**
   * A read served from memory for up to READ_CACHE_MS (other nodes' writes show after at most that
   * long); any write through this service drops it. For the heavy public reads: map, Open311 lists.
   */
  cachedRead<T>(key: string, read: () => Promise<T>): Promise<T> {
    const now = this.d.clock.now().getTime();
    const hit = this.reads.get(key);
    if (hit && hit.gen === this.generation && now - hit.at < READ_CACHE_MS) return hit.value as Promise<T>;
    if (this.reads.size >= READ_CACHE_MAX) this.reads.clear();
    const value = read();
    const entry = { gen: this.generation, at: now, value };
    this.reads.set(key, entry);
    value.catch(() => { if (this.reads.get(key) === entry) this.reads.delete(key); });
    return value;
  }

  private changed(): void {
    this.generation++;
    this.reads.clear();
  }

  get store(): ReportStore { return this.d.store; }

  async categories(): Promise<Category[]> {
    const now = Date.now();
    if (!this.cats || now - this.cats.at > 10_000) this.cats = { list: (await this.d.store.categories()) ?? DEFAULT_CATEGORIES, at: now };
    return this.cats.list;
  }

  async category(code: string): Promise<Category | undefined> {
    return (await this.categories()).find((c) => c.code === code);
  }

  async setCategories(list: unknown): Promise<Category[]> {
    const problems = categoryProblems(list);
    if (problems.length) throw new ReportProblem('BadRequest', 400, 'Invalid category list', problems.join('; '));
    await this.d.store.putCategories(list as Category[]);
    this.cats = undefined;
    this.changed();
    return list as Category[];
  }

  /** Validates everything (text and photo) before anything is stored; a problem stores nothing. */
  async create(input: NewReportInput, source: string): Promise<Report> {
    const cats = await this.categories();
    const v = validateReport(input, cats);
    const problems = 'problems' in v ? v.problems : [];
    let photo: Awaited<ReturnType<typeof cleanPhoto>> | undefined;
    if (input.photo && input.photo.bytes.length > 0) {
      try {
        photo = await cleanPhoto(input.photo.bytes, input.photo.type, this.d.photoLimits);
      } catch (e) {
        if (!(e instanceof PhotoRejected)) throw e;
        problems.push({ field: 'photo', code: e.reason, message: `photo: ${e.message}` });
      }
    }
    if (problems.length || !('ok' in v)) throw new ReportProblem('BadRequest', 400, 'Invalid report', problems.map((p) => p.message).join('; '), problems);
    const ok = v.ok;
    const contact: ReportContact = { ...ok.contact };
    const report = await this.d.store.create({
      category: ok.category.code, description: ok.description, lat: ok.lat, lon: ok.lon, address: ok.address, department: ok.category.department,
      requestedAt: this.d.clock.now().toISOString(), source,
    }, Object.keys(contact).length ? { ...contact, ...(contact.email && input.lang ? { lang: input.lang } : {}) } : undefined, photo);
    this.changed();
    await this.mirror(report);
    if (contact.email) await this.mail(report, contact.email, input.lang ?? 'de', 'created');
    return report;
  }

  async get(id: string): Promise<Report> {
    const r = await this.d.store.get(id);
    if (!r) throw new ReportProblem('NotFound', 404, 'Not found', `Report ${String(id).slice(0, 40)} does not exist`);
    return r;
  }

  history(id: string): Promise<ReportEvent[]> { return this.d.store.history(id); }
  contact(id: string): Promise<ReportContact | undefined> { return this.d.store.contact(id); }
  list(filter: ReportFilter, page: { limit: number; offset: number }): Promise<Report[]> { return this.d.store.list(filter, page); }
  count(filter: ReportFilter): Promise<number> { return this.d.store.count(filter); }
  clusters(filter: ReportFilter & { bbox: NonNullable<ReportFilter['bbox']> }, cellDeg: number): Promise<Cluster[]> { return this.d.store.clusters(filter, cellDeg); }
  pendingPhotos(limit = 100): Promise<Report[]> { return this.d.store.pendingPhotos(limit); }

  /** Open reports of the category within the radius (default 50 m) of the point, nearest first. */
  async nearbyOpen(category: string, lat: number, lon: number, radiusM = this.d.duplicateRadiusM ?? 50): Promise<Array<Report & { distanceM: number }>> {
    const dLat = radiusM / 111_320;
    const dLon = radiusM / (111_320 * Math.max(0.01, Math.cos((lat * Math.PI) / 180)));
    const near = await this.d.store.list({ categories: [category], statuses: ['received', 'in_progress'], bbox: { minLat: lat - dLat, maxLat: lat + dLat, minLon: lon - dLon, maxLon: lon + dLon } }, { limit: 50, offset: 0 });
    return near.map((r) => ({ ...r, distanceM: Math.round(metres(lat, lon, r.lat!, r.lon!)) })).filter((r) => r.distanceM <= radiusM).sort((a, b) => a.distanceM - b.distanceM);
  }

  /** The photo's bytes: released photos for everyone, pending ones for staff only. */
  async photo(id: string, staff: boolean): Promise<{ contentType: string; data: Buffer } | undefined> {
    const r = await this.d.store.get(id);
    if (!r?.photo || (r.photo.state !== 'released' && !staff)) return undefined;
    return this.d.store.photo(id);
  }

  mediaUrl(r: Report): string | undefined {
    return r.photo?.state === 'released' ? `${this.d.publicUrl}/maengelmelder/fotos/${r.id}` : undefined;
  }

  /** A moderator's or steward's change; `expectedUpdatedAt` guards against overwriting a colleague's change. */
  async change(id: string, c: StaffChange, by: string, expectedUpdatedAt?: string): Promise<Report> {
    const before = await this.get(id);
    const problems: FieldProblem[] = [];
    const note = c.note !== undefined ? cleanText(c.note) : undefined;
    const answer = c.answer !== undefined ? cleanText(c.answer) : undefined;
    const department = c.department !== undefined ? cleanText(c.department) : undefined;
    if (c.status !== undefined && !(STATUSES as readonly string[]).includes(c.status)) problems.push({ field: 'status', code: 'invalid', message: `status must be one of ${STATUSES.join(', ')}` });
    else if (c.status !== undefined && c.status !== before.status && !NEXT[before.status].includes(c.status)) problems.push({ field: 'status', code: 'invalid', message: `a report cannot go from ${before.status} to ${c.status}` });
    if (c.status === 'rejected' && c.status !== before.status && !note) problems.push({ field: 'note', code: 'required', message: 'a rejection needs a reason (note)' });
    if (note && note.length > LIMITS.note) problems.push({ field: 'note', code: 'tooLong', message: `note has more than ${LIMITS.note} characters` });
    if (answer && answer.length > LIMITS.description) problems.push({ field: 'answer', code: 'tooLong', message: `answer has more than ${LIMITS.description} characters` });
    if (department && department.length > LIMITS.name) problems.push({ field: 'department', code: 'tooLong', message: `department has more than ${LIMITS.name} characters` });
    if (c.photo !== undefined && !before.photo) problems.push({ field: 'photo', code: 'invalid', message: 'the report has no photo' });
    if (problems.length) throw new ReportProblem('BadRequest', 400, 'Invalid change', problems.map((p) => p.message).join('; '), problems);
    const statusChanges = c.status !== undefined && c.status !== before.status;
    let after: Report;
    try {
      after = await this.d.store.update(id, {
        ...(statusChanges ? { status: c.status, statusNote: note || null } : note !== undefined ? { statusNote: note || null } : {}),
        ...(answer !== undefined ? { answer: answer || null } : {}),
        ...(department !== undefined ? { department: department || null } : {}),
        ...(c.photo ? { photoState: c.photo } : {}),
      }, { at: this.d.clock.now().toISOString(), by }, expectedUpdatedAt);
      this.changed();
    } catch (e) {
      if (e instanceof StorageConflict) throw new ReportProblem('Conflict', 409, 'Changed meanwhile', 'The report was changed by someone else meanwhile; reload it and apply the change again');
      if (e instanceof StorageNotFound) throw new ReportProblem('NotFound', 404, 'Not found', `Report ${id} does not exist`);
      throw e;
    }
    await this.mirror(after);
    const publicChange = statusChanges || (answer !== undefined && answer !== (before.answer ?? '')) || (c.photo !== undefined && c.photo !== before.photo?.state);
    if (publicChange) {
      const contact = await this.d.store.contact(id);
      if (contact?.email) await this.mail(after, contact.email, contact.lang ?? 'de', 'changed');
    }
    return after;
  }

  /** Writes the public record as the IssueReporting entity (replacing the previous version: the temporal history keeps it). */
  private async mirror(r: Report): Promise<void> {
    try {
      const entity = issueReporting(this.d.tenant, r, await this.category(r.category), this.mediaUrl(r));
      const res = await this.d.entities.batchUpsert(this.d.tenant, [{ id: entity.id, entity }], 'replace');
      if (res.errors.length) this.d.log.error({ report: r.id, err: res.errors[0]!.error }, 'report entity could not be written');
    } catch (err) {
      this.d.log.error({ report: r.id, err }, 'report entity could not be written');
    }
  }

  private async mail(r: Report, to: string, lang: 'de' | 'en', what: 'created' | 'changed'): Promise<void> {
    if (!this.d.mailer) return;
    const cat = await this.category(r.category);
    const link = `${this.d.publicUrl}${lang === 'de' ? '/maengelmelder/meldungen/' : '/en/report-a-problem/reports/'}${r.id}`;
    const m = MAIL[lang];
    const lines = [m.hello, '', what === 'created' ? m.created(r.id) : m.changed(r.id), '', `${m.category}: ${cat?.name[lang] ?? r.category}`, `${m.status}: ${m.statuses[r.status]}`];
    if (r.statusNote) lines.push(`${m.note}: ${r.statusNote}`);
    if (r.answer) lines.push('', `${m.answer}:`, r.answer);
    if (r.photo && what === 'changed') lines.push(`${m.photo}: ${m.photoStates[r.photo.state]}`);
    lines.push('', `${m.follow}: ${link}`, '', m.why);
    try {
      await this.d.mailer.send({ to, subject: what === 'created' ? m.subjectCreated(r.id) : m.subjectChanged(r.id), text: lines.join('\n') });
    } catch (err) {
      // The address is personal data: it is not logged.
      this.d.log.warn({ report: r.id, err: { message: (err as Error).message } }, 'status mail to the reporter could not be queued');
    }
  }
}

const MAIL = {
  de: {
    hello: 'Guten Tag,', created: (id: string) => `vielen Dank für Ihre Meldung. Sie hat die Nummer ${id}.`, changed: (id: string) => `es gibt Neues zu Ihrer Meldung ${id}.`,
    category: 'Kategorie', status: 'Stand', note: 'Hinweis', answer: 'Antwort der Stadt', photo: 'Foto', follow: 'Meldung ansehen',
    statuses: { received: 'eingegangen', in_progress: 'in Bearbeitung', done: 'erledigt', rejected: 'abgelehnt' } as Record<ReportStatus, string>,
    photoStates: { pending: 'wird geprüft', released: 'veröffentlicht', rejected: 'nicht veröffentlicht' },
    why: 'Sie erhalten diese E-Mail, weil Sie bei der Meldung Ihre E-Mail-Adresse angegeben haben. Die Adresse wird nicht veröffentlicht.',
    subjectCreated: (id: string) => `Ihre Meldung ${id} ist eingegangen`, subjectChanged: (id: string) => `Neuer Stand zu Ihrer Meldung ${id}`,
  },
  en: {
    hello: 'Hello,', created: (id: string) => `thank you for your report. Its number is ${id}.`, changed: (id: string) => `there is news on your report ${id}.`,
    category: 'Category', status: 'Status', note: 'Note', answer: 'Answer of the city', photo: 'Photo', follow: 'See the report',
    statuses: { received: 'received', in_progress: 'in progress', done: 'done', rejected: 'rejected' } as Record<ReportStatus, string>,
    photoStates: { pending: 'being checked', released: 'published', rejected: 'not published' },
    why: 'You receive this e-mail because you gave your e-mail address with the report. The address is not published.',
    subjectCreated: (id: string) => `Your report ${id} has been received`, subjectChanged: (id: string) => `News on your report ${id}`,
  },
};

function categoryProblems(list: unknown): string[] {
  if (!Array.isArray(list) || list.length === 0) return ['the body must be a non-empty array of categories'];
  const out: string[] = [];
  const seen = new Set<string>();
  list.forEach((c: Record<string, unknown>, i) => {
    const at = `[${i}]`;
    if (!c || typeof c !== 'object') { out.push(`${at} must be an object`); return; }
    if (typeof c.code !== 'string' || !/^[a-z0-9_-]{1,40}$/.test(c.code)) out.push(`${at}.code: 1-40 lower-case letters, digits, _ or -`);
    else if (seen.has(c.code)) out.push(`${at}.code: "${c.code}" is given twice`);
    else seen.add(c.code);
    if (typeof c.group !== 'string' || !c.group) out.push(`${at}.group: a non-empty string`);
    for (const k of ['name', 'description'] as const) {
      const v = c[k] as Record<string, unknown> | undefined;
      if (!v || typeof v.de !== 'string' || typeof v.en !== 'string' || !v.de || !v.en) out.push(`${at}.${k}: { "de": "…", "en": "…" }`);
    }
    if (c.department !== undefined && typeof c.department !== 'string') out.push(`${at}.department: a string`);
    if (c.keywords !== undefined && (!Array.isArray(c.keywords) || c.keywords.some((k) => typeof k !== 'string'))) out.push(`${at}.keywords: a list of strings`);
  });
  return out;
}
