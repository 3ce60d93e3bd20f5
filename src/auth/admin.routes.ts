// The administration API (operators only): API keys, the audit log, the access policy (PolicyService).
// Errors are application/problem+json with Drehscheibe's or ETSI's type URIs.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BadRequestData } from '../core/errors.ts';
import type { AuthStore } from '../storage/port.auth.ts';
import type { ApiKeyService, NewKey } from './api-keys.service.ts';
import type { AuditLog } from './audit.log.ts';
import type { PolicyService } from './policy.service.ts';
import { problemJson } from '../core/http.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The resource an administrative action created or changed, for the audit log. */
    auditTarget?: string;
  }
}

export interface AdminDeps {
  keys: ApiKeyService;
  audit?: AuditLog;
  store: AuthStore;
  policies: PolicyService;
}

export { POLICY_SETTING } from './policy.service.ts';

export { problemJson };

function str(q: Record<string, string>, name: string): string | undefined {
  const v = q[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export async function adminRoutes(app: FastifyInstance, d: AdminDeps): Promise<void> {
  app.setErrorHandler(problemJson);
  const admin = { config: { access: { op: 'admin' as const } } };

  app.post('/api-keys', admin, async (req, reply) => {
    const body = req.body as NewKey & { expiresIn?: number };
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw new BadRequestData('The body must be a JSON object: { name, roles, tenants?, types?, ops?, expiresAt? }');
    const { key, info } = await d.keys.create(body, req.principal?.id ?? 'auth-off');
    req.auditTarget = info.id;
    return reply.status(201).header('Location', `/admin/api-keys/${info.id}`).type('application/json').send({ ...info, key });
  });

  app.get('/api-keys', admin, async () => d.keys.list());

  app.delete('/api-keys/:id', admin, async (req: FastifyRequest<{ Params: { id: string } }>, reply) => {
    await d.keys.revoke(req.params.id);
    return reply.status(204).send();
  });

  app.get('/audit', admin, async (req: FastifyRequest<{ Querystring: Record<string, string> }>) => {
    const q = req.query;
    const known = new Set(['since', 'until', 'principal', 'tenant', 'action', 'limit', 'offset']);
    for (const k of Object.keys(q)) if (!known.has(k)) throw new BadRequestData(`Unknown parameter ${k}; known: ${[...known].join(', ')}`);
    const limit = q.limit === undefined ? 100 : Number(q.limit);
    const offset = q.offset === undefined ? 0 : Number(q.offset);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new BadRequestData('limit: an integer from 1 to 1000');
    if (!Number.isInteger(offset) || offset < 0) throw new BadRequestData('offset: a non-negative integer');
    for (const t of ['since', 'until'] as const) if (q[t] !== undefined && Number.isNaN(Date.parse(q[t]))) throw new BadRequestData(`${t}: an ISO 8601 date-time`);
    await d.audit?.flush();
    return d.store.queryAudit({
      since: q.since && new Date(q.since).toISOString(), until: q.until && new Date(q.until).toISOString(),
      principal: str(q, 'principal'), tenant: q.tenant, action: str(q, 'action'), limit, offset,
    });
  });

  app.get('/policy', admin, async () => {
    const { source, policy, defaults } = await d.policies.view();
    return { source, policy, defaults };
  });

  app.put('/policy', admin, async (req, reply) => {
    await d.policies.replace(req.body);
    return reply.status(204).send();
  });

  app.delete('/policy', admin, async (_req, reply) => {
    await d.policies.reset();
    return reply.status(204).send();
  });
}
