// Input checks of the participation API and pages (the same rules for both). Each problem names its
// field and a code; the API words it in English (here), the pages in German (the portal's catalogue).
import { ANSWER_STATUSES, PHASE_KINDS, QUESTION_KINDS, type AnswerStatus, type Area, type Phase, type Process, type Survey, type SurveyQuestion, type SurveyValue, type Text2 } from './participation.model.ts';

export interface Problem {
  field: string;
  code: ProblemCode;
  message: string;
}

export const LIMITS = { title: 150, body: 10_000, comment: 5_000, reason: 1_000, answer: 10_000, categories: 30, phases: 10, ballot: 200, questions: 50, choices: 20, surveyText: 2_000 } as const;

const EN = {
  title_required: 'title: required',
  title_too_long: `title: at most ${LIMITS.title} characters`,
  body_required: 'body: required',
  body_too_long: `body: at most ${LIMITS.body} characters`,
  category_unknown: 'category: one of the process\'s categories',
  point_incomplete: 'lat, lon: give both coordinates or neither',
  lat_invalid: 'lat: a latitude in decimal degrees (e.g. 51.538)',
  lon_invalid: 'lon: a longitude in decimal degrees (e.g. 7.219)',
  point_outside: 'lat, lon: the point lies outside the process\'s area',
  comment_required: 'body: the comment is empty',
  comment_too_long: `body: at most ${LIMITS.comment} characters`,
  parent_unknown: 'parentId: no such comment on this page',
  reason_required: 'reason: required',
  reason_too_long: `reason: at most ${LIMITS.reason} characters`,
  status_invalid: `status: one of ${ANSWER_STATUSES.join(', ')}`,
  answer_text_required: 'text: required (for a rejection, the reason)',
  answer_too_long: `text: at most ${LIMITS.answer} characters`,
  project_required: 'projectSlug: an implemented proposal names the strategy project that implements it',
  project_unknown: 'projectSlug: no such strategy project',
  cost_invalid: 'cost: whole euros, 0 to 1,000,000,000',
  ballot_empty: 'proposalIds: choose at least one proposal',
  ballot_too_many: `proposalIds: at most ${LIMITS.ballot} proposals`,
  ballot_unknown: 'proposalIds: every id is a published proposal of this process with a cost estimate',
  ballot_over_budget: 'proposalIds: the chosen proposals cost more than the budget',
  days_invalid: 'days: whole days from 1 to 3650',
  slug_invalid: 'slug: 2 to 64 lower-case letters, digits and hyphens',
  process_title_required: 'title.de: required (title.en optional), at most 200 characters',
  description_invalid: 'description: { de, en } texts of at most 20,000 characters',
  phases_invalid: `phases: 1 to ${LIMITS.phases} of { kind (${PHASE_KINDS.join(', ')}), start, end } with start < end, not overlapping`,
  categories_invalid: `categories: at most ${LIMITS.categories} distinct texts of 1 to 60 characters`,
  area_invalid: 'area: a GeoJSON Polygon (lon/lat, WGS 84), closed ring of 4 to 1000 positions',
  budget_invalid: 'budget: whole euros, 1 to 1,000,000,000,000',
  unknown_member: 'unknown member',
  survey_title_required: 'title.de: required (title.en optional), at most 200 characters',
  survey_description_invalid: 'description: { de, en } texts of at most 5,000 characters',
  questions_invalid: `questions: 1 to ${LIMITS.questions} questions`,
  question_invalid: `a question: { kind (${QUESTION_KINDS.join(', ')}), text: { de, en } (de required, at most 500 characters), required?: boolean, choices (single, multiple: 2 to ${LIMITS.choices} distinct { de, en } of at most 200 characters), scale (scale: { low, high } as { de, en }) }`,
  published_invalid: 'published: true or false',
  survey_answer_required: 'this question needs an answer',
  survey_choice_invalid: 'one of the question\'s choices (its index, from 0)',
  survey_choices_invalid: 'a list of distinct choice indexes (from 0)',
  survey_scale_invalid: 'a whole number from 1 to 5',
  survey_text_too_long: `at most ${LIMITS.surveyText} characters`,
  survey_text_invalid: 'a text',
  survey_unknown_question: 'no such question in this survey',
  event_id_invalid: 'id: 2 to 64 lower-case letters, digits and hyphens',
  event_title_required: 'title.de: required (title.en optional), at most 200 characters',
  event_start_invalid: 'start: a date and time (ISO 8601 with time zone, or YYYY-MM-DDTHH:MM as local time in Germany)',
  event_end_invalid: 'end: a date and time after start',
  event_place_required: 'place: required, at most 300 characters',
  event_description_invalid: 'description: { de, en } texts of at most 5,000 characters',
  capacity_invalid: 'capacity: whole number of seats from 1 to 100,000, or empty for no limit',
  capacity_below_registrations: 'capacity: more people are registered than that',
  guests_invalid: 'guests: true (guests may comment and answer surveys under a pseudonym) or false',
  verification_invalid: 'verification: none or the name of a registered verification (postal-code, invitation-code)',
  verification_input_required: 'code: required',
  verification_wrong: 'code: not accepted',
  verification_used: 'code: this code has been used already',
  codes_count_invalid: 'count: whole number, 1 to 10,000',
  pseudonym_invalid: 'pseudonym: 2 to 40 characters, letters, digits, spaces and . - _',
  follow_mode_invalid: 'mode: immediate or digest',
  image_required: 'image: choose a JPEG or PNG file',
  image_type: 'image: JPEG or PNG only (checked by the file\'s content)',
  image_size: 'image: at most 8 MB and 40 megapixels',
  image_decode: 'image: the file cannot be read as an image',
  alt_required: 'alt: describe what the image shows (alternative text, 3 to 300 characters)',
  alt_too_long: 'alt: at most 300 characters',
} as const;
export type ProblemCode = keyof typeof EN;

