// Enforcement in one place: an onRequest hook resolves the principal (API key or OIDC bearer
// token), applies the rate limits, decides tenant-level access from the route's declared
// operation, and hands type-level access on as req.access. An onResponse hook writes the audit log.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { TooManyRequests, Unauthorized, Forbidden } from '../core/errors.ts';
import type { Clock } from '../core/clock.ts';
import { ANONYMOUS, hasRole, type AccessPolicy, type Op, type Principal } from './access.model.ts';
import { KEY_PREFIX, type ApiKeyService } from './api-keys.service.ts';
import type { OidcVerifier } from './oidc.verifier.ts';
import type { AuditLog } from './audit.log.ts';
import type { Rate, RateLimiter } from './rate-limit.ts';

/** What a route declares about itself: `config: { access: { op: 'read' } }`. */
export interface RouteAccess {
  op: Op;
  /** Per-address limit for this route instead of the default (e.g. device ingest). */
  rate?: Rate;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
  interface FastifyRequest {
    /** Who is acting; absent when access control is off or the route is public. */
    principal?: Principal;
  }
}

/** Sessions of people logged in to the portal (src/accounts): the principal behind a session cookie. */
export interface SessionAuth {
  /** undefined when the request carries no session cookie or its session is no longer valid. */
  principal(req: FastifyRequest): Promise<Principal | undefined>;
}

export interface AuthHookDeps {
  enabled: boolean;
  /** Session cookies are recognised outside the NGSI-LD API (docs/security.md#sessions). */
  sessions?: SessionAuth;
  policy: AccessPolicy;
  keys: ApiKeyService;
  oidc?: OidcVerifier;
  audit?: AuditLog;
  limiter?: RateLimiter;
  limits: { address: Rate; principal: Rate };
  clock: Clock;
}

const NGSI = '/ngsi-ld/v1/';
/** The machine APIs take credentials only, never a portal session cookie (no CSRF through a browser). */
const isApi = (url: string) => url.startsWith(NGSI) || url.startsWith('/v2/');
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
/** A compact JWS: three base64url segments (header.payload.signature). */
const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** The route's operation: declared in route config, else derived (NGSI-LD by method; anything else: admin). */
export function opOf(req: FastifyRequest): Op {
  const declared = req.routeOptions.config?.access?.op;
  if (declared) return declared;
  if (req.method === 'OPTIONS' || req.is404) return 'public';
  const url = req.routeOptions.url ?? '';
  if (url.startsWith(`${NGSI}subscriptions`)) return 'subscriptions';
  if (url.startsWith(NGSI)) return SAFE.has(req.method) ? 'read' : 'write';
  return 'admin';
}

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export function tenantHeader(req: FastifyRequest): string {
  return header(req, 'ngsild-tenant') ?? header(req, 'fiware-service') ?? '';
}

async function principalOf(req: FastifyRequest, d: AuthHookDeps): Promise<Principal> {
  const key = header(req, 'x-api-key');
  if (key) return d.keys.authenticate(key);
  const auth = header(req, 'authorization');
  // X-Auth-Token: how FIWARE's NGSIv2 components (behind a PEP proxy) send their token; here an API key.
  const xAuth = auth ? undefined : header(req, 'x-auth-token');
  if (xAuth) return d.keys.authenticate(xAuth);
  if (!auth) return (d.sessions && !isApi(req.routeOptions.url ?? req.url) ? await d.sessions.principal(req) : undefined) ?? ANONYMOUS;
  const sp = auth.indexOf(' ');
  const scheme = (sp < 0 ? auth : auth.slice(0, sp)).toLowerCase();
  const cred = sp < 0 ? '' : auth.slice(sp + 1).trim();
  if (scheme === 'apikey' && cred) return d.keys.authenticate(cred);
  if (scheme === 'bearer' && cred) {
    // FIWARE components (IoT Agents, QuantumLeap, …) only know bearer tokens, so an API key may come
    // as one: recognised by its prefix, or — with no issuer configured — by not being a JWT (an
    // operator key given in DREHSCHEIBE_ADMIN_KEY need not carry the prefix).
    if (cred.startsWith(KEY_PREFIX) || (!d.oidc && !JWT.test(cred))) return d.keys.authenticate(cred);
    if (!d.oidc) throw new Unauthorized('This bearer token is a JWT, but no OpenID Connect issuer is configured; send an API key (X-API-Key, or as the bearer token)');
    return d.oidc.verify(cred);
  }
  throw new Unauthorized('Unsupported Authorization header: use "ApiKey <key>", "Bearer <token>" or the X-API-Key header');
}

