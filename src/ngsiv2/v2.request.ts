// Per-request plumbing of the NGSIv2 API: Fiware-Service (the tenant), Fiware-ServicePath (the NGSI-LD
// scope), options, paging and query-parameter checks, all answering in Orion's error shape.
import { TENANT_NAME as TENANT } from '../core/tenant.ts';
import type { FastifyRequest } from 'fastify';
import type { ScopeNode } from '../storage/query-ast.ts';
import { V2Error } from './v2.errors.ts';

const SEGMENT = /^[A-Za-z0-9_-]{1,50}$/;

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Fiware-Service → tenant ("" = the default tenant). NGSILD-Tenant is accepted too. */
export function v2Tenant(req: FastifyRequest): string {
  const t = header(req, 'fiware-service') ?? header(req, 'ngsild-tenant');
  if (t === undefined || t === '') return '';
  if (!TENANT.test(t)) throw V2Error.badRequest(`bad character in tenant name: Fiware-Service "${t.slice(0, 70)}" (use 1-64 letters, digits, _ or -)`);
  return t;
}

function checkPath(p: string, allowHash: boolean): string[] {
  if (!p.startsWith('/')) throw V2Error.badRequest(`Only absolute service paths are allowed: "${p.slice(0, 60)}"`);
  if (p === '/') return [];
  const segs = p.slice(1).split('/');
  if (segs.length > 10) throw V2Error.badRequest('too many components in ServicePath (at most 10)');
  segs.forEach((s, i) => {
    if (allowHash && s === '#' && i === segs.length - 1) return;
    if (!SEGMENT.test(s)) throw V2Error.badRequest(`a component of ServicePath contains an illegal character or is longer than 50: "${s.slice(0, 60)}"`);
  });
  return segs;
}

/** For writes: the scope of the entity (undefined for "/" or no header, i.e. no scope). */
export function v2WriteScope(req: FastifyRequest): string | undefined {
  const raw = header(req, 'fiware-servicepath');
  if (raw === undefined || raw.trim() === '' || raw.trim() === '/') return undefined;
  const p = raw.trim();
  if (p.includes(',')) throw V2Error.badRequest('a write names one service path only');
  if (p.endsWith('/#')) throw V2Error.badRequest('a service path with # is only allowed in queries');
  checkPath(p, false);
  return p;
}

/**
 * For queries: a scope filter, or undefined for all entities of the tenant (no header, "/", "/#").
 * Orion's "/" alone would mean "only entities without service path"; NGSI-LD scopeQ cannot express
 * "no scope", so "/" reads the whole tenant here (docs/ngsiv2.md#service-paths).
 */
export function v2ReadScope(req: FastifyRequest): ScopeNode | undefined {
  const raw = header(req, 'fiware-servicepath');
  if (raw === undefined) return undefined;
  const paths = raw.split(',').map((s) => s.trim()).filter(Boolean);
  if (paths.length > 10) throw V2Error.badRequest('too many service paths (at most 10)');
  const items: ScopeNode[] = [];
  for (const p of paths) {
    const segs = checkPath(p, true);
    if (segs.length === 0 || (segs.length === 1 && segs[0] === '#')) return undefined;
    items.push({ kind: 'scope', segments: segs });
  }
  if (items.length === 0) return undefined;
  return items.length === 1 ? items[0] : { kind: 'or', items };
}

export function v2Options(q: Record<string, string>, allowed: readonly string[]): Set<string> {
  const out = new Set<string>();
  if (!q.options) return out;
  for (const o of q.options.split(',').map((s) => s.trim()).filter(Boolean)) {
    if (!allowed.includes(o)) throw V2Error.badRequest(`Invalid value for URI param /options/: ${o} (allowed here: ${allowed.join(', ')})`);
    out.add(o);
  }
  return out;
}

export function checkV2Params(q: Record<string, string>, allowed: ReadonlySet<string>, notSupported: ReadonlySet<string> = new Set()): void {
  for (const k of Object.keys(q)) {
    if (notSupported.has(k)) throw V2Error.notSupported(`The URI parameter ${k} is not supported by this broker (docs/ngsiv2.md#not-supported)`);
    if (!allowed.has(k)) throw V2Error.badRequest(`Unknown URI parameter "${k}"; allowed here: ${[...allowed].join(', ') || 'none'}`);
  }
}

export function v2Int(q: Record<string, string>, name: string, def: number, min: number, max: number): number {
  const v = q[name];
  if (v === undefined) return def;
  if (!/^\d+$/.test(v)) throw V2Error.badRequest(`Bad pagination: ${name} must be an integer, got "${v.slice(0, 20)}"`);
  const n = Number(v);
  if (n < min || n > max) throw V2Error.badRequest(`Bad pagination: ${name} must be between ${min} and ${max}`);
  return n;
}

/** A comma-separated list parameter (id, type, attrs, metadata). */
export function v2List(v: string | undefined): string[] | undefined {
  if (v === undefined) return undefined;
  const out = v.split(',').map((s) => s.trim()).filter(Boolean);
  if (out.length === 0) throw V2Error.badRequest('empty list in URI parameter');
  return out;
}

/** Orion takes JSON bodies as application/json only (text/plain for attribute values). */
export function requireJson(req: FastifyRequest): void {
  const mt = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (mt !== 'application/json') throw new V2Error(415, 'UnsupportedMediaType', `not supported content type: ${mt || '(none)'}`);
  if (req.body === undefined) throw V2Error.parseError('Empty payload');
}