export const p = (field: string, code: ProblemCode): Problem => ({ field, code, message: EN[code] });
const str = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? v as Record<string, unknown> : {});

/** Parses a coordinate given as number or text (German decimal comma allowed). */
export function coord(v: unknown): number | undefined | null {
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'number' ? v : Number(String(v).trim().replace(',', '.'));
  return Number.isFinite(n) ? n : null;
}

/** Ray casting on the outer ring (lon/lat treated as planar: fine for a city's area). */
export function insideArea(area: Area, [lon, lat]: [number, number]): boolean {
  const ring = area.coordinates[0] ?? [];
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]!;
    const [xj, yj] = ring[j]!;
    if ((yi > lat) !== (yj > lat) && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

export interface ProposalInput { title: string; body: string; category?: string; point?: [number, number] }

export function parseProposal(raw: unknown, process: Process): { input?: ProposalInput; problems: Problem[] } {
  const b = obj(raw);
  const problems: Problem[] = [];
  const title = str(b.title);
  const body = typeof b.body === 'string' ? b.body.replace(/\r\n/g, '\n').trim() : '';
  if (!title) problems.push(p('title', 'title_required'));
  else if ([...title].length > LIMITS.title) problems.push(p('title', 'title_too_long'));
  if (!body) problems.push(p('body', 'body_required'));
  else if (body.length > LIMITS.body) problems.push(p('body', 'body_too_long'));
  const category = str(b.category) || undefined;
  if (category !== undefined && !process.categories.includes(category)) problems.push(p('category', 'category_unknown'));
  const lat = coord(b.lat);
  const lon = coord(b.lon);
  let point: [number, number] | undefined;
  if (lat === null || (lat !== undefined && (lat < -90 || lat > 90))) problems.push(p('lat', 'lat_invalid'));
  if (lon === null || (lon !== undefined && (lon < -180 || lon > 180))) problems.push(p('lon', 'lon_invalid'));
  if (typeof lat === 'number' && typeof lon === 'number' && !problems.some((x) => x.field === 'lat' || x.field === 'lon')) {
    point = [Math.round(lon * 1e6) / 1e6, Math.round(lat * 1e6) / 1e6];
    if (process.area && !insideArea(process.area, point)) problems.push(p('lat', 'point_outside'));
  } else if ((lat === undefined) !== (lon === undefined) && !problems.some((x) => x.field === 'lat' || x.field === 'lon')) {
    problems.push(p(lat === undefined ? 'lat' : 'lon', 'point_incomplete'));
  }
  if (problems.length) return { problems };
  const input: ProposalInput = { title, body };
  if (category !== undefined) input.category = category;
  if (point) input.point = point;
  return { input, problems };
}

export function parseText(raw: unknown, field: string, required: ProblemCode, tooLong: ProblemCode, max: number): { text?: string; problems: Problem[] } {
  const t = typeof raw === 'string' ? raw.replace(/\r\n/g, '\n').trim() : '';
  if (!t) return { problems: [p(field, required)] };
  if (t.length > max) return { problems: [p(field, tooLong)] };
  return { text: t, problems: [] };
}

export function parseAnswer(raw: unknown): { input?: { status: AnswerStatus; text: string; projectSlug?: string }; problems: Problem[] } {
  const b = obj(raw);
  const problems: Problem[] = [];
  const status = str(b.status) as AnswerStatus;
  if (!ANSWER_STATUSES.includes(status)) problems.push(p('status', 'status_invalid'));
  const text = typeof b.text === 'string' ? b.text.trim() : '';
  if (!text) problems.push(p('text', 'answer_text_required'));
  else if (text.length > LIMITS.answer) problems.push(p('text', 'answer_too_long'));
  const projectSlug = str(b.projectSlug) || undefined;
  if (status === 'implemented' && !projectSlug) problems.push(p('projectSlug', 'project_required'));
  if (problems.length) return { problems };
  return { input: { status, text, ...(projectSlug ? { projectSlug } : {}) }, problems };
}

export function parseCost(raw: unknown): number | null | Problem {
  if (raw === null || raw === '') return null;
  const n = typeof raw === 'number' ? raw : Number(String(raw).trim().replace(/\./g, '').replace(/\s/g, ''));
  return Number.isInteger(n) && n >= 0 && n <= 1e9 ? n : p('cost', 'cost_invalid');
}

export function parseDays(raw: unknown): number | Problem {
  const n = typeof raw === 'number' ? raw : Number(String(raw ?? '').trim());
  return Number.isInteger(n) && n >= 1 && n <= 3650 ? n : p('days', 'days_invalid');
}

export function problem(field: string, code: ProblemCode): Problem {
  return p(field, code);
}

/** Path segments next to process slugs under /beteiligung and /en/participation. */
const RESERVED = ['benachrichtigungen', 'abbestellen', 'folgen', 'notifications', 'unsubscribe', 'follow', 'vorschlaege', 'registrieren', 'anmelden', 'meine-daten', 'umfragen', 'termine', 'proposals', 'register', 'login', 'my-data', 'surveys', 'events'];
export const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])$/;
export const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