function limit(reply: FastifyReply, d: AuthHookDeps, key: string, rate: Rate, what: string): void {
  const mine = d.limiter!.share(rate);
  const wait = d.limiter!.take(key, mine.rate, d.clock.now().getTime());
  if (wait > 0) {
    reply.header('Retry-After', String(wait));
    const shared = mine.nodes > 1 ? `, shared by ${mine.nodes} nodes` : '';
    throw new TooManyRequests(`Rate limit of ${rate.rps} requests per second (burst ${rate.burst}) per ${what}${shared} exceeded; retry after ${wait} s`, wait);
  }
}

export function installAuth(app: FastifyInstance, d: AuthHookDeps): void {
  // Declared up front so every request object keeps one shape (properties added later would
  // change it per request and slow down every property access in Fastify's hot path).
  app.decorateRequest('principal', undefined);
  app.decorateRequest('actor', undefined);
  app.decorateRequest('access', undefined);
  app.decorateRequest('auditTarget', undefined);
  // Callback style, not async: the public / auth-off path runs on every request and needs no promise.
  app.addHook('onRequest', (req, reply, done) => {
    let op: Op;
    try {
      op = opOf(req);
      if (op === 'public' || !d.enabled) {
        if (d.limiter && req.method !== 'OPTIONS') limit(reply, d, `a:${req.ip}`, req.routeOptions.config?.access?.rate ?? d.limits.address, 'client address');
        done();
        return;
      }
    } catch (e) {
      done(e as Error);
      return;
    }
    principalOf(req, d).then((p) => {
      req.principal = p;
      if (d.limiter) {
        if (p.kind === 'anonymous') limit(reply, d, `a:${req.ip}`, d.limits.address, 'client address');
        else limit(reply, d, `p:${p.id}`, d.limits.principal, 'principal');
      }
      const tenant = tenantHeader(req);
      const dec = d.policy.decide(p, tenant, op);
      if (!dec.allowed) {
        if (p.kind === 'anonymous') {
          reply.header('WWW-Authenticate', 'ApiKey, Bearer');
          throw new Unauthorized(`This operation needs a credential (an API key as X-API-Key header or "Authorization: Bearer <key>"${d.oidc ? ', or an OpenID Connect token' : ''}): ${dec.reason}`);
        }
        throw new Forbidden(dec.reason ?? `${p.id} may not do this`);
      }
      if (dec.guard) req.access = dec.guard;
      const manager = hasRole(p, 'operator', tenant);
      req.actor = { id: p.id, manager, global: manager && !p.scope?.tenants && p.roles.some((g) => g.role === 'operator' && !g.tenants) };
      done();
    }, (e: unknown) => {
      // Failed credentials count against the address: guessing keys is limited too.
      if (d.limiter) limit(reply, d, `a:${req.ip}`, d.limits.address, 'client address');
      throw e;
    }).catch((e: unknown) => done(e as Error));
  });

  if (d.audit) {
    const audit = d.audit;
    app.addHook('onResponse', (req, reply, done) => {
      try {
        if (SAFE.has(req.method) || req.is404) return;
        const op = opOf(req);
        if (op === 'public') return;
        const path = req.url.split('?')[0];
        audit.record({
          principal: d.enabled ? (req.principal?.id ?? 'anonymous') : 'auth-off',
          action: `${req.method} ${req.routeOptions.url ?? path}`,
          tenant: op === 'admin' ? undefined : tenantHeader(req),
          target: req.auditTarget ?? path,
          status: reply.statusCode,
          address: req.ip,
          requestId: String(req.id),
        });
      } finally {
        done();
      }
    });
  }
}
