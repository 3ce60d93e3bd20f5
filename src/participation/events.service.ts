// The city's events with registration: the events are the strategy module's documents (its starter
// content has the city conference); who registered, and the seats taken, are this module's, where the
// capacity is a database constraint. Stewards create and change events here (API and admin form).
import type { LocalMail } from './mail.ts';
import { randomBytes } from 'node:crypto';
import type { Clock } from '../core/clock.ts';
import { StorageConflict } from '../core/errors.ts';
import type { StrategyEvent } from '../strategy/index.ts';
import type { ParticipationStore } from './participation.port.ts';
import { ParticipationProblem, conflict, invalid, notFound, type ParticipationService, type Person } from './participation.service.ts';
import { ISO, SLUG, coord, p, type Problem } from './participation.validate.ts';
import { icalendar } from './ical.ts';
import { cell } from './survey.service.ts';

/** Where the events are kept (the strategy service). */
export interface EventDocs {
  list(): Promise<StrategyEvent[]>;
  upcoming(): Promise<StrategyEvent[]>;
  get(id: string): Promise<StrategyEvent | undefined>;
  put(e: StrategyEvent): Promise<void>;
}

/** What the event service needs of the accounts: mail through the portal's transport, and who an account is (stewards' list). */
export interface EventPeople {
  mail(userId: string, m: LocalMail): Promise<void>;
  whoIs(userId: string): Promise<{ name: string; email: string } | undefined>;
  publicUrl: string;
}

/** One person on an event's list (stewards only: personal data, never public, never in exports). */
export interface Attendee { name: string; email: string; at: string }

export interface EventView {
  event: StrategyEvent;
  /** Registrations so far. */
  taken: number;
  /** Seats left (undefined: no limit). */
  left?: number;
  full: boolean;
  /** Whether registering (and cancelling) is possible now: the event needs it and has not begun. */
  open: boolean;
}

const LOCAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/;
const berlin = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
const wallMs = (ms: number) => {
  const x = Object.fromEntries(berlin.formatToParts(new Date(ms)).map((q) => [q.type, q.value]));
  return Date.UTC(+x.year!, +x.month! - 1, +x.day!, +x.hour!, +x.minute!, +x.second!);
};
/** A form's date and time (datetime-local: no zone) as the instant it names in Germany. */
export function berlinLocalToIso(local: string): string {
  const asUtc = Date.parse(`${local.length === 16 ? `${local}:00` : local}Z`);
  let t = asUtc - (wallMs(asUtc) - asUtc);
  t = asUtc - (wallMs(t) - t);
  return new Date(t).toISOString();
}
/** An instant as the datetime-local value of a form (German time). */
export function isoToBerlinLocal(iso: string): string {
  return new Date(wallMs(Date.parse(iso))).toISOString().slice(0, 16);
}

const instant = (v: unknown): string | undefined | null => {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') return null;
  const s = v.trim();
  if (ISO.test(s)) return new Date(s).toISOString();
  if (LOCAL.test(s) && !Number.isNaN(Date.parse(`${s.slice(0, 16)}:00Z`))) return berlinLocalToIso(s.slice(0, 16));
  return null;
};
const text = (v: unknown) => (typeof v === 'string' ? v.replace(/\r\n/g, '\n').trim() : '');
const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? v as Record<string, unknown> : {});

/**
 * An event as a steward sends it: JSON `{ id?, title: { de, en }, start, end?, place, description?,
 * lat?, lon?, capacity?, registration? }`; the form sends the same flat (title_de, title_en, …).
 */
