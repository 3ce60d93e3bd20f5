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

/** An answer's values as the rows both adapters count: one per chosen index or scale point, one per text. */
export function surveyValueRows(values: Record<string, number | number[] | string>): Array<{ questionId: string; value: number | null; text: string | null }> {
  const rows: Array<{ questionId: string; value: number | null; text: string | null }> = [];
  for (const [questionId, v] of Object.entries(values)) {
    if (typeof v === 'string') rows.push({ questionId, value: null, text: v });
    else for (const n of Array.isArray(v) ? v : [v]) rows.push({ questionId, value: n, text: null });
  }
  return rows;
}
