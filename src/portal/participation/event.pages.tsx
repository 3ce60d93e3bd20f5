// The event pages: the list of the city's events, one event (date, place with a map, description,
// seats, registration and its cancellation, the iCalendar download), and the stewards' list and form.
import type { Attendee, EventView } from '../../participation/index.ts';
import type { StrategyEvent } from '../../strategy/index.ts';
import { Layout, type Frame } from '../components/layout.tsx';
import type { Messages } from '../i18n/index.ts';
import type { ParticipationMessages } from '../i18n/participation.de.ts';
import { href } from '../paths.ts';
import { Button, Csrf, ErrorList, Notice, PField } from './components.tsx';
import { AccountBar, type Viewer } from './pages.tsx';

type Errors = Record<string, string>;
const L = (frame: Frame, x: { de: string; en: string } | undefined) => (x ? x[frame.lang] || x.de : '');

function Paragraphs({ text }: { text: string }) {
  return <>{text.split(/\n\s*\n/).filter(Boolean).map((para) => <p>{para}</p>)}</>;
}

function when(e: StrategyEvent, t: Messages): string {
  return e.end ? t.formatDateTimeRange(e.start, e.end) : t.formatDateTime(e.start);
}

/** Seats in words: "12 von 40 Plätzen frei", "Ausgebucht", or no limit. */
function seats(v: EventView, m: ParticipationMessages): string {
  if (v.event.capacity === undefined) return m.events.unlimited;
  return v.full ? m.events.full : m.events.seatsLeft(v.left ?? 0, v.event.capacity);
}

function Facts({ v, frame, t, m }: { v: EventView; frame: Frame; t: Messages; m: ParticipationMessages }) {
  const e = v.event;
  void frame;
  return (
    <dl class="facts event-facts">
      <dt>{m.events.when}</dt><dd>{when(e, t)}</dd>
      <dt>{m.events.where}</dt><dd>{e.place}{e.point && <><br /><span class="kern-body--small">{m.events.coords(t.formatCoord(e.point[1]), t.formatCoord(e.point[0]))}</span></>}</dd>
      <dt>{m.events.registration}</dt><dd>{e.registration ? m.events.registrationRequired : m.events.noRegistration}</dd>
      {(e.registration || e.capacity !== undefined) && <><dt>{m.events.seats}</dt><dd>{seats(v, m)}</dd></>}
    </dl>
  );
}

export function EventsPage(x: { frame: Frame; viewer: Viewer; events: EventView[] }, t: Messages, m: ParticipationMessages) {
  const lang = x.frame.lang;
  return (
    <Layout frame={x.frame} t={t} title={m.events.title}>
      <AccountBar frame={x.frame} viewer={x.viewer} m={m} />
      <p><a class="kern-link" href={href(lang, 'participation')}>{m.list.title}</a></p>
      <h1 class="kern-heading-x-large">{m.events.title}</h1>
      <p>{m.events.intro}</p>
      <p><a class="kern-link" href="/api/participation/events.ics">{m.list.calendar}</a></p>
      {x.viewer.steward && <p><a class="kern-link" href={href(lang, 'eventAdmin')}>{m.events.admin}</a></p>}
      {x.events.length === 0 ? <p>{m.events.none}</p> : (
        <ul class="process-list">
          {x.events.map((v) => (
            <li>
              <h2 class="kern-heading-medium"><a class="kern-link" href={href(lang, 'event', v.event.id)}>{L(x.frame, v.event.title)}</a></h2>
              <Facts v={v} frame={x.frame} t={t} m={m} />
            </li>
          ))}
        </ul>
      )}
    </Layout>
  );
}

export interface EventModel {
  frame: Frame;
  viewer: Viewer;
  view: EventView;
  registered: boolean;
  /** The viewer's place on the waiting list (1 = next), undefined when not on it. */
  waiting?: number;
  notice?: string;
  tileUrl?: string;
  tileAttribution?: string;
}

