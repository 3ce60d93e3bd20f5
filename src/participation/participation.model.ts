// The participation domain: processes with phases, proposals, comments, supports, reports, blocks,
// official answers and participatory budgets. Plain data; rules live in participation.rules.ts.

/** Text in German (first) and English (may be empty: the German text is shown then). */
export interface Text2 {
  de: string;
  en: string;
}

export const PHASE_KINDS = ['information', 'participation', 'voting', 'evaluation', 'result'] as const;
export type PhaseKind = (typeof PHASE_KINDS)[number];

export interface Phase {
  kind: PhaseKind;
  /** ISO instants; a phase holds from start (inclusive) to end (exclusive). */
  start: string;
  end: string;
}

/** A map area: a GeoJSON polygon (WGS 84, lon/lat), outer ring only. */
export interface Area {
  type: 'Polygon';
  coordinates: Array<Array<[number, number]>>;
}

/** A process's public counts: published proposals and their comments and supports. */
export interface ProcessCounts {
  proposals: number;
  comments: number;
  supports: number;
}

export interface Process {
  slug: string;
  title: Text2;
  description: Text2;
  /** The strategy project the process belongs to (slug), if any. */
  projectSlug?: string;
  area?: Area;
  phases: Phase[];
  /** Categories proposals may choose from (German labels); empty = no category. */
  categories: string[];
  /** Participatory budget in whole euros; present = the process has a budget vote. */
  budget?: number;
  /** Guests may comment and answer surveys under a pseudonym, without an account (held for moderation). */
  guests?: boolean;
  /**
   * The verification plug-in supporting, survey answers and budget votes need (verification.plugins.ts:
   * 'postal-code', 'invitation-code', or one a city registers); absent or 'none': no verification.
   */
  verification?: string;
  createdAt: string;
  modifiedAt: string;
}

export const ANSWER_STATUSES = ['under_review', 'accepted', 'rejected', 'implemented'] as const;
export type AnswerStatus = (typeof ANSWER_STATUSES)[number];

export interface OfficialAnswer {
  status: AnswerStatus;
  text: string;
  /** The strategy project that implements the proposal (status implemented). */
  projectSlug?: string;
  at: string;
  /** Who answered (principal id); not published. */
  by: string;
}

export type ProposalState = 'published' | 'withdrawn' | 'hidden';

export interface Moderation {
  hiddenAt: string;
  reason: string;
  by: string;
}

export interface Proposal {
  id: string;
  processSlug: string;
  authorId: string;
  /** The author's display name when written ("gelöschtes Konto" after the account's deletion). */
  authorName: string;
  title: string;
  /** Markdown as written; rendered through the sanitiser. */
  body: string;
  category?: string;
  /** [lon, lat] inside the process's area. */
  point?: [number, number];
  state: ProposalState;
  moderation?: Moderation;
  answer?: OfficialAnswer;
  /** Cost estimate by the city in whole euros (participatory budgets). */
  cost?: number;
  supportCount: number;
  commentCount: number;
  createdAt: string;
  modifiedAt: string;
}

export type CommentTarget = { kind: 'proposal' | 'project'; id: string };

export interface Comment {
  id: string;
  target: CommentTarget;
  /** The comment answered (threads); absent for a top-level comment. */
  parentId?: string;
  authorId: string;
  authorName: string;
  body: string;
  moderation?: Moderation;
  createdAt: string;
  /** How many people rated the comment helpful (the store fills it; one per person and comment). */
  helpfulCount?: number;
}

export interface Report {
  id: string;
  target: { kind: 'proposal' | 'comment'; id: string };
  reporterId: string;
  reason: string;
  createdAt: string;
  resolvedAt?: string;
}

export interface Block {
  userId: string;
  until: string;
  reason: string;
  by: string;
  at: string;
}

export interface Ballot {
  processSlug: string;
  userId: string;
  /** Proposal ids chosen, with the cost each had when the ballot was cast. */
  items: Array<{ proposalId: string; cost: number }>;
  total: number;
  budget: number;
  createdAt: string;
}

export interface BudgetResultRow {
  proposalId: string;
  votes: number;
}

export const QUESTION_KINDS = ['single', 'multiple', 'scale', 'text'] as const;
export type QuestionKind = (typeof QUESTION_KINDS)[number];

/** One question of a survey; its id is given by its position (q1, q2, …) when the survey is saved. */
export interface SurveyQuestion {
  id: string;
  kind: QuestionKind;
  text: Text2;
  required: boolean;
  /** single and multiple: the choices, in order (an answer names a choice by its index). */
  choices?: Text2[];
  /** scale (1 to 5): what its two ends mean. */
  scale?: { low: Text2; high: Text2 };
}

export interface Survey {
  id: string;
  processSlug: string;
  title: Text2;
  description: Text2;
  questions: SurveyQuestion[];
  /** The city publishes the results when it chooses; until then only stewards see them. */
  resultsPublished: boolean;
  createdAt: string;
  modifiedAt: string;
}

/** An answer value: a choice index (single), choice indexes (multiple), 1–5 (scale) or a text. */
export type SurveyValue = number | number[] | string;

export interface SurveyAnswer {
  surveyId: string;
  userId: string;
  /** Question id → value; optional questions left out are absent. */
  values: Record<string, SurveyValue>;
  createdAt: string;
}

/** Counts the store computes: per question and value (choices, scale points), and respondents per question. */
export interface SurveyTally {
  respondents: number;
  answered: Record<string, number>;
  counts: Array<{ questionId: string; value: number; count: number }>;
}
