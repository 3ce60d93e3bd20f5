// Type and attribute discovery (clause 6.25 – 6.28): what entity types and attributes a tenant holds.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { ResourceNotFound } from '../../core/errors.ts';
import { boolParam, checkParams, existingTenant, negotiate, queryTerms, sendData } from '../http/request.ts';
import type { NgsiDeps } from '../entities/entities.routes.ts';
import { checkName } from '../entities/entity.parse.ts';

type Req = FastifyRequest<{ Params: Record<string, string>; Querystring: Record<string, string> }>;

export async function typeRoutes(app: FastifyInstance, deps: NgsiDeps): Promise<void> {
  const { entities, contexts } = deps;
  const reader = () => entities.reader();

  // clause 6.25.3.1 — retrieveAvailableEntityTypes / details
  app.get('/types', async (req: Req, reply) => {
    checkParams(req.query, new Set(['details', 'local']));
    const accept = negotiate(req, false);
    const tenant = await existingTenant(req, (t) => entities.tenantExists(t));
    const terms = await queryTerms(req, contexts);
    // Types the principal may not read are left out (docs/security.md).
    const readable = (c: { type: string }) => !req.access || req.access.mayRead([c.type]);
    if (!boolParam(req.query, 'details')) {
      const counts = (await reader().typeCounts(tenant)).filter(readable);
      return sendData(reply, accept, terms, { id: `urn:ngsi-ld:EntityTypeList:${randomUUID()}`, type: 'EntityTypeList', typeList: counts.map((c) => terms.compactType(c.type)) }, deps.coreContextUrl);
    }
    const rows = await reader().typeAttributes(tenant);
    const counts = (await reader().typeCounts(tenant)).filter(readable);
    const out = counts.map((c) => ({
      id: c.type,
      type: 'EntityType',
      typeName: terms.compactType(c.type),
      attributeNames: rows.filter((r) => r.type === c.type).map((r) => terms.compactAttr(r.attr)).filter((v, i, a) => a.indexOf(v) === i),
    }));
    return sendData(reply, accept, terms, out, deps.coreContextUrl);
  });

  // clause 6.26.3.1 — retrieveEntityTypeInfo
  app.get('/types/:type', async (req: Req, reply) => {
    checkParams(req.query, new Set(['local']));
    const accept = negotiate(req, false);
    const tenant = await existingTenant(req, (t) => entities.tenantExists(t));
    const terms = await queryTerms(req, contexts);
    checkName(req.params.type, 'entity type');
    const iri = terms.expandType(req.params.type);
    const count = (await reader().typeCounts(tenant)).find((c) => c.type === iri && (!req.access || req.access.mayRead([c.type])));
    if (!count) throw new ResourceNotFound(`No entity of type ${req.params.type} exists`);
    const rows = (await reader().typeAttributes(tenant)).filter((r) => r.type === iri);
    const byAttr = new Map<string, Set<string>>();
    for (const r of rows) {
      const s = byAttr.get(r.attr) ?? new Set<string>();
      s.add(r.attrType);
      byAttr.set(r.attr, s);
    }
    return sendData(reply, accept, terms, {
      id: iri,
      type: 'EntityTypeInfo',
      typeName: terms.compactType(iri),
      entityCount: count.entities,
      attributeDetails: [...byAttr].map(([attr, types]) => ({ id: attr, type: 'Attribute', attributeName: terms.compactAttr(attr), attributeTypes: [...types] })),
    }, deps.coreContextUrl);
  });

  async function attributeSummary(tenant: string) {
    const rows = await reader().typeAttributes(tenant);
    const counts = new Map((await reader().attributeCounts(tenant)).map((c) => [c.attr, c.entities]));
    const m = new Map<string, { count: number; types: Set<string>; typeNames: Set<string> }>();
    for (const r of rows) {
      const a = m.get(r.attr) ?? { count: counts.get(r.attr) ?? 0, types: new Set<string>(), typeNames: new Set<string>() };
      a.types.add(r.attrType);
      a.typeNames.add(r.type);
      m.set(r.attr, a);
    }
    return m;
  }

  // clause 6.27.3.1 — retrieveAvailableAttributes / details
  app.get('/attributes', async (req: Req, reply) => {
    checkParams(req.query, new Set(['details', 'local']));
    const accept = negotiate(req, false);
    const tenant = await existingTenant(req, (t) => entities.tenantExists(t));
    const terms = await queryTerms(req, contexts);
    const m = await attributeSummary(tenant);
    if (!boolParam(req.query, 'details')) {
      return sendData(reply, accept, terms, { id: `urn:ngsi-ld:AttributeList:${randomUUID()}`, type: 'AttributeList', attributeList: [...m.keys()].map((a) => terms.compactAttr(a)) }, deps.coreContextUrl);
    }
    return sendData(reply, accept, terms, [...m].map(([attr, a]) => ({
      id: attr, type: 'Attribute', attributeName: terms.compactAttr(attr), attributeCount: a.count,
      attributeTypes: [...a.types], typeNames: [...a.typeNames].map((t) => terms.compactType(t)),
    })), deps.coreContextUrl);
  });

  // clause 6.28.3.1 — retrieveAttributeTypeInfo
  app.get('/attributes/:attrId', async (req: Req, reply) => {
    checkParams(req.query, new Set(['local']));
    const accept = negotiate(req, false);
    const tenant = await existingTenant(req, (t) => entities.tenantExists(t));
    const terms = await queryTerms(req, contexts);
    checkName(req.params.attrId);
    const iri = terms.expandAttr(req.params.attrId);
    const a = (await attributeSummary(tenant)).get(iri);
    if (!a) throw new ResourceNotFound(`No entity has an attribute ${req.params.attrId}`);
    return sendData(reply, accept, terms, {
      id: iri, type: 'Attribute', attributeName: terms.compactAttr(iri), attributeCount: a.count,
      attributeTypes: [...a.types], typeNames: [...a.typeNames].map((t) => terms.compactType(t)),
    }, deps.coreContextUrl);
  });
}
