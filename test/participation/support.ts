// Helpers for the participation tests: people of each role with a session (cookie + CSRF token),
// a process whose phases are one hour each, and requests made as a person.
import type { App } from '../../src/app.ts';
import type { Process } from '../../src/participation/index.ts';

export interface Who {
  id: string;
  cookie: string;
  csrf: string;
}

export const PASSWORD = 'ein-langes-Passwort-1';

/** Creates an account (confirmed unless told otherwise) and logs it in. */
export async function person(app: App, email: string, roles: Array<{ role: string }>, opts: { confirmed?: boolean; displayName?: string } = {}): Promise<Who> {
  const a = app.drehscheibe.accounts;
  const u = await a.users.create({ email, password: PASSWORD, displayName: opts.displayName ?? email.split('@')[0], roles: roles as never });
  if (opts.confirmed !== false) await app.drehscheibe.storage.accounts.updateUser(u.id, { emailConfirmedAt: '2026-01-01T00:00:00.000Z' });
  return login(app, email, u.id);
}

export async function login(app: App, email: string, id = ''): Promise<Who> {
  const r = await app.inject({ method: 'POST', url: '/konto/anmelden', payload: { email, password: PASSWORD } });
  if (r.statusCode !== 200) throw new Error(`login ${email}: ${r.statusCode} ${r.body}`);
  const set = ([] as string[]).concat(r.headers['set-cookie'] as string[] | string);
  const cookie = set.map((c) => c.split(';')[0]).join('; ');
  return { id: id || r.json().user.id, cookie, csrf: r.json().csrf };
}

export function as(who: Who | undefined, extra: Record<string, string> = {}): Record<string, string> {
  return { 'content-type': 'application/json', ...(who ? { cookie: who.cookie, 'x-csrf-token': who.csrf } : {}), ...extra };
}

export const T0 = '2026-12-07T10:00:00.000Z';
const h = (n: number) => new Date(Date.parse(T0) + n * 3_600_000).toISOString();

/** A process with one-hour phases from T0: information, participation, voting, evaluation, result. */
export function hourly(slug: string, extra: Partial<Process> = {}): Record<string, unknown> {
  return {
    slug, title: { de: `Verfahren ${slug}`, en: `Process ${slug}` }, description: { de: 'Worum es geht.', en: 'What it is about.' },
    phases: [
      { kind: 'information', start: h(0), end: h(1) }, { kind: 'participation', start: h(1), end: h(2) }, { kind: 'voting', start: h(2), end: h(3) },
      { kind: 'evaluation', start: h(3), end: h(4) }, { kind: 'result', start: h(4), end: h(5) },
    ],
    categories: ['Verkehr', 'Grün'], budget: 100_000,
    area: { type: 'Polygon', coordinates: [[[7.1, 51.45], [7.35, 51.45], [7.35, 51.6], [7.1, 51.6], [7.1, 51.45]]] },
    ...extra,
  };
}

/** The middle of each phase (and before and after), for a clock set per row. */
export const AT: Record<string, string> = {
  before: h(-0.5), information: h(0.5), participation: h(1.5), voting: h(2.5), evaluation: h(3.5), result: h(4.5), after: h(5.5),
};

/** A survey with one question of each kind (single, multiple, scale, text), as a steward sends it. */
export const SURVEY = {
  title: { de: 'Wie kommen Sie in die Innenstadt?', en: 'How do you get to the city centre?' },
  description: { de: 'Fünf kurze Fragen.', en: 'Five short questions.' },
  questions: [
    { kind: 'single', text: { de: 'Womit kommen Sie meistens?', en: 'How do you mostly come?' }, required: true, choices: [{ de: 'Fahrrad', en: 'Bicycle' }, { de: 'Bus oder Bahn', en: 'Bus or train' }, { de: 'Auto', en: 'Car' }] },
    { kind: 'multiple', text: { de: 'Was fehlt Ihnen?', en: 'What do you miss?' }, choices: [{ de: 'Radwege', en: 'Cycle lanes' }, { de: 'Bänke', en: 'Benches' }, { de: 'Schatten', en: 'Shade' }] },
    { kind: 'scale', text: { de: 'Wie zufrieden sind Sie?', en: 'How satisfied are you?' }, required: true, scale: { low: { de: 'gar nicht', en: 'not at all' }, high: { de: 'sehr', en: 'very' } } },
    { kind: 'text', text: { de: 'Was sollen wir noch wissen?', en: 'Anything else?' } },
  ],
};
