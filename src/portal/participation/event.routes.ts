// The event pages' routes (German /beteiligung/termine…, English /en/participation/events…, and the
// stewards' /verwaltung/termine…): registration and cancellation post here and come back with a notice
// (post/redirect/get); the stewards' form answers in place with German messages at the fields.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { VNode } from 'preact';
import { isoToBerlinLocal, ParticipationProblem, type EventService, type ParticipationService, type Person, type Problem } from '../../participation/index.ts';
import type { StrategyEvent } from '../../strategy/index.ts';
import type { Frame } from '../components/layout.tsx';
import type { Messages } from '../i18n/index.ts';
import type { ParticipationMessages } from '../i18n/participation.de.ts';
import { href, type Here, type Lang, type PageName } from '../paths.ts';
import { EventAdminPage, EventFormPage, EventPage, EventsPage } from './event.pages.tsx';
import type { Viewer } from './pages.tsx';

type Req = FastifyRequest<{ Params: Record<string, string>; Querystring: Record<string, string> }>;

/** What the participation pages' module lends the event routes. */
export interface EventPageKit {
  service: ParticipationService;
  events: EventService;
  person(req: FastifyRequest): Promise<Person | undefined>;
  route(page: PageName, method: 'GET' | 'POST', handler: (req: Req, reply: FastifyReply, lang: Lang) => Promise<unknown>, suffix?: string): void;
  send(req: FastifyRequest, reply: FastifyReply, lang: Lang, here: Here, build: (f: Frame, t: Messages, m: ParticipationMessages) => VNode, status?: number): Promise<unknown>;
  viewer(req: FastifyRequest, reply: FastifyReply): Promise<Viewer>;
  form(req: FastifyRequest): Record<string, string>;
  messages(problems: Problem[], m: ParticipationMessages): Record<string, string>;
  badInput(e: unknown): Problem[] | undefined;
  notice(req: Req, m: ParticipationMessages): string | undefined;
  part: Record<Lang, ParticipationMessages>;
  tileUrl?: string;
  tileAttribution?: string;
}

const formValues = (e: StrategyEvent): Record<string, string> => ({
  title_de: e.title.de, title_en: e.title.en, start: isoToBerlinLocal(e.start), end: e.end ? isoToBerlinLocal(e.end) : '', place: e.place,
  description_de: e.description?.de ?? '', description_en: e.description?.en ?? '', lat: e.point ? String(e.point[1]) : '', lon: e.point ? String(e.point[0]) : '',
  capacity: e.capacity === undefined ? '' : String(e.capacity), registration: e.registration ? 'true' : '',
});

