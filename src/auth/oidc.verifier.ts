// OpenID Connect bearer tokens: verified against the issuer's JWKS (discovered from
// /.well-known/openid-configuration; cached, refetched on an unknown key id = key rotation), with
// issuer, audience and expiry checked; the roles claim maps to Drehscheibe roles.
import { createRemoteJWKSet, jwtVerify, errors as joseErrors, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { Unauthorized, Unavailable } from '../core/errors.ts';
import type { Clock } from '../core/clock.ts';
import { ROLES, type Principal, type Role, type RoleGrant } from './access.model.ts';

export interface OidcConfig {
  issuer: string;
  audience: string;
  /** Dotted path of the roles claim, e.g. realm_access.roles (Keycloak) or roles. */
  rolesClaim: string;
  /** Issuer role → Drehscheibe role, optionally limited to a tenant: "steward@stadtwerke". */
  roleMap: Record<string, string>;
  /** JWKS URL; unset = discovered from the issuer. */
  jwksUrl?: string;
  /** Least time between two JWKS fetches (rotation). */
  jwksCooldownMs: number;
}

export function parseMappedRole(v: string): RoleGrant | undefined {
  const [role, tenant] = v.split('@');
  if (!(ROLES as readonly string[]).includes(role)) return undefined;
  return tenant === undefined ? { role: role as Role } : { role: role as Role, tenants: [tenant] };
}

export class OidcVerifier {
  private jwks?: Promise<JWTVerifyGetKey>;
  /** Verified tokens (the signature check is the expensive part), until they expire. */
  private readonly cache = new Map<string, Principal>();
  private static readonly MAX = 10_000;
  /** The newest verified principal per subject: subscription owners are judged by it. */
  private readonly subjects = new Map<string, Principal>();

  constructor(private readonly cfg: OidcConfig, private readonly clock: Clock, private readonly fetchImpl: typeof fetch = fetch) {}

  private keys(): Promise<JWTVerifyGetKey> {
    if (!this.jwks) {
      this.jwks = (async () => {
        let url = this.cfg.jwksUrl;
        if (!url) {
          const wellKnown = `${this.cfg.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
          const res = await this.fetchImpl(wellKnown, { signal: AbortSignal.timeout(5000) });
          if (!res.ok) throw new Error(`${wellKnown} answered ${res.status}`);
          const doc = await res.json() as { jwks_uri?: string; issuer?: string };
          if (!doc.jwks_uri) throw new Error(`${wellKnown} names no jwks_uri`);
          url = doc.jwks_uri;
        }
        return createRemoteJWKSet(new URL(url), { cooldownDuration: this.cfg.jwksCooldownMs, cacheMaxAge: 10 * 60_000, timeoutDuration: 5000 });
      })();
      this.jwks.catch(() => { this.jwks = undefined; });
    }
    return this.jwks;
  }

  async verify(token: string): Promise<Principal> {
    const now = this.clock.now().getTime();
    const hit = this.cache.get(token);
    if (hit && (hit.expiresAt ?? 0) > now) return hit;
    let keys: JWTVerifyGetKey;
    try {
      keys = await this.keys();
    } catch (e) {
      throw new Unavailable(`The OpenID Connect issuer's keys cannot be fetched: ${(e as Error).message}`);
    }
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer: this.cfg.issuer,
        audience: this.cfg.audience,
        currentDate: new Date(now),
        clockTolerance: 5,
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (e) {
      if (e instanceof joseErrors.JWKSTimeout) throw new Unavailable('The OpenID Connect issuer did not answer in time');
      throw new Unauthorized(`The bearer token was rejected: ${reason(e)}`);
    }
    const p: Principal = { id: `oidc:${payload.sub}`, kind: 'oidc', roles: this.roles(payload), expiresAt: (payload.exp as number) * 1000 };
    if (this.cache.size >= OidcVerifier.MAX) this.cache.clear();
    this.cache.set(token, p);
    if (this.subjects.size >= OidcVerifier.MAX) this.subjects.clear();
    // Without the token's expiry: a subscription outlives the token its owner last used.
    const { expiresAt: _exp, ...standing } = p;
    this.subjects.set(p.id, standing);
    return p;
  }

  /** The principal of the newest token verified for this id ("oidc:<sub>") since start, if any. */
  lastSeen(id: string): Principal | undefined {
    return this.subjects.get(id);
  }

  private roles(payload: JWTPayload): RoleGrant[] {
    let v: unknown = payload;
    for (const part of this.cfg.rolesClaim.split('.')) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[part] : undefined;
    const names = Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? v.split(' ') : [];
    const out: RoleGrant[] = [];
    for (const n of names) {
      const mapped = this.cfg.roleMap[n];
      const g = mapped ? parseMappedRole(mapped) : undefined;
      if (g) out.push(g);
    }
    if (out.length === 0) out.push({ role: 'citizen' });
    return out;
  }
}

function reason(e: unknown): string {
  if (e instanceof joseErrors.JWTExpired) return 'it has expired';
  if (e instanceof joseErrors.JWTClaimValidationFailed) return `claim ${e.claim} is not acceptable (${e.reason})`;
  if (e instanceof joseErrors.JWSSignatureVerificationFailed) return 'its signature is not valid';
  if (e instanceof joseErrors.JWKSNoMatchingKey) return 'no key of the issuer matches it';
  if (e instanceof joseErrors.JWSInvalid || e instanceof joseErrors.JWTInvalid) return 'it is not a well-formed JWT';
  if (e instanceof joseErrors.JOSEAlgNotAllowed || e instanceof joseErrors.JOSENotSupported) return 'its algorithm is not supported';
  return 'it cannot be verified';
}
