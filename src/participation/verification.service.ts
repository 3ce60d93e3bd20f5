// Verification for taking part: which plug-in a process requires, whether a person has proved it,
// their attempts (limited per account), and the stewards' invitation codes. Never logs what was stated.
import type { Clock } from '../core/clock.ts';
import { StorageConflict } from '../core/errors.ts';
import type { Process } from './participation.model.ts';
import type { ParticipationStore } from './participation.port.ts';
import { ParticipationProblem, invalid, type Person } from './participation.service.ts';
import { problem } from './participation.validate.ts';
import type { Action } from './participation.rules.ts';
import type { Verification, VerificationPlugin } from './verification.model.ts';
import { NO_VERIFICATION, VerificationRegistry, codeHash, newInvitationCode } from './verification.plugins.ts';
import { createHmac } from 'node:crypto';

/** The actions a process's verification gates. */
export const VERIFIED_ACTIONS: readonly Action[] = ['support', 'survey', 'vote'];
const TYPE = 'https://drehscheibe.dev/errors/VerificationRequired';

/** 403 for an unverified person: names the verification needed and where to give it. */
export class VerificationRequired extends ParticipationProblem {
  constructor(readonly verification: string, readonly processSlug: string) {
    super('Forbidden', 403, 'Verification required', `This process requires the verification "${verification}" for supporting, survey answers and budget votes; verify at /api/participation/processes/${processSlug}/verification`);
    (this as { type: string }).type = TYPE;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), verification: this.verification, process: this.processSlug };
  }
}

export interface VerificationDeps {
  store: ParticipationStore;
  clock: Clock;
  registry: VerificationRegistry;
  /** Attempts per account in windowS (right or wrong): brute force of codes ends there. */
  attempts?: [number, number];
}

export class VerificationService {
  private readonly attempts: [number, number];
  constructor(private readonly d: VerificationDeps) { this.attempts = d.attempts ?? [10, 3600]; }

  /** The registered plug-ins (the steward's choice besides 'none'). */
  methods(): string[] { return this.d.registry.names(); }
  plugin(name: string): VerificationPlugin | undefined { return this.d.registry.get(name); }
  required(p: Process): string | undefined { return p.verification && p.verification !== NO_VERIFICATION ? p.verification : undefined; }

  /** The person's verification for the process (undefined when none is needed or none was given). */
  async status(person: Person | undefined, p: Process): Promise<{ required?: string; verified: boolean }> {
    const required = this.required(p);
    if (!required) return { verified: true };
    if (!person) return { required, verified: false };
    return { required, verified: !!(await this.d.store.verifications.find(person.id, required, p.slug)) };
  }

  /** Throws VerificationRequired when the action needs a verification the person has not given. */
  async gate(person: Person, action: Action, p: Process): Promise<void> {
    if (!VERIFIED_ACTIONS.includes(action)) return;
    const s = await this.status(person, p);
    if (!s.verified) throw new VerificationRequired(s.required!, p.slug);
  }

  /** A person states their postal code or code: 'verified', or a 400 with the field's reason (wrong, used), 429 beyond the attempts. */
  async verify(person: Person | undefined, p: Process, input: unknown): Promise<Verification> {
    if (!person) throw new ParticipationProblem('Unauthorized', 401, 'Authentication is required', 'Log in (a confirmed account) to verify');
    if (!person.confirmed) throw new ParticipationProblem('Forbidden', 403, 'Forbidden', 'Confirm your e-mail address first (the link in the mail sent at registration)');
    const required = this.required(p);
    const plugin = required ? this.d.registry.get(required) : undefined;
    if (!plugin) throw new ParticipationProblem('Conflict', 409, 'Conflict', 'This process requires no verification');
    if (typeof input !== 'string' || !input.trim() || input.length > 100) {
      throw invalid([problem('code', 'verification_input_required')]);
    }
    // Every attempt counts (a right one after the limit would tell a guesser it was right), per account
    // and across nodes; the key is a keyed hash, so the table of counts names nobody.
    const key = createHmac('sha256', await this.d.store.secret('verification-attempts')).update(person.id).digest('base64url');
    const [max, windowS] = this.attempts;
    const wait = await this.d.store.takeGuestQuota(`verify:${key}`, this.d.clock.now().toISOString(), max, windowS);
    if (wait > 0) throw new ParticipationProblem('TooManyRequests', 429, 'Too many requests', `At most ${max} verification attempts in ${windowS} s; retry after ${wait} s`, [], wait);
    const at = this.d.clock.now().toISOString();
    const out = await plugin.check(input, { processSlug: p.slug, userId: person.id, at });
    if (!out.ok) {
      throw invalid([problem('code', out.reason === 'used' ? 'verification_used' : 'verification_wrong')]);
    }
    const v: Verification = { userId: person.id, method: plugin.name, scope: plugin.scope === 'account' ? '*' : p.slug, detail: out.detail, at };
    await this.d.store.verifications.put(v);
    return v;
  }

  /** A steward makes `count` single-use codes for the process; they are returned once (only hashes are kept). */
  async makeCodes(p: Process, count: unknown): Promise<string[]> {
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > 10_000) {
      throw invalid([problem('count', 'codes_count_invalid')]);
    }
    for (let attempt = 0; ; attempt++) {
      const codes = Array.from({ length: count }, newInvitationCode);
      if (new Set(codes).size !== codes.length) continue;
      try {
        await this.d.store.verifications.addCodes(p.slug, codes.map(codeHash), this.d.clock.now().toISOString());
        return codes;
      } catch (e) {
        if (!(e instanceof StorageConflict) || attempt > 3) throw e;
      }
    }
  }
  codeCounts(p: Process): Promise<{ codes: number; redeemed: number }> { return this.d.store.verifications.codeCounts(p.slug); }
  mine(userId: string): Promise<Verification[]> { return this.d.store.verifications.mine(userId); }
  removeAccount(userId: string): Promise<number> { return this.d.store.verifications.removeAccount(userId); }

  /** The codes as CSV (one per line, for a mail merge). */
  static csv(codes: string[]): string { return 'code\r\n' + codes.map((c) => c + '\r\n').join(''); }
}