export type ProcessInput = Omit<Process, 'createdAt' | 'modifiedAt'>;

/** A process as a steward sends it (POST, or PUT with the slug from the path). */
export function parseProcess(raw: unknown, slugFromPath?: string): { input?: ProcessInput; problems: Problem[] } {
  const b = obj(raw);
  const problems: Problem[] = [];
  const known = ['slug', 'title', 'description', 'projectSlug', 'area', 'phases', 'categories', 'budget', 'guests', 'verification'];
  for (const k of Object.keys(b)) if (!known.includes(k)) problems.push({ field: k, code: 'unknown_member', message: `${k}: unknown member` });
  const slug = slugFromPath ?? str(b.slug);
  if (!SLUG.test(slug) || RESERVED.includes(slug)) problems.push(p('slug', 'slug_invalid'));
  const t = obj(b.title);
  const title = { de: str(t.de), en: str(t.en) };
  if (!title.de || title.de.length > 200 || title.en.length > 200) problems.push(p('title', 'process_title_required'));
  const d = b.description === undefined ? {} : obj(b.description);
  const description = { de: typeof d.de === 'string' ? d.de.trim() : '', en: typeof d.en === 'string' ? d.en.trim() : '' };
  if (b.description !== undefined && (typeof b.description !== 'object' || description.de.length > 20_000 || description.en.length > 20_000)) problems.push(p('description', 'description_invalid'));
  const phases: Phase[] = [];
  if (!Array.isArray(b.phases) || b.phases.length < 1 || b.phases.length > LIMITS.phases) problems.push(p('phases', 'phases_invalid'));
  else {
    for (const x of b.phases as unknown[]) {
      const ph = obj(x);
      const kind = str(ph.kind) as Phase['kind'];
      const start = str(ph.start);
      const end = str(ph.end);
      if (!PHASE_KINDS.includes(kind) || !ISO.test(start) || !ISO.test(end) || !(Date.parse(start) < Date.parse(end))) { problems.push(p('phases', 'phases_invalid')); break; }
      phases.push({ kind, start: new Date(start).toISOString(), end: new Date(end).toISOString() });
    }
    const sorted = [...phases].sort((a, c) => (a.start < c.start ? -1 : 1));
    if (sorted.some((x, i) => i > 0 && x.start < sorted[i - 1]!.end) && !problems.some((x) => x.field === 'phases')) problems.push(p('phases', 'phases_invalid'));
  }
  let categories: string[] = [];
  if (b.categories !== undefined) {
    if (!Array.isArray(b.categories) || b.categories.length > LIMITS.categories || b.categories.some((c) => typeof c !== 'string' || !c.trim() || c.trim().length > 60)) problems.push(p('categories', 'categories_invalid'));
    else {
      categories = (b.categories as string[]).map((c) => c.trim());
      if (new Set(categories).size !== categories.length) problems.push(p('categories', 'categories_invalid'));
    }
  }
  let area: Area | undefined;
  if (b.area !== undefined) {
    const a = obj(b.area);
    const ring = Array.isArray(a.coordinates) ? (a.coordinates as unknown[])[0] : undefined;
    const ok = a.type === 'Polygon' && Array.isArray(ring) && ring.length >= 4 && ring.length <= 1000
      && ring.every((pos) => Array.isArray(pos) && pos.length === 2 && typeof pos[0] === 'number' && typeof pos[1] === 'number' && Math.abs(pos[0]) <= 180 && Math.abs(pos[1]) <= 90)
      && (ring[0] as number[])[0] === (ring[ring.length - 1] as number[])[0] && (ring[0] as number[])[1] === (ring[ring.length - 1] as number[])[1];
    if (!ok) problems.push(p('area', 'area_invalid'));
    else area = { type: 'Polygon', coordinates: [ring as Array<[number, number]>] };
  }
  let budget: number | undefined;
  if (b.budget !== undefined && b.budget !== null) {
    if (typeof b.budget !== 'number' || !Number.isInteger(b.budget) || b.budget < 1 || b.budget > 1e12) problems.push(p('budget', 'budget_invalid'));
    else budget = b.budget;
  }
  if (b.guests !== undefined && typeof b.guests !== 'boolean') problems.push(p('guests', 'guests_invalid'));
  // The name's shape here; whether it is registered, the service checks.
  if (b.verification !== undefined && (typeof b.verification !== 'string' || !/^[a-z][a-z0-9-]{1,39}$/.test(b.verification))) problems.push(p('verification', 'verification_invalid'));
  const projectSlug = str(b.projectSlug) || undefined;
  if (problems.length) return { problems };
  const input: ProcessInput = { slug, title, description, phases, categories };
  if (projectSlug) input.projectSlug = projectSlug;
  if (area) input.area = area;
  if (budget !== undefined) input.budget = budget;
  if (b.guests === true) input.guests = true;
  if (typeof b.verification === 'string' && b.verification !== 'none') input.verification = b.verification;
  return { input, problems };
}

