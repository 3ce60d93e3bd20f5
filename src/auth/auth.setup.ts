// Wires the access model into an app: policy (file, then admin API), API keys with the bootstrap
// operator key, OpenID Connect, rate limits, the audit log, the enforcement hook, the admin API.
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Config } from '../config/config.ts';
import type { Clock } from '../core/clock.ts';
import type { AuthStore } from '../storage/port.auth.ts';
import type { ClusterFeed } from '../storage/port.cluster.ts';
import type { EventBus } from '../core/events.ts';
import { AccessPolicy, policyProblems, type Policy } from './access.model.ts';
import { ApiKeyService, hashKey } from './api-keys.service.ts';
import { AuditLog } from './audit.log.ts';
import { installAuth, type SessionAuth } from './auth.hook.ts';
import { OidcVerifier } from './oidc.verifier.ts';
import { RateLimiter } from './rate-limit.ts';
import { adminRoutes } from './admin.routes.ts';
import { PolicyService, POLICY_SETTING } from './policy.service.ts';
import { SubscriptionOwners } from './owner-access.ts';

export interface AuthSetupDeps {
  store: AuthStore;
  clock: Clock;
  log: FastifyBaseLogger;
  /** Expands a short entity type name with the core @context. */
  expandType: (name: string) => string;
  fetchImpl?: typeof fetch;
  /**
   * Several nodes (PostgreSQL): a policy replaced on one node is announced, and read again by the
   * others; a revoked API key is announced, and the others drop it from their caches.
   */
  cluster?: { feed: ClusterFeed; bus: EventBus };
  /** Session cookies of the accounts module, recognised as principals outside the NGSI-LD API. */
  sessions?: SessionAuth;
}

export interface Auth {
  policy: AccessPolicy;
  keys: ApiKeyService;
  /** Reads, replaces and resets the access policy (admin API and administration page). */
  policies: PolicyService;
  /** Judges subscription owners for the notification path (access control on). */
  owners: SubscriptionOwners;
  audit?: AuditLog;
  /** Where the bootstrap operator key was written, when it was created in this start. */
  bootstrapKeyFile?: string;
}

export function loadPolicyFile(file: string | undefined): Policy {
  if (!file) return {};
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`DREHSCHEIBE_POLICY_FILE: cannot read ${file}: ${(e as Error).message}`);
  }
  const problems = policyProblems(doc);
  if (problems.length) throw new Error(`DREHSCHEIBE_POLICY_FILE ${file} is invalid:\n  - ${problems.join('\n  - ')}`);
  return doc as Policy;
}

export async function setupAuth(app: FastifyInstance, config: Readonly<Config>, d: AuthSetupDeps): Promise<Auth> {
  const sec = config.security;
  const filePolicy = loadPolicyFile(sec.policyFile);
  const stored = await d.store.getSetting(POLICY_SETTING);
  const policy = new AccessPolicy((stored as Policy | undefined) ?? filePolicy, d.expandType);
  const cluster = d.cluster;
  // A new or revoked key is announced to the other nodes, which drop it (and remembered misses) from
  // their caches at once; a lost announcement leaves them the cache lifetimes as the bound.
  const announceKey = cluster ? (id: string) => cluster.feed.publish([{ kind: 'apikey', id }])
    .catch((err) => d.log.warn({ err, key: id }, `API key change could not be announced to the other nodes; they may keep their cached view for up to ${ApiKeyService.TTL_MS / 1000} s`)) : undefined;
  const keys = new ApiKeyService(d.store, d.clock, d.expandType, announceKey);
  cluster?.bus.on('cluster.apikey', (id) => keys.forgetId(id));
  let audit: AuditLog | undefined;
  if (sec.audit.enabled) {
    audit = new AuditLog(d.store, d.clock, {
      flushMs: sec.audit.flushMs, retentionDays: sec.audit.retentionDays, pruneIntervalMs: 3_600_000,
      onError: (err) => d.log.error({ err }, 'audit log write failed'),
    });
    audit.start();
    app.addHook('onClose', async () => { await audit!.stop(); });
  }
  const oidc = sec.oidc ? new OidcVerifier(sec.oidc, d.clock, d.fetchImpl) : undefined;
  installAuth(app, {
    enabled: config.auth === 'on',
    policy, keys, oidc, audit, sessions: d.sessions,
    limiter: sec.rateLimit.enabled ? new RateLimiter(sec.rateLimit.scope === 'cluster' && cluster ? () => cluster.feed.liveNodes().length : undefined) : undefined,
    limits: { address: sec.rateLimit.address, principal: sec.rateLimit.principal },
    clock: d.clock,
  });
  const announce = cluster ? () => { cluster.feed.publish([{ kind: 'policy' }]).catch((err) => d.log.warn({ err }, 'policy change could not be announced to the other nodes')); } : undefined;
  cluster?.bus.on('cluster.policy', () => {
    d.store.getSetting(POLICY_SETTING).then(
      (doc) => policy.replace((doc as Policy | undefined) ?? filePolicy),
      (err) => d.log.error({ err }, 'the policy changed on another node could not be read; this node keeps the previous one'),
    );
  });
  const policies = new PolicyService(d.store, policy, filePolicy, announce);
  await app.register((admin, _o, done) => { void adminRoutes(admin, { keys, audit, store: d.store, policies }).then(() => done(), done); }, { prefix: '/admin' });
  const out: Auth = { policy, keys, policies, audit, owners: new SubscriptionOwners(policy, keys, oidc, d.clock) };
  if (config.auth === 'on') out.bootstrapKeyFile = await bootstrapKey(keys, config, d.log);
  return out;
}

/**
 * A fresh installation needs one operator key to create the others: DREHSCHEIBE_ADMIN_KEY(_FILE)
 * if given; otherwise, when no key exists, a random one written once to <data dir>/admin-key (0600).
 */
async function bootstrapKey(keys: ApiKeyService, config: Readonly<Config>, log: FastifyBaseLogger): Promise<string | undefined> {
  const given = config.security.adminKey;
  if (given) {
    const rec = await keys.byHash(hashKey(given));
    if (rec?.revokedAt) log.warn('DREHSCHEIBE_ADMIN_KEY names a revoked key; it is not accepted');
    if (!rec) {
      const names = new Set((await keys.list()).map((k) => k.name));
      let name = 'admin';
      for (let i = 2; names.has(name); i++) name = `admin-${i}`;
      await keys.create({ name, roles: ['operator'] }, 'bootstrap', given);
      log.info({ name }, 'operator API key from DREHSCHEIBE_ADMIN_KEY registered');
    }
    return undefined;
  }
  if (await keys.any()) return undefined;
  const { key } = await keys.create({ name: 'admin', roles: ['operator'] }, 'bootstrap');
  const file = join(config.dataDir, 'admin-key');
  mkdirSync(config.dataDir, { recursive: true });
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  log.warn({ file }, 'created the first operator API key; it is in this file (readable only by this user): send it as the X-API-Key header, create further keys with POST /admin/api-keys, then delete the file');
  return file;
}
