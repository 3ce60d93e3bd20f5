// What a request may touch below the tenant level (entity types), as decided by the auth module
// and consulted by services on their one write path and by queries. Pure: no framework, no policy.

/** Type-level access of one principal in one tenant. Types are expanded IRIs. */
export interface AccessGuard {
  /** Whether entities having all these types may be written (created, changed, deleted). */
  mayWrite(types: readonly string[]): boolean;
  /** Whether an entity having these types may be read. */
  mayRead(types: readonly string[]): boolean;
  /**
   * How queries are narrowed: `only` = just these types are readable; `except` = every type but
   * these. Absent: reads are not restricted by type.
   */
  readonly readTypes?: { only?: readonly string[]; except?: readonly string[] };
  /** Who is acting (for messages and audit), e.g. "key:umweltamt". */
  readonly who: string;
}

/**
 * What the owner of a subscription may receive in a tenant now: false = nothing (its key was revoked
 * or expired, or it may no longer manage subscriptions there), true = everything, a guard = only the
 * entities whose types it may read.
 */
export type OwnerDecision = boolean | AccessGuard;

/** Asked by the notification path before each notification (docs/security.md); answers from memory when it can. */
export interface OwnerAccess {
  decide(owner: string, tenant: string): OwnerDecision | Promise<OwnerDecision>;
}

/** Who acts in a request with access control on, as the services need it (subscription owners). */
export interface Actor {
  /** The principal's id, e.g. "key:buerger-app" (recorded as a subscription's owner). */
  readonly id: string;
  /** An operator of the request's tenant: sees and manages what other principals own. */
  readonly manager: boolean;
  /** An operator not limited to tenants: manages what all tenants share (the stored @contexts). */
  readonly global: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth hook when the principal's access depends on entity types; absent = unrestricted. */
    access?: AccessGuard;
    /** Set by the auth hook for every authorised non-public request; absent = access control off. */
    actor?: Actor;
  }
}