/** A { de, en } text: de required unless optional; both at most max characters. undefined when invalid. */
function text2(v: unknown, max: number, optional = false): Text2 | undefined {
  if (v === undefined && optional) return { de: '', en: '' };
  if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const o = v as Record<string, unknown>;
  if ((o.de !== undefined && typeof o.de !== 'string') || (o.en !== undefined && typeof o.en !== 'string')) return undefined;
  const t = { de: str(o.de), en: str(o.en) };
  if ((!t.de && !optional) || t.de.length > max || t.en.length > max) return undefined;
  return t;
}

export type SurveyInput = Pick<Survey, 'title' | 'description' | 'questions'>;

/** A survey as a steward sends it: title, description, questions in their order (ids q1, q2, … by position). */
export function parseSurvey(raw: unknown): { input?: SurveyInput; problems: Problem[] } {
  const b = obj(raw);
  const problems: Problem[] = [];
  for (const k of Object.keys(b)) if (!['title', 'description', 'questions'].includes(k)) problems.push({ field: k, code: 'unknown_member', message: `${k}: unknown member` });
  const title = text2(b.title, 200);
  if (!title) problems.push(p('title', 'survey_title_required'));
  const description = text2(b.description, 5000, true);
  if (!description) problems.push(p('description', 'survey_description_invalid'));
  const questions: SurveyQuestion[] = [];
  if (!Array.isArray(b.questions) || b.questions.length < 1 || b.questions.length > LIMITS.questions) problems.push(p('questions', 'questions_invalid'));
  else {
    (b.questions as unknown[]).forEach((x, i) => {
      const q = obj(x);
      const field = `questions[${i}]`;
      const bad = (why: string) => problems.push({ field, code: 'question_invalid', message: `${field}: ${why}` });
      const unknown = Object.keys(q).filter((k) => !['kind', 'text', 'required', 'choices', 'scale'].includes(k));
      if (unknown.length) return bad(`unknown member ${unknown[0]}`);
      const kind = q.kind as SurveyQuestion['kind'];
      if (!QUESTION_KINDS.includes(kind)) return bad(`kind: one of ${QUESTION_KINDS.join(', ')}`);
      const text = text2(q.text, 500);
      if (!text) return bad('text: { de, en }, de required, at most 500 characters');
      if (q.required !== undefined && typeof q.required !== 'boolean') return bad('required: true or false');
      const out: SurveyQuestion = { id: `q${i + 1}`, kind, text, required: q.required === true };
      if (kind === 'single' || kind === 'multiple') {
        const cs = Array.isArray(q.choices) ? (q.choices as unknown[]).map((c) => text2(c, 200)) : [];
        if (cs.length < 2 || cs.length > LIMITS.choices || cs.some((c) => !c) || new Set(cs.map((c) => c!.de)).size !== cs.length) return bad(`choices: 2 to ${LIMITS.choices} distinct { de, en } texts of at most 200 characters`);
        out.choices = cs as Text2[];
      } else if (q.choices !== undefined) return bad(`choices: only for single and multiple`);
      if (kind === 'scale') {
        const sc = obj(q.scale);
        const low = text2(sc.low, 100);
        const high = text2(sc.high, 100);
        if (!low || !high) return bad('scale: { low, high }, each { de, en } of at most 100 characters (what 1 and 5 mean)');
        out.scale = { low, high };
      } else if (q.scale !== undefined) return bad('scale: only for scale questions');
      questions.push(out);
    });
  }
  if (problems.length) return { problems };
  return { input: { title: title!, description: description!, questions }, problems };
}

