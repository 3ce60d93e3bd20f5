// Whether a subscription's owner may still receive its notifications (docs/security.md): the owner's
// key must be active (not revoked, not expired) and the policy in force must let it manage
// subscriptions in the tenant; its type-level read access filters what is sent. Revocations and
// policy changes (here or announced by another node) take effect with the next notification.
import type { Clock } from '../core/clock.ts';
import type { OwnerAccess, OwnerDecision } from '../core/access.ts';
import type { AccessPolicy, Principal } from './access.model.ts';
import type { ApiKeyService } from './api-keys.service.ts';
import type { OidcVerifier } from './oidc.verifier.ts';

export class SubscriptionOwners implements OwnerAccess {
  constructor(private readonly policy: AccessPolicy, private readonly keys: ApiKeyService, private readonly oidc: OidcVerifier | undefined, private readonly clock: Clock) {}

  decide(owner: string, tenant: string): OwnerDecision | Promise<OwnerDecision> {
    if (owner.startsWith('key:')) {
      const p = this.keys.principalByName(owner.slice(4));
      return p instanceof Promise ? p.then((x) => this.judge(x, tenant)) : this.judge(p, tenant);
    }
    if (owner.startsWith('oidc:')) {
      // The issuer holds OIDC accounts: the roles of the newest token this node verified for the
      // subject are applied; with none seen since start, nothing is known against the owner.
      const p = this.oidc?.lastSeen(owner);
      return p ? this.judge(p, tenant) : true;
    }
    return false;
  }

  private judge(p: Principal | undefined, tenant: string): OwnerDecision {
    if (!p) return false;
    if (p.expiresAt !== undefined && p.expiresAt <= this.clock.now().getTime()) return false;
    const d = this.policy.decide(p, tenant, 'subscriptions');
    if (!d.allowed) return false;
    return d.guard ?? true;
  }
}
