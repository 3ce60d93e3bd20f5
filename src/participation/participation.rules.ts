// What may be done when, and by whom: the phase a process is in follows the clock, and each phase
// allows a fixed set of actions (a table, so the API test can hold it against its own table).
import type { Phase, PhaseKind, Process } from './participation.model.ts';

export const ACTIONS = ['propose', 'comment', 'support', 'vote', 'survey', 'answer', 'estimate', 'moderate'] as const;
export type Action = (typeof ACTIONS)[number];

/** Where a process is at an instant: in one of its phases, before the first, between or after the last. */
export type ProcessPhase = PhaseKind | 'before' | 'between' | 'after';

/**
 * Actions each phase allows. Moderation is always possible; answers come once participation has begun.
 * "survey" is answering a survey: in the participation phase, like proposals and supports.
 */
export const PHASE_ACTIONS: Record<ProcessPhase, readonly Action[]> = {
  before: ['estimate', 'moderate'],
  information: ['comment', 'estimate', 'moderate'],
  participation: ['propose', 'comment', 'support', 'survey', 'answer', 'estimate', 'moderate'],
  voting: ['comment', 'vote', 'answer', 'moderate'],
  evaluation: ['comment', 'answer', 'estimate', 'moderate'],
  result: ['answer', 'moderate'],
  between: ['answer', 'estimate', 'moderate'],
  after: ['answer', 'moderate'],
};

/** Who may do an action: any confirmed account ("person"), stewards (the city), moderators. Operators may all. */
export const ACTION_ROLE: Record<Action, 'person' | 'steward' | 'moderator'> = {
  propose: 'person', comment: 'person', support: 'person', vote: 'person', survey: 'person',
  answer: 'steward', estimate: 'steward', moderate: 'moderator',
};

export function currentPhase(p: Pick<Process, 'phases'>, now: Date): { phase: ProcessPhase; current?: Phase; next?: Phase } {
  const t = now.toISOString();
  const sorted = [...p.phases].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const current = sorted.find((x) => x.start <= t && t < x.end);
  const next = sorted.find((x) => x.start > t);
  if (current) return { phase: current.kind, current, next };
  if (sorted.length === 0 || t < sorted[0]!.start) return { phase: 'before', next };
  return next ? { phase: 'between', next } : { phase: 'after' };
}

export function phaseAllows(phase: ProcessPhase, action: Action): boolean {
  return PHASE_ACTIONS[phase].includes(action);
}

/**
 * Guests: a principal of their own (no account; a pseudonym and a per-browser token). Where a process
 * allows guests, they may comment and answer surveys — in the phases that allow those actions — and
 * what they write waits for a moderator's release.
 */
export const GUEST_ACTIONS: readonly Action[] = ['comment', 'survey'];