export function parseEvent(raw: unknown, idFromPath?: string): { input?: StrategyEvent; problems: Problem[] } {
  const b = obj(raw);
  const problems: Problem[] = [];
  const known = ['id', 'title', 'title_de', 'title_en', 'start', 'end', 'place', 'description', 'description_de', 'description_en', 'lat', 'lon', 'capacity', 'registration', '_csrf'];
  for (const k of Object.keys(b)) if (!known.includes(k)) problems.push({ field: k, code: 'unknown_member', message: `${k}: unknown member` });
  const id = idFromPath ?? (text(b.id) || undefined);
  if (id !== undefined && !SLUG.test(id)) problems.push(p('id', 'event_id_invalid'));
  const t = obj(b.title);
  const title = { de: text(t.de ?? b.title_de), en: text(t.en ?? b.title_en) };
  if (!title.de || [...title.de].length > 200 || [...title.en].length > 200) problems.push(p(b.title_de !== undefined ? 'title_de' : 'title', 'event_title_required'));
  const start = instant(b.start);
  if (!start) problems.push(p('start', 'event_start_invalid'));
  const end = instant(b.end);
  if (end === null || (end && start && end <= start)) problems.push(p('end', 'event_end_invalid'));
  const place = text(b.place);
  if (!place || place.length > 300) problems.push(p('place', 'event_place_required'));
  const d = obj(b.description);
  const description = { de: text(d.de ?? b.description_de), en: text(d.en ?? b.description_en) };
  if ((b.description !== undefined && typeof b.description !== 'object') || description.de.length > 5000 || description.en.length > 5000) problems.push(p(b.description_de !== undefined ? 'description_de' : 'description', 'event_description_invalid'));
  const lat = coord(b.lat);
  const lon = coord(b.lon);
  if (lat === null || (lat !== undefined && (lat < -90 || lat > 90))) problems.push(p('lat', 'lat_invalid'));
  if (lon === null || (lon !== undefined && (lon < -180 || lon > 180))) problems.push(p('lon', 'lon_invalid'));
  if ((lat === undefined) !== (lon === undefined) && !problems.some((x) => x.field === 'lat' || x.field === 'lon')) problems.push(p(lat === undefined ? 'lat' : 'lon', 'point_incomplete'));
  let capacity: number | undefined;
  if (b.capacity !== undefined && b.capacity !== null && b.capacity !== '') {
    const n = typeof b.capacity === 'number' ? b.capacity : /^\s*\d{1,6}\s*$/.test(String(b.capacity)) ? Number(b.capacity) : NaN;
    if (!Number.isInteger(n) || n < 1 || n > 100_000) problems.push(p('capacity', 'capacity_invalid'));
    else capacity = n;
  }
  const registration = b.registration === true || b.registration === 'true' || b.registration === 'on';
  if (problems.length) return { problems };
  const e: StrategyEvent = { id: id ?? '', title, start: start!, place };
  if (end) e.end = end;
  if (description.de || description.en) e.description = description;
  if (typeof lat === 'number' && typeof lon === 'number') e.point = [Math.round(lon * 1e6) / 1e6, Math.round(lat * 1e6) / 1e6];
  if (capacity !== undefined) e.capacity = capacity;
  if (registration) e.registration = true;
  return { input: e, problems };
}

export class EventService {
  constructor(private readonly s: ParticipationService, private readonly store: ParticipationStore, private readonly docs: EventDocs, private readonly clock: Clock, private readonly people?: EventPeople) {}

  private view(event: StrategyEvent, taken: number): EventView {
    const left = event.capacity === undefined ? undefined : Math.max(0, event.capacity - taken);
    const started = Date.parse(event.start) <= this.clock.now().getTime();
    return { event, taken, ...(left === undefined ? {} : { left }), full: left === 0, open: !!event.registration && !started };
  }

  /** Events that have not ended (all of them with `all`), soonest first, with their registrations. */
  async list(all = false): Promise<EventView[]> {
    const events = all ? await this.docs.list() : await this.docs.upcoming();
    const taken = await this.store.eventRegistrations(events.map((e) => e.id));
    return events.map((e) => this.view(e, taken.get(e.id) ?? 0));
  }

  async get(id: string): Promise<EventView> {
    const e = await this.docs.get(id);
    if (!e) throw notFound(`Event ${id}`);
    return this.view(e, (await this.store.eventRegistrations([id])).get(id) ?? 0);
  }

  registered(person: Person | undefined, id: string): Promise<boolean> {
    return person ? this.store.isRegisteredForEvent(id, person.id) : Promise.resolve(false);
  }

