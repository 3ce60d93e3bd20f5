// Surveys of a process: stewards add and change them (until the first answer) and publish their
// results when the city chooses; people answer once each in a phase that allows it (participation.rules.ts).
// Results are counts and shares per choice and the scale's distribution and mean; free texts are
// never published (they may name people), stewards read them in the CSV export, which has no personal data.
import { randomInt } from 'node:crypto';
import { StorageConflict } from '../core/errors.ts';
import type { Survey, SurveyAnswer, SurveyTally, Text2 } from './participation.model.ts';
import type { ParticipationStore } from './participation.port.ts';
import { SurveyAnswerRefused } from './participation.port-util.ts';
import { ParticipationProblem, conflict, invalid, newId, notFound, type ParticipationService, type Person, type ProcessView } from './participation.service.ts';
import { parseSurvey, parseSurveyAnswer, problem } from './participation.validate.ts';

export type QuestionResult =
  | { id: string; kind: 'single' | 'multiple'; text: Text2; answered: number; choices: Array<{ label: Text2; count: number; share: number }> }
  | { id: string; kind: 'scale'; text: Text2; answered: number; scale: { low: Text2; high: Text2 }; distribution: Array<{ value: number; count: number; share: number }>; mean: number | null }
  | { id: string; kind: 'text'; text: Text2; answered: number };

export interface SurveyResults {
  surveyId: string;
  title: Text2;
  resultsPublished: boolean;
  /** People who answered (any question). */
  respondents: number;
  questions: QuestionResult[];
}

const share = (n: number, of: number) => (of > 0 ? Math.round((n / of) * 10_000) / 10_000 : 0);

/** The published figures from the database's counts. Shares are of the people who answered the question (multiple choice may add up to more than 1). */
export function surveyResults(survey: Survey, t: SurveyTally): SurveyResults {
  const count = (q: string, v: number) => t.counts.find((c) => c.questionId === q && c.value === v)?.count ?? 0;
  const questions = survey.questions.map((q): QuestionResult => {
    const answered = t.answered[q.id] ?? 0;
    if (q.kind === 'single' || q.kind === 'multiple') {
      return { id: q.id, kind: q.kind, text: q.text, answered, choices: (q.choices ?? []).map((label, i) => ({ label, count: count(q.id, i), share: share(count(q.id, i), answered) })) };
    }
    if (q.kind === 'scale') {
      const distribution = [1, 2, 3, 4, 5].map((value) => ({ value, count: count(q.id, value), share: share(count(q.id, value), answered) }));
      const sum = distribution.reduce((s, d) => s + d.value * d.count, 0);
      return { id: q.id, kind: 'scale', text: q.text, answered, scale: q.scale!, distribution, mean: answered ? Math.round((sum / answered) * 100) / 100 : null };
    }
    return { id: q.id, kind: 'text', text: q.text, answered };
  });
  return { surveyId: survey.id, title: survey.title, resultsPublished: survey.resultsPublished, respondents: t.respondents, questions };
}

