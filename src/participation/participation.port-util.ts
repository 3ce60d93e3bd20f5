// Small pieces both adapters share (no driver types): the sort key of a process, the ballot and survey-answer refusals.
import { StorageConflict } from '../core/errors.ts';
import type { Process } from './participation.model.ts';

/** A process sorts by its first phase's start (processes without phases by creation). */
export function firstStart(p: Process): string {
  return p.phases.reduce((m, x) => (x.start < m ? x.start : m), p.phases[0]?.start ?? p.createdAt);
}

/** The database refused a ballot: the person has one already, or its total is above the budget. */
export class BallotRefused extends StorageConflict {
  constructor(readonly reason: 'duplicate' | 'over_budget', options?: { cause?: unknown }) {
    super(reason === 'duplicate' ? 'a ballot of this person exists in this process' : 'the ballot is above the budget', options);
  }
}

/** The database refused a survey answer: the person has answered this survey already. */
export class SurveyAnswerRefused extends StorageConflict {
  constructor(options?: { cause?: unknown }) {
    super('an answer of this person to this survey exists', options);
  }
}

/**
 * An answer's values as the rows both adapters count: one per chosen index or scale point, one per
 * text; `first` is 1 on one row per question (the sum over a question is how many answered it).
 */
export function surveyValueRows(values: Record<string, number | number[] | string>): Array<{ questionId: string; value: number | null; text: string | null; first: 0 | 1 }> {
  const rows: Array<{ questionId: string; value: number | null; text: string | null; first: 0 | 1 }> = [];
  for (const [questionId, v] of Object.entries(values)) {
    if (typeof v === 'string') rows.push({ questionId, value: null, text: v, first: 1 });
    else (Array.isArray(v) ? v : [v]).forEach((n, i) => rows.push({ questionId, value: n, text: null, first: i === 0 ? 1 : 0 }));
  }
  return rows;
}

/** The tally from rows grouped by question and value (value null: the texts) with their count and sum of `first`. */
export function tallyOf(respondents: number, groups: Array<{ questionId: string; value: number | null; count: number; firsts: number }>): { respondents: number; answered: Record<string, number>; counts: Array<{ questionId: string; value: number; count: number }> } {
  const answered: Record<string, number> = {};
  const counts: Array<{ questionId: string; value: number; count: number }> = [];
  for (const g of groups) {
    answered[g.questionId] = (answered[g.questionId] ?? 0) + g.firsts;
    if (g.value !== null) counts.push({ questionId: g.questionId, value: g.value, count: g.count });
  }
  return { respondents, answered, counts };
}
