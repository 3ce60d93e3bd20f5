// The tenants in the administration API (operators only): list, create, what one holds, delete.
// Errors are application/problem+json; writes are audit-logged with the target tenant:<name>.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BadRequestData } from '../core/errors.ts';
import { problemJson } from '../core/http.ts';
import type { TenantService } from './tenants.service.ts';

type TenantReq = FastifyRequest<{ Params: { tenant: string }; Querystring: Record<string, string> }>;

export async function tenantRoutes(app: FastifyInstance, d: { service: TenantService }): Promise<void> {
  app.setErrorHandler(problemJson);
  const admin = { config: { access: { op: 'admin' as const } } };

  app.get('/tenants', admin, async () => Promise.all((await d.service.names()).filter((n) => n !== '').map((n) => d.service.contents(n))));

  app.post('/tenants', admin, async (req, reply) => {
    const body = req.body as { name?: unknown } | undefined;
    if (!body || typeof body !== 'object' || Array.isArray(body) || typeof body.name !== 'string') throw new BadRequestData('The body must be a JSON object: { name }');
    req.auditTarget = `tenant:${body.name.slice(0, 64)}`;
    const created = await d.service.create(body.name);
    return reply.status(201).header('Location', `/admin/tenants/${encodeURIComponent(created.name)}`).type('application/json').send(created);
  });

  app.get('/tenants/:tenant', admin, async (req: TenantReq) => d.service.contents(req.params.tenant));

  app.delete('/tenants/:tenant', admin, async (req: TenantReq) => {
    for (const k of Object.keys(req.query)) if (k !== 'confirm') throw new BadRequestData(`Unknown parameter ${k}; known: confirm`);
    req.auditTarget = `tenant:${req.params.tenant.slice(0, 64)}`;
    return d.service.delete(req.params.tenant, req.query.confirm);
  });
}
