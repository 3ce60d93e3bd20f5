// Verification for taking part (support, survey answers, budget votes): a process names the plug-in it
// requires; what a person proved is kept in its own tables (part_verifications, part_invitation_codes),
// linked to the account, never in the pseudonym, exports, logs or audit details.
import type { Text2 } from './participation.model.ts';

/** What a person proved, kept per account: for one process, or (scope '*') for every process using the method. */
export interface Verification {
  userId: string;
  method: string;
  /** The process slug, or '*' when the proof holds for every process (a postal code). */
  scope: string;
  /** What was proved, shown only to the person (their postal code; "code" for an invitation code). */
  detail: string;
  at: string;
}

export interface VerificationStore {
  /** Keeps (or refreshes) a verification; one per account, method and scope. */
  put(v: Verification): Promise<void>;
  /** The account's verification for the method that holds in the process (its scope or '*'). */
  find(userId: string, method: string, processSlug: string): Promise<Verification | undefined>;
  /** Everything kept about the account (its data export), oldest first. */
  mine(userId: string): Promise<Verification[]>;
  /** Adds single-use codes (their SHA-256 hashes) for a process; throws StorageConflict when one exists. */
  addCodes(processSlug: string, hashes: string[], at: string): Promise<void>;
  /**
   * Redeems a code and keeps the person's verification in one transaction: 'unknown' (no such code for
   * the process) or 'used' (redeemed before — the primary key of the redemptions refuses a second one,
   * however many requests run at once).
   */
  redeemCode(processSlug: string, hash: string, v: Verification): Promise<'redeemed' | 'used' | 'unknown'>;
  /** How many codes a process has and how many were redeemed. */
  codeCounts(processSlug: string): Promise<{ codes: number; redeemed: number }>;
  /** A deleted account: its verifications go; the codes it redeemed stay used but no longer name it. */
  removeAccount(userId: string): Promise<number>;
}

/** What the plug-in's check says: the detail to keep, or why not (wrong input, a code used before). */
export type VerifyOutcome = { ok: true; detail: string } | { ok: false; reason: 'wrong' | 'used' };

/**
 * A way of verifying a person, registered by name (VerificationRegistry). A city adds one by
 * implementing this and registering it at start-up; processes then name it in `verification`.
 */
export interface VerificationPlugin {
  readonly name: string;
  /** Shown on the verification page: what is asked, and the hint below the field. */
  readonly label: Text2;
  readonly hint: Text2;
  /** 'process': the proof holds for the one process (an invitation code); 'account': for every process requiring this method. */
  readonly scope: 'process' | 'account';
  /** Checks what the person states. Keeping the verification is the caller's (a plug-in may keep it itself, see redeemCode). */
  check(input: string, ctx: { processSlug: string; userId: string; at: string }): Promise<VerifyOutcome>;
}
