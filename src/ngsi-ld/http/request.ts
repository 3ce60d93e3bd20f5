// Per-request NGSI-LD plumbing: tenant, @context (Link header or body), content negotiation,
// query-parameter checking and the response headers that go with each representation.
import { TENANT_NAME as TENANT } from '../../core/tenant.ts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { BadRequestData, InvalidRequest, NotAcceptable, NonexistentTenant, UnsupportedMediaType } from '../../core/errors.ts';
import type { Terms } from '../context/term-map.ts';
import { isCoreContextUrl } from '../context/builtin-contexts.ts';
import { addLink } from './paging.ts';

export const JSONLD_REL = 'http://www.w3.org/ns/json-ld#context';

export interface ContextResolver {
  resolve(context: unknown, opts?: { mayFetch?: boolean }): Promise<Terms>;
}

/**
 * Anonymous requests may use only @contexts the broker already holds; they never make it download a new one
 * (issue #13: each new remote context costs memory and disk). Without access control (auth off) there is no
 * principal, and fetching is allowed.
 */
function resolveOptions(req: FastifyRequest): { mayFetch: boolean } {
  return req.principal?.kind === 'anonymous' ? CACHED_ONLY : MAY_FETCH;
}
const MAY_FETCH = Object.freeze({ mayFetch: true });
const CACHED_ONLY = Object.freeze({ mayFetch: false });

export function tenantOf(req: FastifyRequest): string {
  const raw = req.headers['ngsild-tenant'] ?? req.headers['fiware-service'];
  if (raw === undefined) return '';
  const t = Array.isArray(raw) ? raw[0] : raw;
  if (!TENANT.test(t)) throw new BadRequestData(`Invalid NGSILD-Tenant "${t.slice(0, 70)}": use 1-64 letters, digits, _ or -`);
  return t;
}

/** For reads: a tenant that was never written to does not exist (clause 6.3.x, NonexistentTenant). */
export async function existingTenant(req: FastifyRequest, exists: (t: string) => Promise<boolean>): Promise<string> {
  const t = tenantOf(req);
  if (t !== '' && !(await exists(t))) throw new NonexistentTenant(`Tenant "${t}" does not exist`);
  return t;
}

/** The @context URL from a Link header (clause 6.3.5), if any. */
export function linkContext(req: FastifyRequest): string | undefined {
  const raw = req.headers.link;
  if (!raw) return undefined;
  const links = (Array.isArray(raw) ? raw.join(',') : raw).split(/,(?=\s*<)/);
  for (const l of links) {
    const m = /^\s*<([^>]*)>(.*)$/.exec(l);
    if (!m) throw new InvalidRequest(`Malformed Link header: ${l.slice(0, 100)}`);
    if (m[2].includes(JSONLD_REL)) return m[1];
  }
  return undefined;
}

