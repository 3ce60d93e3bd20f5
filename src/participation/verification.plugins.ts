// The built-in verification plug-ins (postal code, invitation code) and the registry by name.
import { createHash, randomInt } from 'node:crypto';
import type { VerificationPlugin, VerificationStore, VerifyOutcome } from './verification.model.ts';

export const NO_VERIFICATION = 'none';

/** The plug-ins a process may name; 'none' is the default and never registered. */
export class VerificationRegistry {
  private readonly plugins = new Map<string, VerificationPlugin>();
  register(p: VerificationPlugin): this {
    if (p.name === NO_VERIFICATION || !/^[a-z][a-z0-9-]{1,39}$/.test(p.name)) throw new Error(`verification plug-in name ${p.name} is not allowed`);
    if (this.plugins.has(p.name)) throw new Error(`verification plug-in ${p.name} is registered already`);
    this.plugins.set(p.name, p);
    return this;
  }
  get(name: string): VerificationPlugin | undefined { return this.plugins.get(name); }
  names(): string[] { return [...this.plugins.keys()]; }
}

/** A German postal code stated by the person, accepted when in the configured list (the city's area). */
export function postalCodePlugin(codes: readonly string[]): VerificationPlugin {
  const accepted = new Set(codes);
  return {
    name: 'postal-code', scope: 'account',
    label: { de: 'Postleitzahl Ihres Wohnorts', en: 'Postal code of where you live' },
    hint: { de: 'Fünf Ziffern, zum Beispiel 44623.', en: 'Five digits, for example 44623.' },
    async check(input): Promise<VerifyOutcome> {
      const code = input.trim();
      return /^\d{5}$/.test(code) && accepted.has(code) ? { ok: true, detail: code } : { ok: false, reason: 'wrong' };
    },
  };
}

// Without 0/O, 1/I/L: codes are read from paper.
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

/** A new invitation code: 12 characters in groups of four (about 59 bits). */
export function newInvitationCode(): string {
  let s = '';
  for (let i = 0; i < 12; i++) s += ALPHABET[randomInt(ALPHABET.length)];
  return `${s.slice(0, 4)}-${s.slice(4, 8)}-${s.slice(8)}`;
}

/** The stored form of a code: only its hash is kept, so the list is shown once and cannot be read back. */
export function codeHash(code: string): string {
  const normal = code.toUpperCase().replace(/[^A-Z0-9]/g, '');
  return createHash('sha256').update(normal).digest('hex');
}

/** A single-use code the city hands out for one process; redeeming it keeps the verification in the same transaction. */
export function invitationCodePlugin(store: VerificationStore): VerificationPlugin {
  return {
    name: 'invitation-code', scope: 'process',
    label: { de: 'Einladungscode', en: 'Invitation code' },
    hint: { de: 'Der Code aus Ihrer Einladung, zum Beispiel ABCD-EFGH-JKMN. Jeder Code gilt einmal.', en: 'The code from your invitation, for example ABCD-EFGH-JKMN. Each code is valid once.' },
    async check(input, ctx): Promise<VerifyOutcome> {
      const normal = input.toUpperCase().replace(/[^A-Z0-9]/g, '');
      if (normal.length !== 12) return { ok: false, reason: 'wrong' };
      const r = await store.redeemCode(ctx.processSlug, codeHash(normal), { userId: ctx.userId, method: 'invitation-code', scope: ctx.processSlug, detail: 'code', at: ctx.at });
      return r === 'redeemed' ? { ok: true, detail: 'code' } : { ok: false, reason: r === 'used' ? 'used' : 'wrong' };
    },
  };
}
