// The access policy as the admin API (/admin/policy) and the administration page see it: read,
// replace (checked by the one set of rules, stored, announced to the other nodes), reset to the file.
import { BadRequestData } from '../core/errors.ts';
import type { AuthStore } from '../storage/port.auth.ts';
import { BUILTIN_RULES, policyIssues, type AccessPolicy, type Policy, type PolicyIssue } from './access.model.ts';

export const POLICY_SETTING = 'policy';

/** A policy document that breaks the rules; `issues` lists each problem in English and German. */
export class InvalidPolicy extends BadRequestData {
  constructor(readonly issues: PolicyIssue[]) {
    super(`Invalid policy: ${issues.map((i) => i.message).join('; ')}`);
  }
}

export interface PolicyView {
  /** "file": DREHSCHEIBE_POLICY_FILE (or none) is in force; "admin-api": a document stored through the API or the page. */
  source: 'file' | 'admin-api';
  policy: Policy;
  /** The rules of a tenant the policy does not name. */
  defaults: typeof BUILTIN_RULES;
  /** The policy of DREHSCHEIBE_POLICY_FILE, which a reset brings back. */
  file: Policy;
}

export class PolicyService {
  constructor(
    private readonly store: AuthStore,
    private readonly policy: AccessPolicy,
    private readonly filePolicy: Policy,
    /** Tells the other nodes that the policy was replaced (several nodes). */
    private readonly announce?: () => void,
  ) {}

  async view(): Promise<PolicyView> {
    const stored = await this.store.getSetting(POLICY_SETTING);
    return { source: stored ? 'admin-api' : 'file', policy: this.policy.document, defaults: BUILTIN_RULES, file: this.filePolicy };
  }

  /** Replaces the policy on every node; an invalid document changes nothing (InvalidPolicy). */
  async replace(doc: unknown): Promise<void> {
    const issues = policyIssues(doc);
    if (issues.length) throw new InvalidPolicy(issues);
    await this.store.putSetting(POLICY_SETTING, doc);
    this.policy.replace(doc as Policy);
    this.announce?.();
  }

  /** Forgets the stored document: the file's policy (or none) is in force again. */
  async reset(): Promise<void> {
    await this.store.putSetting(POLICY_SETTING, undefined);
    this.policy.replace(this.filePolicy);
    this.announce?.();
  }
}
