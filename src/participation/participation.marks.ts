// One person's mark on a target that the target counts: a support of a proposal, a "helpful" rating of a comment,
// a registration for an event. Both engines add and remove them the same way (a row per person and target, and
// the target's count changed with it in one transaction); these are the tables and columns, constants only.
export interface CountedMark {
  /** The table of marks, one row per (target, person). */
  marks: string;
  /** Its column naming the target. */
  key: string;
  /** The table that holds the count, and its key and count columns. */
  counter: string;
  counterKey: string;
  count: string;
}

export const SUPPORTS: CountedMark = { marks: 'part_supports', key: 'proposal_id', counter: 'part_proposals', counterKey: 'id', count: 'support_count' };
export const RATINGS: CountedMark = { marks: 'part_comment_ratings', key: 'comment_id', counter: 'part_comments', counterKey: 'id', count: 'helpful_count' };
/** Registrations are added with the seat check (registerForEvent); this serves their removal. */
export const REGISTRATIONS: CountedMark = { marks: 'part_event_registrations', key: 'event_id', counter: 'part_event_seats', counterKey: 'event_id', count: 'taken' };