  /** Registers the person (confirmed, not blocked): 409 EventFull when no seat is left, 409 when registration is not open. */
  async register(person: Person | undefined, id: string): Promise<EventView> {
    const v = await this.get(id);
    const who = await this.s.check(person, 'support', undefined);
    if (!v.event.registration) throw conflict('This event takes no registrations (no registration is needed)');
    if (!v.open) throw conflict('The event has begun; registration is closed');
    this.s.limit(who, 'support');
    const r = await this.store.registerForEvent(id, who.id, this.s.now(), v.event.capacity ?? null);
    if (r === 'full') throw new ParticipationProblem('EventFull', 409, 'The event is full', 'Every seat of this event is taken');
    return this.get(id);
  }

  async cancel(person: Person | undefined, id: string): Promise<EventView> {
    const v = await this.get(id);
    if (!person) throw new ParticipationProblem('Unauthorized', 401, 'Authentication is required', 'Log in to cancel your registration');
    if (!v.open) throw conflict('The event has begun; registrations cannot be cancelled any more');
    const r = await this.store.cancelEventRegistrationAndPromote(id, person.id, this.s.now());
    if (!r.cancelled) throw notFound('Your registration for this event');
    if (r.promoted) await this.seatGiven(r.promoted, v.event);
    return this.get(id);
  }

  /** The person's place on the waiting list (1 = next), undefined when not on it. */
  waiting(person: Person | undefined, id: string): Promise<number | undefined> {
    return person ? this.store.eventWaitlistPosition(id, person.id) : Promise.resolve(undefined);
  }

  /**
   * Puts the person on the waiting list of a full event (as for registering: confirmed, not blocked,
   * open). A seat free in the meantime is taken at once instead. 409 when already registered.
   */
  async joinWaitlist(person: Person | undefined, id: string): Promise<EventView> {
    const v = await this.get(id);
    const who = await this.s.check(person, 'support', undefined);
    if (!v.event.registration) throw conflict('This event takes no registrations (no registration is needed)');
    if (!v.open) throw conflict('The event has begun; registration is closed');
    if (v.event.capacity === undefined) throw conflict('This event has no limit of seats; register instead');
    this.s.limit(who, 'support');
    const r = await this.store.joinEventWaitlist(id, who.id, this.s.now(), v.event.capacity);
    if (r === 'registered') throw conflict('You are registered for this event already');
    if (r === 'free') return this.register(person, id);
    return this.get(id);
  }

  async leaveWaitlist(person: Person | undefined, id: string): Promise<EventView> {
    if (!person) throw new ParticipationProblem('Unauthorized', 401, 'Authentication is required', 'Log in to leave the waiting list');
    if (!(await this.store.leaveEventWaitlist(id, person.id))) throw notFound('Your place on the waiting list of this event');
    return this.get(id);
  }

  /** Who registered and who waits, with display names and e-mail addresses: stewards only (401, 403). */
  async attendees(person: Person | undefined, id: string): Promise<{ view: EventView; registered: Attendee[]; waiting: Attendee[] }> {
    if (!person) throw new ParticipationProblem('Unauthorized', 401, 'Authentication is required', 'Log in');
    if (!this.s.hasRole(person, 'steward')) throw new ParticipationProblem('Forbidden', 403, 'Forbidden', 'Only stewards see who registered for an event');
    const view = await this.get(id);
    const a = await this.store.eventAttendees(id);
    const named = async (rows: Array<{ userId: string; at: string }>) => Promise.all(rows.map(async (r) => {
      const u = await this.people?.whoIs(r.userId);
      return { name: u?.name ?? '', email: u?.email ?? '', at: r.at };
    }));
    return { view, registered: await named(a.registered), waiting: await named(a.waiting) };
  }

  /** The stewards' CSV of who registered and who waits (formula-safe cells, CRLF lines). */
  static attendeesCsv(a: { registered: Attendee[]; waiting: Attendee[] }): string {
    const rows = [...a.registered.map((x) => ['angemeldet', x.name, x.email, x.at]), ...a.waiting.map((x, i) => [`Warteliste ${i + 1}`, x.name, x.email, x.at])];
    return [['status', 'displayName', 'email', 'at'].join(','), ...rows.map((r) => r.map((c) => cell(c)).join(','))].join('\r\n') + '\r\n';
  }

