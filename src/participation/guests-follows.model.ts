// Guests' contributions held for moderation, and following (processes, proposals, projects) with the
// person's choice of immediate mail or a daily digest. Plain data; the services hold the rules.
import type { SurveyValue } from './participation.model.ts';

export type GuestContributionState = 'pending' | 'released' | 'rejected';

/** A comment or survey answer of a guest, held until a moderator releases (or rejects) it. */
export interface GuestContribution {
  id: string;
  kind: 'comment' | 'survey';
  /** "guest:<hash of the browser's token>"; never the address. */
  guestId: string;
  /** The name the guest chose (shown as "<name> (Gast)" once released). */
  pseudonym: string;
  processSlug: string;
  /** The proposal commented on, or the survey answered. */
  targetId: string;
  state: GuestContributionState;
  /** kind comment: the text and the comment answered. */
  comment?: { body: string; parentId?: string };
  /** kind survey: question id → value. */
  answers?: Record<string, SurveyValue>;
  createdAt: string;
  decidedAt?: string;
}

export const FOLLOW_KINDS = ['process', 'proposal', 'project'] as const;
export type FollowKind = (typeof FOLLOW_KINDS)[number];

export interface Follow {
  kind: FollowKind;
  targetId: string;
  createdAt: string;
}

export const NOTIFY_MODES = ['immediate', 'digest'] as const;
export type NotifyMode = (typeof NOTIFY_MODES)[number];