export function EventPage(x: EventModel, t: Messages, m: ParticipationMessages) {
  const lang = x.frame.lang;
  const e = x.view.event;
  const title = L(x.frame, e.title);
  const action = `${href(lang, 'event', e.id)}/anmeldung`;
  const features = e.point ? [{ id: e.id, name: title, lat: e.point[1], lon: e.point[0], text: e.place }] : [];
  return (
    <Layout frame={x.frame} t={t} title={title} styles={e.point ? ['leaflet.css'] : []} scripts={e.point ? ['map.js'] : []}>
      <AccountBar frame={x.frame} viewer={x.viewer} m={m} />
      <p><a class="kern-link" href={href(lang, 'events')}>{m.events.back}</a></p>
      {x.notice && <Notice kind="success">{x.notice}</Notice>}
      <h1 class="kern-heading-x-large">{title}</h1>
      <Facts v={x.view} frame={x.frame} t={t} m={m} />
      {e.description && <Paragraphs text={L(x.frame, e.description)} />}
      <p><a class="kern-link" href={`/api/participation/events/${encodeURIComponent(e.id)}/kalender.ics`} download>{m.events.ics}</a></p>
      {e.registration && (
        <section aria-labelledby="anmeldung" class="event-registration">
          <h2 class="kern-heading-large" id="anmeldung">{m.events.registration}</h2>
          <p>{m.events.registeredCount(x.view.taken)}</p>
          {!x.view.open ? <p>{m.events.closed}</p>
            : x.registered ? (
              <>
                <Notice kind="success">{m.events.youAreRegistered}</Notice>
                <form method="post" action={action}>
                  <Csrf token={x.viewer.csrf} />
                  <input type="hidden" name="aktion" value="stornieren" />
                  <Button secondary>{m.events.cancel}</Button>
                </form>
              </>
            )
            : x.waiting !== undefined ? (
              <>
                <Notice kind="info">{m.events.youAreWaiting(x.waiting)}</Notice>
                <form method="post" action={action}>
                  <Csrf token={x.viewer.csrf} />
                  <input type="hidden" name="aktion" value="warteliste-verlassen" />
                  <Button secondary>{m.events.leaveWaitlist}</Button>
                </form>
              </>
            )
            : x.view.full && x.viewer.person ? (
              <>
                <Notice kind="warning">{m.events.full}</Notice>
                <p>{m.events.waitlistHint}</p>
                <form method="post" action={action}>
                  <Csrf token={x.viewer.csrf} />
                  <input type="hidden" name="aktion" value="warteliste" />
                  <Button>{m.events.joinWaitlist}</Button>
                </form>
              </>
            )
            : x.view.full ? <><Notice kind="warning">{m.events.full}</Notice><p><a class="kern-link" href={`${href(lang, 'login')}?returnTo=${encodeURIComponent(href(lang, 'event', e.id))}`}>{m.events.loginToRegister}</a></p></>
            : !x.viewer.person ? <p><a class="kern-link" href={`${href(lang, 'login')}?returnTo=${encodeURIComponent(href(lang, 'event', e.id))}`}>{m.events.loginToRegister}</a></p>
            : (
              <form method="post" action={action}>
                <Csrf token={x.viewer.csrf} />
                <input type="hidden" name="aktion" value="anmelden" />
                <Button>{m.events.register}</Button>
              </form>
            )}
        </section>
      )}
      {x.viewer.steward && <p><a class="kern-link" href={href(lang, 'eventEdit', e.id)}>{m.events.edit2}<span class="kern-sr-only">: {title}</span></a></p>}
      {e.point && (
        <section class="map-section" hidden aria-labelledby="karte">
          <h2 class="kern-heading-large" id="karte">{m.events.map}</h2>
          <p>{m.events.mapHint}</p>
          <div class="portal-map" hidden role="region" aria-label={m.events.map} data-features={JSON.stringify(features)}
            data-tile-url={x.tileUrl} data-attribution={x.tileAttribution} data-no-tiles={t.map.noTiles}></div>
        </section>
      )}
    </Layout>
  );
}

