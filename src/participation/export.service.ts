// Open data of a process: its public contributions as JSON and CSV — published proposals with their
// counts, the city's answers and their released images (URL and description), the comments on them, survey results once published, the budget
// result once public. Pseudonyms (display names) only: no account id, e-mail, verification data, who
// supported or rated what, nor the moderators' or city's account behind an action.
import type { Clock } from '../core/clock.ts';
import type { Comment, Proposal } from './participation.model.ts';
import type { ParticipationStore } from './participation.port.ts';
import type { ParticipationService } from './participation.service.ts';
import { cell, surveyResults } from './survey.service.ts';

/** The most rows an export carries (far above a process's size; the process page's figures are for 5,000 proposals). */
const MAX_ROWS = 1_000_000;

type ImageOut = { url: string; alt: string; width: number; height: number } | null;

function proposalRow(p: Proposal, image: ImageOut = null) {
  return {
    id: p.id, title: p.title, body: p.body, category: p.category ?? null, lat: p.point?.[1] ?? null, lon: p.point?.[0] ?? null,
    authorName: p.authorName, createdAt: p.createdAt, modifiedAt: p.modifiedAt, supportCount: p.supportCount, commentCount: p.commentCount,
    cost: p.cost ?? null, answer: p.answer ? { status: p.answer.status, text: p.answer.text, at: p.answer.at, projectSlug: p.answer.projectSlug ?? null } : null,
    image,
  };
}

function commentRow(c: Comment) {
  const hidden = !!c.moderation;
  return { id: c.id, proposalId: c.target.id, parentId: c.parentId ?? null, authorName: c.authorName, createdAt: c.createdAt, helpfulCount: c.helpfulCount ?? 0, hidden, body: hidden ? null : c.body };
}

const csv = (head: string[], rows: Array<Array<string | number | null | undefined>>) =>
  [head.join(','), ...rows.map((r) => r.map((v) => cell(v === null ? undefined : v)).join(','))].join('\r\n') + '\r\n';

/** How long an export is served from memory: building one for a large process takes about a second of CPU. */
export const EXPORT_CACHE_MS = 60_000;
const CACHE_ENTRIES = 12;

export class OpenDataService {
  /** Built exports per process and format (the promise, so parallel requests share one build). */
  private readonly cache = new Map<string, { at: number; value: Promise<string> }>();
  constructor(private readonly s: ParticipationService, private readonly store: ParticipationStore, private readonly clock: Clock, private readonly cacheMs = EXPORT_CACHE_MS, private readonly publicUrl = '') {}

  /** The released images of the process's proposals by proposal id: where to fetch each (absolute) and its description. */
  private async images(slug: string): Promise<Map<string, ImageOut>> {
    const out = new Map<string, ImageOut>();
    for (const m of await this.store.images.released(slug)) {
      out.set(m.proposalId, { url: `${this.publicUrl}/api/participation/proposals/${encodeURIComponent(m.proposalId)}/image`, alt: m.alt, width: m.width, height: m.height });
    }
    return out;
  }

  /** Drops every built export (a change on this node; other nodes see it within cacheMs). */
  invalidate(): void {
    this.cache.clear();
  }

  /** An export as served: built at most once per process, format and cacheMs (the process must exist). */
  async serve(slug: string, format: 'json' | 'proposals.csv' | 'comments.csv'): Promise<string> {
    await this.s.process(slug);
    const key = `${format}:${slug}`;
    const now = this.clock.now().getTime();
    const hit = this.cache.get(key);
    if (hit && now - hit.at < this.cacheMs) return hit.value;
    const value = format === 'json' ? this.json(slug).then((x) => JSON.stringify(x)) : format === 'proposals.csv' ? this.proposalsCsv(slug) : this.commentsCsv(slug);
    this.cache.delete(key);
    this.cache.set(key, { at: now, value });
    if (this.cache.size > CACHE_ENTRIES) this.cache.delete(this.cache.keys().next().value as string);
    value.catch(() => this.cache.delete(key));
    return value;
  }

  private async proposals(slug: string): Promise<Proposal[]> {
    await this.s.process(slug);
    return (await this.store.listProposals({ processSlug: slug, states: ['published'], sort: 'newest', limit: MAX_ROWS, offset: 0 })).items.reverse();
  }

  private async comments(slug: string): Promise<Comment[]> {
    await this.s.process(slug);
    return this.store.processComments(slug, MAX_ROWS);
  }

  async json(slug: string): Promise<Record<string, unknown>> {
    const view = await this.s.process(slug);
    const p = view.process;
    const [proposals, comments, surveys, images] = await Promise.all([this.proposals(slug), this.comments(slug), this.store.listSurveys(slug), this.images(slug)]);
    const surveyOut = await Promise.all(surveys.map(async (x) => ({
      id: x.id, title: x.title, resultsPublished: x.resultsPublished,
      results: x.resultsPublished ? surveyResults(x, await this.store.surveyTally(x.id)) : null,
    })));
    const budget = p.budget !== undefined && this.s.resultPublic(view) ? await this.s.budgetResult(undefined, slug) : null;
    return {
      process: { slug: p.slug, title: p.title, description: p.description, projectSlug: p.projectSlug ?? null, phases: p.phases, categories: p.categories, budget: p.budget ?? null, phase: view.phase },
      exportedAt: this.s.now(),
      proposals: proposals.map((x) => proposalRow(x, images.get(x.id) ?? null)), comments: comments.map(commentRow), surveys: surveyOut,
      budgetResult: budget,
    };
  }

  async proposalsCsv(slug: string): Promise<string> {
    const [proposals, images] = await Promise.all([this.proposals(slug), this.images(slug)]);
    const rows = proposals.map((x) => proposalRow(x, images.get(x.id) ?? null));
    return csv(['id', 'title', 'body', 'category', 'lat', 'lon', 'authorName', 'createdAt', 'modifiedAt', 'supportCount', 'commentCount', 'cost', 'answerStatus', 'answerText', 'answerAt', 'answerProjectSlug', 'imageUrl', 'imageAlt'],
      rows.map((r) => [r.id, r.title, r.body, r.category, r.lat, r.lon, r.authorName, r.createdAt, r.modifiedAt, r.supportCount, r.commentCount, r.cost, r.answer?.status, r.answer?.text, r.answer?.at, r.answer?.projectSlug, r.image?.url, r.image?.alt]));
  }

  async commentsCsv(slug: string): Promise<string> {
    const rows = (await this.comments(slug)).map(commentRow);
    return csv(['id', 'proposalId', 'parentId', 'authorName', 'createdAt', 'helpfulCount', 'hidden', 'body'],
      rows.map((r) => [r.id, r.proposalId, r.parentId, r.authorName, r.createdAt, r.helpfulCount, r.hidden ? 1 : 0, r.body]));
  }
}