  /** The mail to a waiting person who got a seat, in their language. */
  private async seatGiven(userId: string, e: StrategyEvent): Promise<void> {
    if (!this.people) return;
    const url = `${this.people.publicUrl}/beteiligung/termine/${encodeURIComponent(e.id)}`;
    const urlEn = `${this.people.publicUrl}/en/participation/events/${encodeURIComponent(e.id)}`;
    const when = (locale: string) => new Intl.DateTimeFormat(locale, { timeZone: 'Europe/Berlin', dateStyle: 'full', timeStyle: 'short' }).format(new Date(e.start));
    const titleEn = e.title.en || e.title.de;
    await this.people.mail(userId, {
      de: {
        subject: `Sie haben einen Platz: ${e.title.de}`,
        text: `Hallo,\n\nein Platz bei „${e.title.de}“ (${when('de-DE')}, ${e.place}) ist frei geworden. Sie standen auf der Warteliste und sind jetzt angemeldet.\n`
          + `Wenn Sie nicht kommen können, stornieren Sie bitte hier, damit der Platz weitergegeben wird:\n${url}\n`,
      },
      en: {
        subject: `You have a seat: ${titleEn}`,
        text: `Hello,\n\na seat at "${titleEn}" (${when('en-GB')}, ${e.place}) has become free. You were on the waiting list and are now registered.\n`
          + `If you cannot come, please cancel here so the seat goes to the next person:\n${urlEn}\n`,
      },
    });
  }

  /** Creates (no id: one is made from the title) or replaces an event (steward). */
  async save(person: Person | undefined, idFromPath: string | undefined, body: unknown): Promise<StrategyEvent> {
    await this.s.check(person, 'answer', undefined); // 401, or 403 without the steward role
    const { input, problems } = parseEvent(body, idFromPath);
    if (!input) throw invalid(problems);
    if (idFromPath && !(await this.docs.get(idFromPath))) throw notFound(`Event ${idFromPath}`);
    if (!idFromPath) {
      if (!input.id) input.id = `${input.title.de.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'termin'}-${randomBytes(3).toString('hex')}`;
      if (await this.docs.get(input.id)) throw conflict(`An event with the id ${input.id} exists`);
    }
    // The seats first: a capacity below the registrations is refused by the database before anything changes.
    try {
      await this.store.setEventCapacity(input.id, input.capacity ?? null);
    } catch (e) {
      if (e instanceof StorageConflict) throw invalid([p('capacity', 'capacity_below_registrations')]);
      throw e;
    }
    await this.docs.put(input);
    // A raised capacity (or none any more) gives the new seats to the waiting list at once.
    for (const userId of await this.store.promoteEventWaitlist(input.id, this.s.now())) await this.seatGiven(userId, input);
    return input;
  }

  /**
   * A deleted account: its contributions are anonymised and its registrations cancelled in one
   * transaction — for events still open for registration as a cancellation by the person would be,
   * so the first waiting person gets the seat (and the mail). Returns rows changed.
   */
  async anonymiseAccount(userId: string): Promise<number> {
    const now = this.clock.now();
    const open = (await this.docs.list()).filter((e) => e.registration && Date.parse(e.start) > now.getTime());
    const r = await this.s.anonymise(userId, { at: now.toISOString(), events: open.map((e) => e.id) });
    for (const g of r.promoted) {
      const e = open.find((x) => x.id === g.eventId);
      if (e) await this.seatGiven(g.userId, e);
    }
    return r.changed;
  }

  /** One event as iCalendar (RFC 5545). */
  async ics(id: string, publicUrl: string, url: string): Promise<string> {
    const { event: e } = await this.get(id);
    return icalendar([{ id: e.id, title: e.title.de, start: e.start, end: e.end, place: e.place, description: e.description?.de, url }], { host: new URL(publicUrl).host, now: this.clock.now(), name: e.title.de });
  }
}