export function EventAdminPage(x: { frame: Frame; viewer: Viewer; events: EventView[]; notice?: string }, t: Messages, m: ParticipationMessages) {
  const lang = x.frame.lang;
  return (
    <Layout frame={x.frame} t={t} title={m.events.admin}>
      <AccountBar frame={x.frame} viewer={x.viewer} m={m} />
      {x.notice && <Notice kind="success">{x.notice}</Notice>}
      <h1 class="kern-heading-x-large">{m.events.admin}</h1>
      <p>{m.events.adminIntro}</p>
      <p><a class="kern-btn kern-btn--primary" href={href(lang, 'eventNew')}><span class="kern-label">{m.events.newEvent}</span></a></p>
      <div class="table-scroll" tabindex={0} role="region" aria-labelledby="termine-caption">
        <table class="kern-table kern-table--small">
          <caption id="termine-caption">{m.events.title}</caption>
          <thead><tr><th scope="col">{m.events.event}</th><th scope="col">{m.events.when}</th><th scope="col">{m.events.registrations}</th><th scope="col">{m.events.seats}</th></tr></thead>
          <tbody>
            {x.events.map((v) => (
              <tr>
                <th scope="row"><a class="kern-link" href={href(lang, 'eventEdit', v.event.id)}>{L(x.frame, v.event.title)}</a></th>
                <td>{when(v.event, t)}</td>
                <td>{v.event.registration ? String(v.taken) : m.events.noRegistrationShort}</td>
                <td>{v.event.capacity === undefined ? m.events.unlimitedShort : String(v.event.capacity)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Layout>
  );
}

export interface EventFormModel {
  frame: Frame;
  viewer: Viewer;
  /** The event being changed (absent: a new one). */
  editing?: StrategyEvent;
  values: Record<string, string>;
  errors: Errors;
  /** Who registered and who waits (stewards; personal data). */
  attendees?: { registered: Attendee[]; waiting: Attendee[] };
}

/** The stewards' tables of who registered and who waits, with the CSV download. */
function Attendees({ id, a, t, m }: { id: string; a: { registered: Attendee[]; waiting: Attendee[] }; t: Messages; m: ParticipationMessages }) {
  const table = (rows: Attendee[], caption: string, captionId: string, timeHead: string, numbered: boolean) => (
    <div class="table-scroll" tabindex={0} role="region" aria-labelledby={captionId}>
      <table class="kern-table kern-table--small">
        <caption id={captionId}>{caption}</caption>
        <thead><tr>{numbered && <th scope="col">{m.events.position}</th>}<th scope="col">{m.events.displayName}</th><th scope="col">{m.events.email}</th><th scope="col">{timeHead}</th></tr></thead>
        <tbody>
          {rows.map((r, i) => <tr>{numbered && <td>{String(i + 1)}</td>}<th scope="row">{r.name}</th><td>{r.email}</td><td>{t.formatDateTime(r.at)}</td></tr>)}
        </tbody>
      </table>
    </div>
  );
  return (
    <section aria-labelledby="teilnehmende" class="event-attendees">
      <h2 class="kern-heading-large" id="teilnehmende">{m.events.attendees}</h2>
      <p>{m.events.attendeesHint}</p>
      {a.registered.length ? table(a.registered, m.events.attendees, 'angemeldet-caption', m.events.registeredAt, false) : <p>{m.events.attendeesNone}</p>}
      <h3 class="kern-heading-medium">{m.events.waitlist}</h3>
      {a.waiting.length ? table(a.waiting, m.events.waitlist, 'warteliste-caption', m.events.waitingSince, true) : <p>{m.events.waitlistNone}</p>}
      <p><a class="kern-link" href={`/api/participation/events/${encodeURIComponent(id)}/registrations.csv`} download>{m.events.attendeesCsv}</a></p>
    </section>
  );
}

export function EventFormPage(x: EventFormModel, t: Messages, m: ParticipationMessages) {
  const lang = x.frame.lang;
  const title = x.editing ? m.events.edit(L(x.frame, x.editing.title)) : m.events.newEvent;
  const order = ['title_de', 'title_en', 'start', 'end', 'place', 'description_de', 'description_en', 'lat', 'lon', 'capacity', 'registration'];
  const errs = order.filter((f) => x.errors[f]).map((f) => ({ field: f, message: x.errors[f]! }));
  const v = x.values;
  const f = (id: string, label: string, more: Partial<Parameters<typeof PField>[0]> = {}) => (
    <PField id={id} name={id} label={label} value={v[id] ?? ''} error={x.errors[id]} errorPrefix={m.errors.prefix} optionalText={m.survey.optional} {...more} />
  );
  return (
    <Layout frame={x.frame} t={t} title={errs.length ? `${m.errors.prefix} ${title}` : title}>
      <AccountBar frame={x.frame} viewer={x.viewer} m={m} />
      <ErrorList title={m.errors.summary} errors={errs} />
      <p><a class="kern-link" href={href(lang, 'eventAdmin')}>{m.events.admin}</a></p>
      <h1 class="kern-heading-x-large">{title}</h1>
      <form method="post" action={x.editing ? href(lang, 'eventEdit', x.editing.id) : href(lang, 'eventNew')} class="portal-form" novalidate>
        <Csrf token={x.viewer.csrf} />
        {f('title_de', m.events.titleDe, { required: true, maxLength: 200 })}
        {f('title_en', m.events.titleEn, { maxLength: 200 })}
        {f('start', m.events.start, { type: 'datetime-local', required: true, hint: m.events.startHint })}
        {f('end', m.events.end, { type: 'datetime-local', hint: m.events.startHint })}
        {f('place', m.events.place, { required: true, hint: m.events.placeHint, maxLength: 300 })}
        {f('description_de', m.events.descriptionDe, { type: 'textarea', rows: 6 })}
        {f('description_en', m.events.descriptionEn, { type: 'textarea', rows: 6 })}
        {f('lat', m.events.lat, { inputmode: 'decimal', hint: m.events.coordHint })}
        {f('lon', m.events.lon, { inputmode: 'decimal', hint: m.events.coordHint })}
        {f('capacity', m.events.capacity, { inputmode: 'numeric', hint: m.events.capacityHint })}
        <div class="kern-form-check">
          <input class="kern-form-check__checkbox" type="checkbox" id="registration" name="registration" value="true" checked={v.registration === 'true'} />
          <label class="kern-label" for="registration">{m.events.registrationLabel}</label>
        </div>
        <Button>{m.events.save}</Button>
      </form>
      {x.editing && x.attendees && <Attendees id={x.editing.id} a={x.attendees} t={t} m={m} />}
    </Layout>
  );
}
