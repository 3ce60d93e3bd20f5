// The HTTP Prefer header (RFC 7240) as NGSI-LD v1.9 uses it: `return=minimal|representation` on
// writes, and `ngsi-ld=<version>` to ask for an answer in an older version of the API (clause
// 6.3.6, with the backward-compatibility fallbacks of clause 4.3.6.8). Preferences the broker does
// not apply are ignored, as RFC 7240 section 2 allows, and not named in Preference-Applied.
import type { FastifyReply, FastifyRequest } from 'fastify';

export interface Preferences {
  return?: 'minimal' | 'representation';
  /** The requested NGSI-LD version as major.minor ("1.8"), when it is one the broker answers. */
  version?: string;
}

/** Versions the broker can answer in: the native one and the one older version it keeps. */
export const NATIVE_VERSION = '1.9';
const ANSWERED = new Set([NATIVE_VERSION, '1.8']);

/** Parses every Prefer header of the request; unknown or malformed preferences are ignored. */
export function preferencesOf(req: FastifyRequest): Preferences {
  const raw = req.headers.prefer;
  const out: Preferences = {};
  if (raw === undefined) return out;
  for (const pref of (Array.isArray(raw) ? raw.join(',') : raw).split(',')) {
    const [token] = pref.split(';');
    const eq = token.indexOf('=');
    if (eq < 0) continue;
    const name = token.slice(0, eq).trim().toLowerCase();
    const value = token.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
    if (name === 'return' && (value === 'minimal' || value === 'representation')) out.return = value;
    else if (name === 'ngsi-ld') {
      const m = /^(\d+)\.(\d+)(?:\.\d+)?$/.exec(value);
      if (m && ANSWERED.has(`${m[1]}.${m[2]}`)) out.version = `${m[1]}.${m[2]}`;
    }
  }
  return out;
}

/** Adds one applied preference to the response's Preference-Applied header. */
export function applied(reply: FastifyReply, pref: string): void {
  const prev = reply.getHeader('preference-applied');
  reply.header('Preference-Applied', prev ? `${String(prev)}, ${pref}` : pref);
}

/** Entity members that are not attributes (an attribute named so is impossible, clause 4.6.2). */
const ENTITY_MEMBERS = new Set(['id', 'type', 'scope', '@context', 'createdAt', 'modifiedAt', 'deletedAt', 'expiresAt']);

/**
 * Amends a response body for a client that asked for v1.8 (clause 4.3.6.8): members introduced
 * in v1.9 are left out (an entity's `expiresAt`, an attribute's `valueType`). Returns whether
 * anything was removed, which makes the answer 203 Non-Authoritative Information.
 */
export function amendFor18(doc: unknown): boolean {
  if (Array.isArray(doc)) {
    let changed = false;
    for (const d of doc) changed = amendFor18(d) || changed;
    return changed;
  }
  if (!doc || typeof doc !== 'object') return false;
  const o = doc as Record<string, unknown>;
  if (o.type === 'FeatureCollection' && Array.isArray(o.features)) return amendFor18(o.features);
  if (o.type === 'Feature' && o.properties && typeof o.properties === 'object') return amendFor18Entity(o.properties as Record<string, unknown>);
  if (typeof o.id !== 'string' || o.type === undefined) return false;
  return amendFor18Entity(o);
}

function amendFor18Entity(o: Record<string, unknown>): boolean {
  let changed = false;
  if ('expiresAt' in o) { delete o.expiresAt; changed = true; }
  for (const [k, v] of Object.entries(o)) {
    if (ENTITY_MEMBERS.has(k)) continue;
    for (const inst of Array.isArray(v) ? v : [v]) {
      if (inst && typeof inst === 'object' && 'valueType' in inst) { delete (inst as Record<string, unknown>).valueType; changed = true; }
    }
  }
  return changed;
}

/**
 * onSend hook of the NGSI-LD API: answers `Prefer: ngsi-ld=<version>`. The native version needs no
 * change; v1.8 re-reads a 200 JSON answer and drops what v1.8 does not know. Callback style (an
 * async onSend defers every send); requests without the preference pay one header lookup.
 */
export function versionPreference(req: FastifyRequest, reply: FastifyReply, payload: unknown, done: (err: Error | null, payload?: unknown) => void): void {
  done(null, req.headers.prefer === undefined ? payload : versioned(req, reply, payload));
}

function versioned(req: FastifyRequest, reply: FastifyReply, payload: unknown): unknown {
  const { version } = preferencesOf(req);
  if (!version) return payload;
  applied(reply, `ngsi-ld=${version}`);
  if (version === NATIVE_VERSION || reply.statusCode !== 200 || typeof payload !== 'string' || payload.length === 0) return payload;
  const ct = String(reply.getHeader('content-type') ?? '');
  if (!/^application\/(ld\+|geo\+)?json/.test(ct)) return payload;
  let doc: unknown;
  try { doc = JSON.parse(payload); } catch { return payload; }
  if (!amendFor18(doc)) return payload;
  reply.status(203);
  return JSON.stringify(doc);
}