export function eventPages(k: EventPageKit): void {
  const { route, send, viewer } = k;

  route('events', 'GET', async (req, reply, lang) => {
    const [v, events] = await Promise.all([viewer(req, reply), k.events.list()]);
    return send(req, reply, lang, { page: 'events' }, (frame, t, m) => EventsPage({ frame, viewer: v, events }, t, m));
  });

  route('event', 'GET', async (req, reply, lang) => {
    const [view, v] = await Promise.all([k.events.get(req.params.id!), viewer(req, reply)]);
    const [registered, waiting] = await Promise.all([k.events.registered(v.person, view.event.id), k.events.waiting(v.person, view.event.id)]);
    return send(req, reply, lang, { page: 'event', id: view.event.id }, (frame, t, m) => EventPage({ frame, viewer: v, view, registered, waiting, notice: k.notice(req, m), tileUrl: k.tileUrl, tileAttribution: k.tileAttribution }, t, m));
  });

  route('event', 'POST', async (req, reply, lang) => {
    const id = req.params.id!;
    const aktion = k.form(req).aktion;
    const cancel = aktion === 'stornieren';
    const person = await k.person(req);
    let hinweis = cancel ? 'eventCancelled' : 'eventRegistered';
    try {
      if (cancel) await k.events.cancel(person, id);
      else if (aktion === 'warteliste-verlassen') { await k.events.leaveWaitlist(person, id); hinweis = 'eventLeftWaitlist'; }
      else if (aktion === 'warteliste') {
        await k.events.joinWaitlist(person, id);
        // A seat freed in the meantime was taken at once instead.
        if (!(await k.events.registered(person, id))) hinweis = 'eventWaiting';
      } else await k.events.register(person, id);
    } catch (e) {
      // A full event says so on its page (the seat went to someone else first).
      if (e instanceof ParticipationProblem && e.problemName === 'EventFull') {
        const [view, v] = await Promise.all([k.events.get(id), viewer(req, reply)]);
        return send(req, reply, lang, { page: 'event', id }, (frame, t, m) => EventPage({ frame, viewer: v, view, registered: false, notice: undefined, tileUrl: k.tileUrl, tileAttribution: k.tileAttribution }, t, m), 409);
      }
      throw e;
    }
    return reply.status(303).header('location', `${href(lang, 'event', id)}?hinweis=${hinweis}#anmeldung`).send();
  }, '/anmeldung');

  // Stewards: the list with registration counts, a new event, changes.
  const steward = async (req: FastifyRequest) => {
    const p = await k.person(req);
    if (!p) throw new ParticipationProblem('Unauthorized', 401, 'Authentication is required', 'Log in');
    if (!k.service.hasRole(p, 'steward')) throw new ParticipationProblem('Forbidden', 403, 'Forbidden', 'Events are kept by stewards');
    return p;
  };
  route('eventAdmin', 'GET', async (req, reply, lang) => {
    await steward(req);
    const [v, events] = await Promise.all([viewer(req, reply), k.events.list(true)]);
    return send(req, reply, lang, { page: 'eventAdmin' }, (frame, t, m) => EventAdminPage({ frame, viewer: v, events: [...events].reverse(), notice: k.notice(req, m) }, t, m));
  });
  const formPage = async (req: Req, reply: FastifyReply, lang: Lang, editing: StrategyEvent | undefined, values: Record<string, string>, errors: Record<string, string>, status = 200) => {
    const v = await viewer(req, reply);
    const here: Here = editing ? { page: 'eventEdit', id: editing.id } : { page: 'eventNew' };
    // Who registered: personal data, for stewards only (attendees() checks the role again).
    const attendees = editing ? await k.events.attendees(v.person, editing.id) : undefined;
    return send(req, reply, lang, here, (frame, t, m) => EventFormPage({ frame, viewer: v, editing, values, errors, attendees }, t, m), status);
  };
  const save = async (req: Req, reply: FastifyReply, lang: Lang, editing: StrategyEvent | undefined) => {
    const f = k.form(req);
    const { _csrf, ...body } = f;
    void _csrf;
    try {
      const e = await k.events.save(await k.person(req), editing?.id, body);
      return reply.status(303).header('location', `${href(lang, 'event', e.id)}?hinweis=eventSaved`).send();
    } catch (err) {
      const problems = k.badInput(err);
      if (!problems) throw err;
      const m = k.part[lang];
      const errors = k.messages(problems.map((p) => (p.field === 'title' ? { ...p, field: 'title_de' } : p.field === 'description' ? { ...p, field: 'description_de' } : p)), m);
      return formPage(req, reply, lang, editing, f, errors, 400);
    }
  };
  route('eventNew', 'GET', async (req, reply, lang) => { await steward(req); return formPage(req, reply, lang, undefined, {}, {}); });
  route('eventNew', 'POST', async (req, reply, lang) => save(req, reply, lang, undefined));
  route('eventEdit', 'GET', async (req, reply, lang) => {
    await steward(req);
    const { event } = await k.events.get(req.params.id!);
    return formPage(req, reply, lang, event, formValues(event), {});
  });
  route('eventEdit', 'POST', async (req, reply, lang) => {
    await steward(req);
    const { event } = await k.events.get(req.params.id!);
    return save(req, reply, lang, event);
  });
}
