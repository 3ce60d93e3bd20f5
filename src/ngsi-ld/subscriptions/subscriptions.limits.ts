// What bounds subscriptions under access control (docs/security.md#limits): how many a principal and
// a tenant may have, the shortest timeInterval and throttling, and the owner check before each notification.
import type { AccessGuard, OwnerAccess } from '../../core/access.ts';
import { BadRequestData, Forbidden } from '../../core/errors.ts';
import type { LiveSub } from './subscriptions.matcher.ts';
import type { SubscriptionDef } from './subscriptions.schema.ts';

export interface SubscriptionLimits {
  /** Subscriptions one principal may own, in all tenants together. */
  perPrincipal: number;
  perTenant: number;
  /** Shortest timeInterval and throttling, in seconds. */
  minIntervalS: number;
  minThrottlingS: number;
}

/**
 * The shortest timeInterval and throttling: checked where the request sets them (a PATCH of other
 * members keeps a value stored before the limit; raiseToMinimums applies the minimum to it).
 */
export function checkRates(lim: SubscriptionLimits, def: SubscriptionDef, given: Record<string, unknown>): void {
  if ('timeInterval' in given && def.timeInterval !== undefined && def.timeInterval < lim.minIntervalS) {
    throw new BadRequestData(`timeInterval must be at least ${lim.minIntervalS} s on this broker (DREHSCHEIBE_SUBSCRIPTION_MIN_INTERVAL_S); got ${def.timeInterval}`);
  }
  if ('throttling' in given && def.throttling !== undefined && def.throttling < lim.minThrottlingS) {
    throw new BadRequestData(`throttling must be at least ${lim.minThrottlingS} s on this broker (DREHSCHEIBE_SUBSCRIPTION_MIN_THROTTLING_S); got ${def.throttling}`);
  }
}

/**
 * Subscriptions per principal and per tenant, before one more is created. NGSI-LD defines no error
 * type for a quota: 403 with Drehscheibe's Forbidden type, as the request is valid but refused for
 * this principal now (429 would promise that waiting helps; only deleting one does).
 */
export function checkCounts(lim: SubscriptionLimits, n: { tenant: number; owner: number }, owner: string | undefined): void {
  if (owner !== undefined && n.owner >= lim.perPrincipal) {
    throw new Forbidden(`${owner} has ${n.owner} subscriptions, the most one principal may have (${lim.perPrincipal}, DREHSCHEIBE_SUBSCRIPTIONS_PER_PRINCIPAL); delete one first`);
  }
  if (n.tenant >= lim.perTenant) {
    throw new Forbidden(`This tenant holds the most subscriptions allowed (${lim.perTenant}, DREHSCHEIBE_SUBSCRIPTIONS_PER_TENANT); delete one first`);
  }
}

/** Subscriptions stored before the minimums (or by an import) run at them at least. */
export function raiseToMinimums(lim: SubscriptionLimits, l: LiveSub): void {
  if (l.timeIntervalMs !== undefined) l.timeIntervalMs = Math.max(l.timeIntervalMs, lim.minIntervalS * 1000);
  if (l.throttlingMs !== undefined) l.throttlingMs = Math.max(l.throttlingMs, lim.minThrottlingS * 1000);
}

/**
 * Runs `fn` with what the subscription's owner may read now (docs/security.md), or not at all when
 * it may receive nothing (revoked or expired key, a policy no longer allowing it). Subscriptions
 * without an owner (made with access control off) are not restricted. Synchronous when the answer
 * is in memory, as it is for every notification but the first after a change.
 */
export function withOwnerAccess(owners: OwnerAccess | undefined, sub: LiveSub, fn: (access: true | AccessGuard) => void, onError: (e: unknown) => void): void {
  if (!owners || sub.owner === undefined) { fn(true); return; }
  const d = owners.decide(sub.owner, sub.tenant);
  if (!(d instanceof Promise)) { if (d !== false) fn(d); return; }
  d.then((x) => { if (x !== false) fn(x); }).catch(onError);
}
