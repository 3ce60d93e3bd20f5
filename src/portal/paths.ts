// Stable, readable page URLs: German at /…, English at /en/…; one table so the language switch
// always leads to the same page in the other language.
import { ADMIN_PAGES } from './admin/admin.paths.ts';

export type Lang = 'de' | 'en';
export const LANGS: readonly Lang[] = ['de', 'en'];

export const PAGES = {
  home: { de: '/', en: '/en' },
  strategy: { de: '/strategie', en: '/en/strategy' },
  field: { de: '/strategie/:id', en: '/en/strategy/:id' },
  project: { de: '/projekte/:id', en: '/en/projects/:id' },
  live: { de: '/daten/live', en: '/en/data/live' },
  catalogue: { de: '/daten', en: '/en/data' },
  dataset: { de: '/daten/datensatz/:id', en: '/en/data/dataset/:id' },
  editor: { de: '/verwaltung/datensaetze', en: '/en/admin/datasets' },
  editorNew: { de: '/verwaltung/datensaetze/neu', en: '/en/admin/datasets/new' },
  editorEdit: { de: '/verwaltung/datensaetze/:id', en: '/en/admin/datasets/:id' },
  // Mängelmelder (src/reports): form, list and map, one report, thank-you page, staff pages.
  reports: { de: '/maengelmelder', en: '/en/report-a-problem' },
  reportList: { de: '/maengelmelder/meldungen', en: '/en/report-a-problem/reports' },
  report: { de: '/maengelmelder/meldungen/:id', en: '/en/report-a-problem/reports/:id' },
  reportThanks: { de: '/maengelmelder/danke/:id', en: '/en/report-a-problem/thanks/:id' },
  reportAdmin: { de: '/verwaltung/meldungen', en: '/en/admin/reports' },
  reportAdminItem: { de: '/verwaltung/meldungen/:id', en: '/en/admin/reports/:id' },
  developers: { de: '/entwickler', en: '/en/developers' },
  easy: { de: '/leichte-sprache', en: '/en/easy-read' },
  imprint: { de: '/impressum', en: '/en/imprint' },
  privacy: { de: '/datenschutz', en: '/en/privacy' },
  accessibility: { de: '/barrierefreiheit', en: '/en/accessibility' },
  // Choosing the language (a form that posts; also the mail language of a logged-in person).
  language: { de: '/sprache', en: '/en/language' },
  // KPIs, sensors and the KPI editor (src/portal/kpi).
  kpi: { de: '/kennzahlen/:id', en: '/en/kpis/:id' },
  sensor: { de: '/daten/live/:id', en: '/en/data/live/:id' },
  kpiAdmin: { de: '/verwaltung/kennzahlen', en: '/en/admin/kpis' },
  kpiNew: { de: '/verwaltung/kennzahlen/neu', en: '/en/admin/kpis/new' },
  kpiEdit: { de: '/verwaltung/kennzahlen/:id', en: '/en/admin/kpis/:id' },
  ...ADMIN_PAGES,
  // Participation (src/portal/participation/): process list, process, proposal, forms, budget, surveys, moderation.
  participation: { de: '/beteiligung', en: '/en/participation' },
  process: { de: '/beteiligung/:id', en: '/en/participation/:id' },
  newProposal: { de: '/beteiligung/:id/neuer-vorschlag', en: '/en/participation/:id/new-proposal' },
  budget: { de: '/beteiligung/:id/buergerhaushalt', en: '/en/participation/:id/budget' },
  survey: { de: '/beteiligung/umfragen/:id', en: '/en/participation/surveys/:id' },
  surveyResults: { de: '/beteiligung/umfragen/:id/ergebnisse', en: '/en/participation/surveys/:id/results' },
  proposal: { de: '/beteiligung/vorschlaege/:id', en: '/en/participation/proposals/:id' },
  editProposal: { de: '/beteiligung/vorschlaege/:id/bearbeiten', en: '/en/participation/proposals/:id/edit' },
  register: { de: '/beteiligung/registrieren', en: '/en/participation/register' },
  confirm: { de: '/beteiligung/registrieren/bestaetigen', en: '/en/participation/register/confirm' },
  participationLogin: { de: '/beteiligung/anmelden', en: '/en/participation/login' },
  myData: { de: '/beteiligung/meine-daten', en: '/en/participation/my-data' },
  moderation: { de: '/verwaltung/beteiligung', en: '/en/admin/participation' },
  follow: { de: '/beteiligung/folgen', en: '/en/participation/follow' },
  notifications: { de: '/beteiligung/benachrichtigungen', en: '/en/participation/notifications' },
  unsubscribe: { de: '/beteiligung/abbestellen', en: '/en/participation/unsubscribe' },
  events: { de: '/beteiligung/termine', en: '/en/participation/events' },
  event: { de: '/beteiligung/termine/:id', en: '/en/participation/events/:id' },
  eventAdmin: { de: '/verwaltung/termine', en: '/en/admin/events' },
  eventNew: { de: '/verwaltung/termine/neu', en: '/en/admin/events/new' },
  eventEdit: { de: '/verwaltung/termine/:id', en: '/en/admin/events/:id' },
} as const;
export type PageName = keyof typeof PAGES;

/** The URL of a page in a language; `id` fills the :id segment (slugs are URL-safe by validation). */
export function href(lang: Lang, page: PageName, id?: string): string {
  const p: string = PAGES[page][lang];
  return id === undefined ? p : p.replace(':id', encodeURIComponent(id));
}

/** Where a request to `page` in `lang` is in the other language (for the switch). */
export interface Here {
  page: PageName;
  id?: string;
}

interface Pattern { page: PageName; lang: Lang; re: RegExp; hasId: boolean }
// Static addresses first, so /daten/live is the live page and not a dataset called "live".
const PATTERNS: Pattern[] = (Object.keys(PAGES) as PageName[])
  .flatMap((page) => LANGS.map((lang) => {
    const p: string = PAGES[page][lang];
    const hasId = p.includes(':id');
    return { page, lang, hasId, re: new RegExp(`^${p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(':id', '([^/]+)')}$`) };
  }))
  .sort((a, b) => Number(a.hasId) - Number(b.hasId));

/** Which page a local path is (its language, page and :id), or undefined for an address that is no page. */
export function pageAt(path: string): (Here & { lang: Lang }) | undefined {
  const p = path.length > 1 ? path.replace(/\/+$/, '') : path;
  for (const x of PATTERNS) {
    const m = x.re.exec(p);
    if (!m) continue;
    if (!x.hasId) return { page: x.page, lang: x.lang };
    try {
      return { page: x.page, lang: x.lang, id: decodeURIComponent(m[1]) };
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/**
 * The same page in another language: a local address ("/projekte/solarbaenke?x=1") becomes
 * "/en/projects/solarbaenke?x=1"; an address that is no page leads to the home page.
 */
export function inLanguage(local: string, lang: Lang): string {
  const q = local.indexOf('?');
  const path = q < 0 ? local : local.slice(0, q);
  const query = q < 0 ? '' : local.slice(q);
  const at = pageAt(path);
  return at ? href(lang, at.page, at.id) + query : href(lang, 'home');
}
