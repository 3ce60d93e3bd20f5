// Small pieces both adapters share (no driver types): the sort key of a process and the ballot refusal.
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
