// The IoT Agent provisioning API (/iot/services, /iot/devices, /iot/about) with the same paths and
// bodies as FIWARE's IoT Agents; fiware-service/fiware-servicepath select the tenant and path.
// Provisioning is a write in the tenant (stewards connect their department's sensors); the agent's
// about and the ingest metrics of all tenants (GET /iot/metrics) are for operators.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BadRequestData, Forbidden } from '../../core/errors.ts';
import { publicDevice, publicGroup, type DeviceRegistry } from '../registry/registry.service.ts';
import type { IngestPipeline } from '../mapping/ingest.pipeline.ts';
import { servicePathOf, tenantOf } from './ingest.http.ts';

type Req = FastifyRequest<{ Querystring: Record<string, string>; Params: { id: string } }>;
const admin = { access: { op: 'admin' as const } };
const write = { access: { op: 'write' as const } };

/**
 * Access control decided on the tenant named by NGSILD-Tenant (else fiware-service); provisioning
 * works on fiware-service, so the two must not differ. Measurements of provisioned devices are
 * written for the device, not checked per entity type, so a credential limited to some entity
 * types may not provision.
 */
function checkProvisioner(req: FastifyRequest): void {
  const ld = req.headers['ngsild-tenant'];
  const fs = req.headers['fiware-service'];
  if (ld !== undefined && fs !== undefined && String(ld) !== String(fs)) {
    throw new BadRequestData(`NGSILD-Tenant "${String(ld).slice(0, 70)}" and fiware-service "${String(fs).slice(0, 70)}" differ; send fiware-service only`);
  }
  if (req.access) throw new Forbidden(`${req.access.who} may write only some entity types in this tenant; provisioning devices needs write access to every type of the tenant`);
}

function list(body: unknown, member: string): unknown[] {
  const l = body && typeof body === 'object' ? (body as Record<string, unknown>)[member] : undefined;
  if (!Array.isArray(l) || l.length === 0) throw new BadRequestData(`The body must be {"${member}": [ ... ]} with at least one entry`);
  if (l.length > 1000) throw new BadRequestData(`At most 1000 ${member} per request`);
  return l;
}
function page(q: Record<string, string>): { limit: number; offset: number } {
  const limit = q.limit === undefined ? 20 : Number(q.limit);
  const offset = q.offset === undefined ? 0 : Number(q.offset);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new BadRequestData('limit must be an integer between 1 and 1000');
  if (!Number.isInteger(offset) || offset < 0) throw new BadRequestData('offset must be a non-negative integer');
  return { limit, offset };
}
function keyParams(q: Record<string, string>): { apikey: string; resource: string } {
  if (!q.apikey) throw new BadRequestData('The query parameter apikey is required');
  return { apikey: q.apikey, resource: q.resource || '/iot/json' };
}

export async function provisioningRoutes(app: FastifyInstance, registry: DeviceRegistry, pipeline: IngestPipeline, about: { version: string; port: number }): Promise<void> {
  app.addHook('preHandler', async (req) => {
    if (req.routeOptions.config?.access?.op === 'write') checkProvisioner(req);
  });
  app.get('/iot/about', { config: admin }, async () => ({ libVersion: 'drehscheibe', port: String(about.port), baseRoot: '/', version: about.version }));

  app.post('/iot/services', { config: write }, async (req: Req, reply) => {
    await registry.createGroups(tenantOf(req), servicePathOf(req)!, list(req.body, 'services'));
    return reply.status(201).send();
  });
  app.get('/iot/services', { config: write }, async (req: Req) => {
    const all = registry.listGroups(tenantOf(req), servicePathOf(req, true), { apikey: req.query.apikey, resource: req.query.resource });
    const p = page(req.query);
    return { count: all.length, services: all.slice(p.offset, p.offset + p.limit).map(publicGroup) };
  });
  app.put('/iot/services', { config: write }, async (req: Req, reply) => {
    const { apikey, resource } = keyParams(req.query);
    if (!req.body || typeof req.body !== 'object' || Array.isArray(req.body)) throw new BadRequestData('The body must be a JSON object with the fields to change');
    await registry.updateGroup(tenantOf(req), servicePathOf(req)!, apikey, resource, req.body as Record<string, unknown>);
    return reply.status(204).send();
  });
  app.delete('/iot/services', { config: write }, async (req: Req, reply) => {
    const { apikey, resource } = keyParams(req.query);
    await registry.deleteGroup(tenantOf(req), servicePathOf(req)!, apikey, resource);
    return reply.status(204).send();
  });

  app.post('/iot/devices', { config: write }, async (req: Req, reply) => {
    await registry.createDevices(tenantOf(req), servicePathOf(req)!, list(req.body, 'devices'));
    return reply.status(201).send();
  });
  app.get('/iot/devices', { config: write }, async (req: Req) => {
    const all = registry.listDevices(tenantOf(req), servicePathOf(req, true));
    const p = page(req.query);
    return {
      count: all.length,
      devices: all.slice(p.offset, p.offset + p.limit).map((d) => deviceView(registry, pipeline, d.tenant, d.servicePath, d.deviceId)),
    };
  });
  app.get('/iot/devices/:id', { config: write }, async (req: Req) => {
    const tenant = tenantOf(req);
    return deviceView(registry, pipeline, tenant, servicePathOf(req)!, req.params.id);
  });
  app.put('/iot/devices/:id', { config: write }, async (req: Req, reply) => {
    if (!req.body || typeof req.body !== 'object' || Array.isArray(req.body)) throw new BadRequestData('The body must be a JSON object with the fields to change');
    await registry.updateDevice(tenantOf(req), servicePathOf(req)!, req.params.id, req.body as Record<string, unknown>);
    return reply.status(204).send();
  });
  app.delete('/iot/devices/:id', { config: write }, async (req: Req, reply) => {
    await registry.deleteDevice(tenantOf(req), servicePathOf(req)!, req.params.id);
    return reply.status(204).send();
  });

  // Ingest metrics: all tenants, or the one named by fiware-service when the header is given.
  app.get('/iot/metrics', { config: admin }, async (req: Req) => {
    const header = req.headers['fiware-service'] !== undefined;
    return pipeline.stats.snapshot(pipeline.queued, header ? { tenant: tenantOf(req) } : undefined);
  });
}

function deviceView(registry: DeviceRegistry, pipeline: IngestPipeline, tenant: string, path: string, id: string): Record<string, unknown> {
  const d = registry.device(tenant, path, id);
  const stats = pipeline.stats.deviceSnapshot(tenant, path, id);
  const view = publicDevice(d.rec, { entity_name: d.resolved.entityId, entity_type: d.entityType });
  view.ingest = stats
    ? { received: stats.received, accepted: stats.accepted, rejected: stats.rejected, rejectedBy: stats.rejectedBy, lastSeen: stats.lastSeen, lastRejection: stats.lastRejection, silent: stats.silent }
    : { received: 0, accepted: 0, rejected: 0, rejectedBy: {}, silent: false };
  return view;
}