export function mediaType(req: FastifyRequest): string {
  return (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}

/**
 * Terms for a request with a body (clause 6.3.5): application/json takes the Link header,
 * application/ld+json the body's @context (and then no Link header).
 */
export async function bodyTerms(req: FastifyRequest, ctx: ContextResolver, body: unknown): Promise<Terms> {
  const mt = mediaType(req);
  const link = linkContext(req);
  if (mt === 'application/ld+json') {
    if (link) throw new BadRequestData('With Content-Type application/ld+json the @context goes in the body, not in a Link header');
    const items = Array.isArray(body) ? body : [body];
    const first = items[0] as Record<string, unknown> | undefined;
    if (!first || typeof first !== 'object' || !('@context' in first)) throw new BadRequestData('A body sent as application/ld+json must carry an @context');
    return ctx.resolve(first['@context'], resolveOptions(req));
  }
  if (items(body).some((b) => b && typeof b === 'object' && '@context' in (b as object))) {
    throw new BadRequestData('A body sent as application/json may not carry an @context; send it as application/ld+json or in a Link header');
  }
  return ctx.resolve(link, resolveOptions(req));
}

function items(body: unknown): unknown[] {
  return Array.isArray(body) ? body : [body];
}

/** Terms for a request without body: the Link header, else the core context. */
export function queryTerms(req: FastifyRequest, ctx: ContextResolver): Promise<Terms> {
  return ctx.resolve(linkContext(req), resolveOptions(req));
}

export type Accept = 'json' | 'ld+json' | 'geo+json';

/** Content negotiation for responses (clause 6.3.6). */
export function negotiate(req: FastifyRequest, allowGeo = true): Accept {
  const raw = req.headers.accept;
  if (!raw) return 'json';
  const prefs = raw.split(',').map((p) => {
    const [type, ...params] = p.trim().toLowerCase().split(';');
    const q = params.map((x) => x.trim()).find((x) => x.startsWith('q='));
    return { type: type.trim(), q: q ? Number(q.slice(2)) : 1 };
  }).filter((p) => p.q > 0).sort((a, b) => b.q - a.q);
  for (const p of prefs) {
    if (p.type === 'application/json' || p.type === '*/*' || p.type === 'application/*') return 'json';
    if (p.type === 'application/ld+json') return 'ld+json';
    if (p.type === 'application/geo+json' && allowGeo) return 'geo+json';
  }
  throw new NotAcceptable(`Cannot produce ${raw}; use application/json, application/ld+json${allowGeo ? ' or application/geo+json' : ''}`);
}

/** Sends NGSI-LD data with the @context in the body (ld+json) or in a Link header. */
export function sendData(reply: FastifyReply, accept: Accept, terms: Terms, body: unknown, coreUrl: string): FastifyReply {
  if (accept === 'ld+json') {
    reply.type('application/ld+json');
    const ctxValue = responseContext(terms, coreUrl);
    if (Array.isArray(body)) return reply.send(body.map((b) => ({ '@context': ctxValue, ...(b as object) })));
    return reply.send({ '@context': ctxValue, ...(body as object) });
  }
  addLink(reply, `<${terms.linkUrl || coreUrl}>; rel="${JSONLD_REL}"; type="application/ld+json"`);
  reply.type(accept === 'geo+json' ? 'application/geo+json' : 'application/json');
  return reply.send(body);
}

/** Sends JSON text rendered ahead (a cached entity or a list of them) with the @context header. */
export function sendText(reply: FastifyReply, accept: Accept, terms: Terms, text: string, coreUrl: string): FastifyReply {
  if (accept !== 'ld+json') addLink(reply, `<${terms.linkUrl || coreUrl}>; rel="${JSONLD_REL}"; type="application/ld+json"`);
  reply.type(accept === 'ld+json' ? 'application/ld+json' : accept === 'geo+json' ? 'application/geo+json' : 'application/json');
  return reply.send(text);
}

/**
 * The @context of application/ld+json bodies: the request's @context as given (a string stays a
 * string). The core @context always applies and is included in JSON-LD responses (clause 5.5.7,
 * annex C.6), so it is appended only when the request's @context does not name it already,
 * directly or inside a context document it references; generic JSON-LD processors then read the
 * body as NGSI-LD does.
 */
export function responseContext(terms: Terms, coreUrl: string): unknown {
  const src = terms.source ?? coreUrl;
  if (terms.namesCore) return src;
  const list = Array.isArray(src) ? src : [src];
  if (list.some((c) => typeof c === 'string' && isCoreContextUrl(c))) return src;
  return [...list, coreUrl];
}

export function contextJson(terms: Terms, coreUrl: string): string {
  return JSON.stringify(responseContext(terms, coreUrl));
}

const TENANT_PARAMS = new Set(['tenant', 'ngsild-tenant', 'fiware-service', 'service']);

/**
 * Rejects unknown query parameters (clause 6.x lists them per operation; typos should not pass
 * silently): the request itself is malformed, InvalidRequest (clause 5.5.2), not its data.
 */
export function checkParams(query: Record<string, string>, allowed: ReadonlySet<string>): void {
  for (const k of Object.keys(query)) {
    if (allowed.has(k)) {
      // local (a boolean in the parameter tables of clause 6): another value would silently be read as false.
      if (k === 'local' && query.local !== 'true' && query.local !== 'false') throw new BadRequestData(`local must be true or false, got "${String(query.local).slice(0, 40)}"`);
      continue;
    }
    // The tenant travels in a header (NGSILD-Tenant), never in the URL; say so to whoever tries (a browser).
    const hint = TENANT_PARAMS.has(k.toLowerCase())
      ? ' The tenant is selected with the NGSILD-Tenant header (e.g. curl -H \'NGSILD-Tenant: herne\' …), not a query parameter.'
      : '';
    throw new InvalidRequest(`Unknown query parameter "${k}" for this operation; allowed: ${[...allowed].join(', ') || 'none'}.${hint}`);
  }
}

export function optionsOf(query: Record<string, string>): Set<string> {
  const out = new Set<string>();
  for (const key of ['options', 'format']) {
    const v = query[key];
    if (v) for (const o of v.split(',')) if (o.trim()) out.add(o.trim());
  }
  return out;
}

export function checkOptions(opts: Set<string>, allowed: readonly string[]): void {
  for (const o of opts) if (!allowed.includes(o)) throw new BadRequestData(`Unknown option "${o}"; allowed: ${allowed.join(', ')}`);
}

export function boolParam(query: Record<string, string>, name: string): boolean {
  const v = query[name];
  if (v === undefined) return false;
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new BadRequestData(`${name} must be true or false, got "${v}"`);
}

export function intParam(query: Record<string, string>, name: string, def: number, min: number, max: number, tooLarge?: (n: number) => Error): number {
  const v = query[name];
  if (v === undefined) return def;
  if (!/^\d+$/.test(v)) throw new BadRequestData(`${name} must be a non-negative integer, got "${v}"`);
  const n = Number(v);
  if (n < min) throw new BadRequestData(`${name} must be at least ${min}`);
  if (n > max) throw tooLarge ? tooLarge(n) : new BadRequestData(`${name} must be at most ${max}`);
  return n;
}

/** Where parseQueryString leaves its complaint; an onRequest hook throws it (parsers cannot). */
export const QUERY_ERROR = Symbol('queryError');

/**
 * Query-string parser: decodes like URLSearchParams (application/x-www-form-urlencoded, so '+' is a
 * space, as Python's requests, browsers and many clients send it; a literal '+' arrives as %2B),
 * refuses repeated parameters and flags malformed escapes.
 */
export function parseQueryString(s: string): Record<string, string> {
  const out: Record<string | symbol, unknown> = {};
  if (!s) return out as Record<string, string>;
  for (const part of s.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const k = eq < 0 ? part : part.slice(0, eq);
    const v = eq < 0 ? '' : part.slice(eq + 1);
    let key: string;
    try {
      key = decodeFormComponent(k);
      if (key in out) { out[QUERY_ERROR] = new InvalidRequest(`Query parameter "${key}" is given more than once`); continue; }
      out[key] = decodeFormComponent(v);
    } catch {
      out[QUERY_ERROR] = new InvalidRequest(`Malformed percent-encoding in query parameter "${k.slice(0, 50)}"`);
    }
  }
  return out as Record<string, string>;
}

function decodeFormComponent(s: string): string {
  return decodeURIComponent(s.includes('+') ? s.replace(/\+/g, ' ') : s);
}

/**
 * JSON bodies: application/json and application/ld+json (clause 6.3.4); application/merge-patch+json
 * is read like application/json everywhere, since FIWARE clients (ngsijs) send it on append too.
 */
export function requireJsonContent(req: FastifyRequest): void {
  const mt = mediaType(req);
  if (mt === 'application/json' || mt === 'application/ld+json' || mt === 'application/merge-patch+json') return;
  throw new UnsupportedMediaType(`Content-Type ${mt || '(none)'} is not supported; use application/json or application/ld+json`);
}