/** A CSV cell; a leading =, +, - or @ is neutralised so a spreadsheet does not run it as a formula. */
export function cell(v: string | number | undefined): string {
  if (v === undefined) return '';
  let s = String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",;\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Columns: single → the choice's German label, multiple → 1/0 per choice, scale → 1–5, text → the text; empty when not answered. */
export function surveyCsv(survey: Survey, rows: Array<SurveyAnswer['values']>): string {
  const cols: Array<{ head: string; get: (v: SurveyAnswer['values']) => string | number | undefined }> = [];
  for (const q of survey.questions) {
    const head = `${q.id}: ${q.text.de}`;
    if (q.kind === 'multiple') {
      (q.choices ?? []).forEach((c, i) => cols.push({ head: `${head} – ${c.de}`, get: (v) => (Array.isArray(v[q.id]) ? ((v[q.id] as number[]).includes(i) ? 1 : 0) : undefined) }));
    } else if (q.kind === 'single') {
      cols.push({ head, get: (v) => (typeof v[q.id] === 'number' ? q.choices?.[v[q.id] as number]?.de : undefined) });
    } else {
      cols.push({ head, get: (v) => v[q.id] as string | number | undefined });
    }
  }
  const lines = [cols.map((c) => cell(c.head)).join(',')];
  for (const r of rows) lines.push(cols.map((c) => cell(c.get(r))).join(','));
  return lines.join('\r\n') + '\r\n';
}

/** Fisher–Yates with a cryptographic source: the export's order says nothing about who answered when. */
function shuffle<T>(a: T[]): T[] {
  for (let i = a.length - 1; i > 0; i--) { const j = randomInt(i + 1); [a[i], a[j]] = [a[j]!, a[i]!]; }
  return a;
}

export class SurveyService {
  constructor(private readonly p: ParticipationService, private readonly store: ParticipationStore) {}

  private async steward(person: Person | undefined, what: string): Promise<Person> {
    if (!person) throw new ParticipationProblem('Unauthorized', 401, 'Authentication is required', 'Log in (an account with the steward role)');
    if (!this.p.hasRole(person, 'steward')) throw new ParticipationProblem('Forbidden', 403, 'Forbidden', `${what} needs the steward role`);
    return person;
  }

  /** Whether the person sees the results: once published, and stewards always. */
  resultsVisible(s: Survey, person: Person | undefined): boolean {
    return s.resultsPublished || this.p.hasRole(person, 'steward');
  }

  async list(slug: string): Promise<Survey[]> {
    await this.p.process(slug);
    return this.store.listSurveys(slug);
  }

  async get(id: string): Promise<{ survey: Survey; view: ProcessView }> {
    const survey = await this.store.getSurvey(id);
    if (!survey) throw notFound(`Survey ${id}`);
    return { survey, view: await this.p.process(survey.processSlug) };
  }

  async create(person: Person | undefined, slug: string, body: unknown): Promise<Survey> {
    await this.steward(person, 'Adding a survey');
    await this.p.process(slug);
    const { input, problems } = parseSurvey(body);
    if (!input) throw invalid(problems);
    const now = this.p.now();
    const s: Survey = { id: newId(), processSlug: slug, ...input, resultsPublished: false, createdAt: now, modifiedAt: now };
    await this.store.createSurvey(s);
    return s;
  }

  async replace(person: Person | undefined, id: string, body: unknown): Promise<Survey> {
    await this.steward(person, 'Changing a survey');
    const { survey } = await this.get(id);
    const { input, problems } = parseSurvey(body);
    if (!input) throw invalid(problems);
    const s: Survey = { ...survey, ...input, modifiedAt: this.p.now() };
    const r = await this.store.updateSurvey(s);
    if (r === 'missing') throw notFound(`Survey ${id}`);
    if (r === 'answered') throw conflict('The survey has answers: its questions can no longer change');
    return s;
  }

  async publish(person: Person | undefined, id: string, published: unknown): Promise<Survey> {
    await this.steward(person, 'Publishing results');
    if (typeof published !== 'boolean') throw invalid([problem('published', 'published_invalid')]);
    if (!(await this.store.publishSurveyResults(id, published, this.p.now()))) throw notFound(`Survey ${id}`);
    return (await this.get(id)).survey;
  }

  async answer(person: Person | undefined, id: string, body: unknown): Promise<SurveyAnswer> {
    const { survey, view } = await this.get(id);
    const who = await this.p.check(person, 'survey', view);
    const { values, problems } = parseSurveyAnswer(body, survey);
    if (!values) throw invalid(problems);
    if (Object.keys(values).length === 0) throw invalid([{ ...problem(survey.questions[0]!.id, 'survey_answer_required'), message: `${survey.questions[0]!.id}: answer at least one question` }]);
    this.p.limit(who, 'survey');
    const a: SurveyAnswer = { surveyId: id, userId: who.id, values, createdAt: this.p.now() };
    try {
      await this.store.addSurveyAnswer(a);
    } catch (e) {
      if (e instanceof SurveyAnswerRefused || e instanceof StorageConflict) throw conflict('You have answered this survey already');
      throw e;
    }
    return a;
  }

  mine(person: Person | undefined, id: string): Promise<SurveyAnswer | undefined> {
    return person ? this.store.getSurveyAnswer(id, person.id) : Promise.resolve(undefined);
  }

  async results(person: Person | undefined, id: string): Promise<SurveyResults> {
    const { survey } = await this.get(id);
    if (!this.resultsVisible(survey, person)) throw new ParticipationProblem('NotPublished', 409, 'Not published yet', 'The city has not published the results of this survey yet');
    return surveyResults(survey, await this.store.surveyTally(id));
  }

  /** The answers as CSV for stewards: no account, name or time, rows in random order. */
  async csv(person: Person | undefined, id: string): Promise<{ survey: Survey; csv: string }> {
    await this.steward(person, 'The export of answers');
    const { survey } = await this.get(id);
    return { survey, csv: surveyCsv(survey, shuffle(await this.store.surveyAnswerValues(id))) };
  }
}