const index = (v: unknown): number | undefined => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d{1,3}\s*$/.test(v) ? Number(v) : NaN;
  return Number.isInteger(n) && n >= 0 ? n : undefined;
};

/**
 * An answer to a survey: question id → value (a choice index, a list of them, 1–5, a text), the
 * same from a form (strings) or JSON. Every problem names the question's id as its field.
 */
export function parseSurveyAnswer(raw: unknown, survey: Survey): { values?: Record<string, SurveyValue>; problems: Problem[] } {
  const b = obj(raw);
  const problems: Problem[] = [];
  const values: Record<string, SurveyValue> = {};
  for (const k of Object.keys(b)) if (!survey.questions.some((q) => q.id === k)) problems.push(p(k, 'survey_unknown_question'));
  for (const q of survey.questions) {
    let v = b[q.id];
    if (typeof v === 'string' && q.kind !== 'text') v = v.trim();
    const empty = v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);
    if (empty || (q.kind === 'text' && typeof v === 'string' && !v.trim())) {
      if (q.required) problems.push(p(q.id, 'survey_answer_required'));
      continue;
    }
    const n = q.choices?.length ?? 0;
    if (q.kind === 'single') {
      const i = index(Array.isArray(v) && v.length === 1 ? v[0] : v);
      if (i === undefined || i >= n) problems.push(p(q.id, 'survey_choice_invalid'));
      else values[q.id] = i;
    } else if (q.kind === 'multiple') {
      const list = (Array.isArray(v) ? v : [v]).map(index);
      if (list.some((i) => i === undefined || i >= n) || new Set(list).size !== list.length) problems.push(p(q.id, 'survey_choices_invalid'));
      else values[q.id] = (list as number[]).sort((a, c) => a - c);
    } else if (q.kind === 'scale') {
      const i = index(v);
      if (i === undefined || i < 1 || i > 5) problems.push(p(q.id, 'survey_scale_invalid'));
      else values[q.id] = i;
    } else {
      const t = typeof v === 'string' ? v.replace(/\r\n/g, '\n').trim() : undefined;
      if (t === undefined) problems.push(p(q.id, 'survey_text_invalid'));
      else if (t.length > LIMITS.surveyText) problems.push(p(q.id, 'survey_text_too_long'));
      else values[q.id] = t;
    }
  }
  if (problems.length) return { problems: problems.map((x) => ({ ...x, message: `${x.field}: ${x.message}` })) };
  return { values, problems };
}
