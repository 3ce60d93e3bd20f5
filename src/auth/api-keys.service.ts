// API keys for machines: high-entropy random secrets shown once, stored as SHA-256 hashes, scoped
// (tenants, types, operations), expiring and revocable. Verified keys are cached in memory so a
// request costs one hash and one map lookup; a revocation drops the cache entry at once, on this node
// and (announced over the cluster feed) on the others.
import { TENANT_NAME } from '../core/tenant.ts';
import { createHash, randomBytes } from 'node:crypto';
import { BadRequestData, ResourceNotFound, StorageConflict, AlreadyExists, Unauthorized } from '../core/errors.ts';
import type { Clock } from '../core/clock.ts';
import type { ApiKeyRecord, AuthStore } from '../storage/port.auth.ts';
import { OPS, ROLES, type Principal, type Role } from './access.model.ts';

export interface NewKey {
  name: string;
  roles: string[];
  tenants?: string[];
  types?: string[];
  ops?: string[];
  expiresAt?: string;
}

/** What lists and the admin API show: never the secret, never its hash. */
export type KeyInfo = Omit<ApiKeyRecord, 'hash'>;

export const KEY_PREFIX = 'ds_';

export function hashKey(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function info(k: ApiKeyRecord): KeyInfo {
  const { hash: _hash, ...rest } = k;
  return rest;
}

interface Cached { hash: string; principal?: Principal; rec?: ApiKeyRecord; until: number }

export class ApiKeyService {
  /**
   * Presented key → verified principal (or a known miss). Keyed by the key itself so a hit costs
   * no hashing; the process holds the keys it was sent anyway. Entries expire so that other
   * nodes' revocations arrive too.
   */
  private readonly cache = new Map<string, Cached>();
  /**
   * Counts forgets: a lookup that a forget overtook does not cache what it read, since the read may
   * predate the revocation it was told of.
   */
  private forgets = 0;
  /** Key name → its principal (undefined: revoked or unknown), for judging subscription owners. */
  private readonly byName = new Map<string, { principal?: Principal; until: number }>();
  private loadingNames?: Promise<Map<string, Principal>>;
  /** Fallback for a revocation whose announcement did not reach this node (feed down). */
  static readonly TTL_MS = 30_000;
  private static readonly MISS_TTL_MS = 5_000;
  private static readonly MAX = 50_000;

  /** `announce` tells the other nodes that a key was created or revoked (several nodes); it does not throw. */
  constructor(private readonly store: AuthStore, private readonly clock: Clock, private readonly expandType: (name: string) => string,
    private readonly announce?: (id: string) => Promise<void>) {}

  /** Creates a key; the returned secret is shown once and never stored. */
  async create(k: NewKey, createdBy: string, secret?: string): Promise<{ key: string; info: KeyInfo }> {
    const problems = validate(k);
    if (problems.length) throw new BadRequestData(problems.join('; '));
    const key = secret ?? KEY_PREFIX + randomBytes(32).toString('base64url');
    const rec: ApiKeyRecord = {
      id: randomBytes(9).toString('base64url'),
      name: k.name,
      hash: hashKey(key),
      prefix: key.slice(0, KEY_PREFIX.length + 6),
      roles: k.roles,
      createdAt: this.clock.now().toISOString(),
      createdBy,
    };
    if (k.tenants) rec.tenants = k.tenants;
    if (k.types) rec.types = k.types.map((t) => (t.includes(':') ? t : this.expandType(t)));
    if (k.ops) rec.ops = k.ops;
    if (k.expiresAt) rec.expiresAt = new Date(k.expiresAt).toISOString();
    try {
      await this.store.createKey(rec);
    } catch (e) {
      if (e instanceof StorageConflict) throw new AlreadyExists(`An API key named ${k.name} exists`);
      throw e;
    }
    this.forget(rec.hash);
    // Other nodes may remember this key as unknown (a request sent before it existed): they drop that.
    await this.announce?.(rec.id);
    return { key, info: info(rec) };
  }

  async list(): Promise<KeyInfo[]> {
    return (await this.store.listKeys()).map(info);
  }

  async revoke(id: string): Promise<void> {
    const rec = await this.store.keyById(id);
    if (!rec || rec.revokedAt) throw new ResourceNotFound(`No active API key with id ${id}`);
    await this.store.revokeKey(id, this.clock.now().toISOString());
    this.forget(rec.hash);
    // Awaited, so that the notice is in the feed when the revocation is answered.
    await this.announce?.(id);
  }

  /** Drops every cached entry of a key (revocation takes effect on the next request). */
  private forget(hash: string): void {
    this.forgets++;
    this.byName.clear();
    this.loadingNames = undefined;
    for (const [k, c] of this.cache) if (c.hash === hash) this.cache.delete(k);
  }

  /**
   * Another node created or revoked the key with this id: its cached entries go, and so do the
   * remembered misses (one of them may be the new key); the next request reads the store again.
   */
  forgetId(id: string): void {
    this.forgets++;
    this.byName.clear();
    this.loadingNames = undefined;
    for (const [k, c] of this.cache) if (!c.rec || c.rec.id === id) this.cache.delete(k);
  }

  /**
   * The principal of the active key with this name (a subscription's owner "key:<name>"), or
   * undefined when it was revoked or does not exist. From memory while cached (cleared by every
   * revocation, here or announced by another node; 30 s at most otherwise); expiry is the caller's.
   */
  principalByName(name: string): Principal | undefined | Promise<Principal | undefined> {
    const now = this.clock.now().getTime();
    const hit = this.byName.get(name);
    if (hit && hit.until >= now) return hit.principal;
    const forgets = this.forgets;
    return this.activeKeys().then((active) => {
      const principal = active.get(name);
      // A revocation that overtook the read is not cached over (the next notification reads again).
      if (forgets === this.forgets) {
        if (this.byName.size >= ApiKeyService.MAX) this.byName.clear();
        this.byName.set(name, { principal, until: now + ApiKeyService.TTL_MS });
      }
      return principal;
    });
  }

  /** The active keys by name, read once for every owner asking at the same time (after a revocation, all do). */
  private activeKeys(): Promise<Map<string, Principal>> {
    this.loadingNames ??= this.store.listKeys().then((all) => {
      const out = new Map<string, Principal>();
      for (const rec of all) if (!rec.revokedAt) out.set(rec.name, toPrincipal(rec));
      return out;
    }).finally(() => { this.loadingNames = undefined; });
    return this.loadingNames;
  }

  /** Whether any key exists (bootstrap). */
  async any(): Promise<boolean> {
    return (await this.store.listKeys()).length > 0;
  }

  async byHash(hash: string): Promise<ApiKeyRecord | undefined> {
    return this.store.keyByHash(hash);
  }

  /** The principal a key stands for; 401 when unknown, revoked or expired. */
  async authenticate(secret: string): Promise<Principal> {
    const now = this.clock.now().getTime();
    let c = this.cache.get(secret);
    if (!c || c.until < now) {
      const hash = hashKey(secret);
      const forgets = this.forgets;
      const rec = await this.store.keyByHash(hash);
      c = { hash, rec, principal: rec && !rec.revokedAt ? toPrincipal(rec) : undefined, until: now + (rec ? ApiKeyService.TTL_MS : ApiKeyService.MISS_TTL_MS) };
      if (forgets === this.forgets) {
        if (this.cache.size >= ApiKeyService.MAX) this.cache.delete(this.cache.keys().next().value as string);
        this.cache.set(secret, c);
      }
    }
    const p = c.principal;
    if (!p) throw new Unauthorized(c.rec ? 'This API key has been revoked' : 'Unknown API key');
    if (p.expiresAt !== undefined && p.expiresAt <= now) throw new Unauthorized('This API key has expired');
    return p;
  }
}

function toPrincipal(k: ApiKeyRecord): Principal {
  const p: Principal = {
    id: `key:${k.name}`,
    kind: 'apikey',
    roles: k.roles.map((role) => ({ role: role as Role, tenants: k.tenants })),
  };
  if (k.tenants || k.types || k.ops) p.scope = { tenants: k.tenants, types: k.types, ops: k.ops };
  if (k.expiresAt) p.expiresAt = Date.parse(k.expiresAt);
  return p;
}

function validate(k: NewKey): string[] {
  const out: string[] = [];
  if (!k || typeof k !== 'object') return ['the body must be a JSON object'];
  if (typeof k.name !== 'string' || !/^[A-Za-z0-9_.-]{1,64}$/.test(k.name)) out.push('name: 1-64 letters, digits, _ . or -');
  if (!Array.isArray(k.roles) || k.roles.length === 0 || k.roles.some((r) => !(ROLES as readonly string[]).includes(r) || r === 'anonymous')) {
    out.push(`roles: a non-empty list of ${ROLES.filter((r) => r !== 'anonymous').join(', ')}`);
  }
  if (k.tenants !== undefined && (!Array.isArray(k.tenants) || k.tenants.some((t) => typeof t !== 'string' || (t !== '' && !TENANT_NAME.test(t))))) out.push('tenants: a list of tenant names ("" = default tenant)');
  if (k.types !== undefined && (!Array.isArray(k.types) || k.types.some((t) => typeof t !== 'string' || t.length === 0 || t.length > 1024))) out.push('types: a list of entity type names or IRIs');
  if (k.ops !== undefined && (!Array.isArray(k.ops) || k.ops.some((o) => !OPS.includes(o as never) || o === 'public'))) out.push('ops: a list of read, write, subscriptions, admin');
  if (k.expiresAt !== undefined && (typeof k.expiresAt !== 'string' || Number.isNaN(Date.parse(k.expiresAt)))) out.push('expiresAt: an ISO 8601 date-time');
  return out;
}
