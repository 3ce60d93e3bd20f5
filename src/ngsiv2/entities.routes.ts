// NGSIv2 entity operations (Orion's /v2/entities, /v2/entities/{id}/attrs[/{attr}[/value]], /v2/types):
// one handler per operation, each a translation onto the NGSI-LD EntityService (the one write path).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AttrInstance, EntityRecord } from '../storage/port.ts';
import type { EntityService } from '../ngsi-ld/entities/entities.service.ts';
import type { Terms } from '../ngsi-ld/context/term-map.ts';
import { scopeMatches } from '../storage/query-ast.ts';
import { V2Error } from './v2.errors.ts';
import { attrFromV2, attrsFromV2, attrToV2, checkV2Id, entityBody, entityFromV2, entityToV2, typeName, type V2Format } from './v2.mapping.ts';
import { v2Filter } from './v2.query.ts';
import { V2Views } from './v2.views.ts';
import { checkV2Params, requireJson, v2Int, v2List, v2Options, v2ReadScope, v2Tenant, v2WriteScope } from './v2.request.ts';

export interface V2Deps {
  entities: EntityService;
  /** The "default v2 context": the NGSI-LD core @context. */
  terms: Terms;
  maxLimit: number;
}

export type Req = FastifyRequest<{ Params: Record<string, string>; Querystring: Record<string, string>; Body: unknown }>;

export const READ = { config: { access: { op: 'read' as const } } };
export const WRITE = { config: { access: { op: 'write' as const } } };

const LIST_PARAMS = new Set(['id', 'type', 'idPattern', 'q', 'mq', 'attrs', 'metadata', 'options', 'limit', 'offset', 'georel', 'geometry', 'coords']);
const LIST_UNSUPPORTED = new Set(['typePattern', 'orderBy']);
const READ_OPTIONS = ['keyValues', 'values', 'unique', 'count', 'sysAttrs'];

export function formatOf(opts: Set<string>): V2Format {
  const f = (['keyValues', 'values', 'unique'] as const).filter((o) => opts.has(o));
  if (f.length > 1) throw V2Error.badRequest('options may name only one of keyValues, values, unique');
  return f[0] ?? 'normalized';
}

function renderOpts(q: Record<string, string>, opts: Set<string>) {
  const attrs = v2List(q.attrs);
  const metadata = v2List(q.metadata);
  // options=sysAttrs (Orion 4) = attrs=*,dateCreated,dateModified.
  return { attrs: opts.has('sysAttrs') ? [...(attrs ?? ['*']), 'dateCreated', 'dateModified'] : attrs, metadata };
}

/** Answer of a query: the list, Fiware-Total-Count with options=count. */
export function sendList(reply: FastifyReply, list: unknown[], count: number | undefined): FastifyReply {
  if (count !== undefined) reply.header('Fiware-Total-Count', String(count));
  return reply.type('application/json').send(list);
}

function unique(list: unknown[]): unknown[] {
  const seen = new Set<string>();
  return list.filter((x) => { const k = JSON.stringify(x); if (seen.has(k)) return false; seen.add(k); return true; });
}

export async function v2EntityRoutes(app: FastifyInstance, deps: V2Deps): Promise<void> {
  const { entities, terms } = deps;
  const reader = () => entities.reader();
  const views = new V2Views(reader);

  /** The entity of /v2/entities/{id}[?type=…], visible to the caller in its service path, or 404 (read-only: from the cache). */
  async function found(req: Req, cached?: EntityRecord): Promise<EntityRecord> {
    const id = checkV2Id(req.params.entityId, 'entity id');
    const tenant = v2Tenant(req);
    const e = cached ?? await views.get(tenant, id);
    if (!e) throw V2Error.notFound();
    if (req.query.type !== undefined && !e.types.includes(terms.expandType(req.query.type))) throw V2Error.notFound();
    const scope = v2ReadScope(req);
    if (scope && !scopeMatches(scope, e.scopes ?? [])) throw V2Error.notFound();
    if (req.access && !req.access.mayRead(e.types)) throw new V2Error(403, 'Forbidden', `${req.access.who} may not read entities of type ${typeName(e, terms)}`);
    return e;
  }
  const writer = (req: Req) => entities.withAccess(req.access);

  // List entities (GET /v2/entities)
  app.get('/entities', READ, async (req: Req, reply) => {
    const q = req.query;
    checkV2Params(q, LIST_PARAMS, LIST_UNSUPPORTED);
    const opts = v2Options(q, READ_OPTIONS);
    const format = formatOf(opts);
    const limit = v2Int(q, 'limit', 20, 1, deps.maxLimit);
    const offset = v2Int(q, 'offset', 0, 0, Number.MAX_SAFE_INTEGER);
    if (q.id !== undefined && q.idPattern !== undefined) throw V2Error.badRequest('Incompatible parameters: id, idPattern');
    const filter = v2Filter({ ids: v2List(q.id)?.map((x) => checkV2Id(x, 'id')), idPattern: q.idPattern, types: v2List(q.type), q: q.q, mq: q.mq, georel: q.georel, geometry: q.geometry, coords: q.coords, scope: v2ReadScope(req) }, terms, req.access);
    const res = await entities.query(v2Tenant(req), filter, { limit, offset, count: opts.has('count') });
    const ro = renderOpts(q, opts);
    let list = res.entities.map((e) => entityToV2(e, terms, format, ro));
    if (format === 'unique') list = unique(list);
    return sendList(reply, list, opts.has('count') ? res.count ?? 0 : undefined);
  });

  // Create entity (POST /v2/entities[?options=keyValues,upsert])
  app.post('/entities', WRITE, async (req: Req, reply) => {
    checkV2Params(req.query, new Set(['options']));
    const opts = v2Options(req.query, ['keyValues', 'upsert']);
    requireJson(req);
    const tenant = v2Tenant(req);
    const rec = entityFromV2(entityBody(req.body), terms, entities.now(), opts.has('keyValues'), v2WriteScope(req));
    const location = `/v2/entities/${encodeURIComponent(rec.id)}?type=${encodeURIComponent(typeName(rec, terms))}`;
    if (opts.has('upsert')) {
      // Orion answers an upsert with 204 whether it created the entity or not (fiware-orion#3821); the
      // IoT Agents take only 204 as success.
      const r = await writer(req).batchUpsert(tenant, [{ id: rec.id, entity: rec }], 'update');
      if (r.errors.length) throw r.errors[0].error;
      return reply.status(204).send();
    } else {
      await writer(req).create(tenant, rec);
    }
    return reply.status(201).header('Location', location).send();
  });

  // Retrieve entity (GET /v2/entities/{id})
  app.get('/entities/:entityId', READ, async (req: Req, reply) => {
    checkV2Params(req.query, new Set(['type', 'attrs', 'metadata', 'options']));
    const opts = v2Options(req.query, ['keyValues', 'values', 'unique', 'sysAttrs']);
    if (opts.size === 0 && req.query.attrs === undefined && req.query.metadata === undefined) {
      // The common case, normalized with every attribute: rendered once per entity version.
      const v = await views.rendered(v2Tenant(req), checkV2Id(req.params.entityId, 'entity id'), (e) => JSON.stringify(entityToV2(e, terms, 'normalized')));
      if (!v) throw V2Error.notFound();
      await found(req, v.rec);
      return reply.type('application/json').send(v.text);
    }
    const e = await found(req);
    return reply.type('application/json').send(entityToV2(e, terms, formatOf(opts), renderOpts(req.query, opts)));
  });

  // Remove entity (DELETE /v2/entities/{id})
  app.delete('/entities/:entityId', WRITE, async (req: Req, reply) => {
    checkV2Params(req.query, new Set(['type']));
    const e = await found(req);
    await writer(req).delete(v2Tenant(req), e.id);
    return reply.status(204).send();
  });

  // Retrieve entity attributes (GET /v2/entities/{id}/attrs)
  app.get('/entities/:entityId/attrs', READ, async (req: Req, reply) => {
    checkV2Params(req.query, new Set(['type', 'attrs', 'metadata', 'options']));
    const opts = v2Options(req.query, ['keyValues', 'values', 'unique', 'sysAttrs']);
    const e = await found(req);
    const out = entityToV2(e, terms, formatOf(opts), renderOpts(req.query, opts));
    if (!Array.isArray(out)) { delete (out as Record<string, unknown>).id; delete (out as Record<string, unknown>).type; }
    return reply.type('application/json').send(out);
  });

  // Replace all entity attributes (PUT /v2/entities/{id}/attrs)
  app.put('/entities/:entityId/attrs', WRITE, async (req: Req, reply) => {
    checkV2Params(req.query, new Set(['type', 'options']));
    const opts = v2Options(req.query, ['keyValues']);
    requireJson(req);
    const body = entityBody(req.body);
    const e = await found(req);
    const now = entities.now();
    const next: EntityRecord = { id: e.id, types: e.types, createdAt: e.createdAt, modifiedAt: now, attrs: attrsFromV2(body, terms, now, opts.has('keyValues')) };
    if (e.scopes) next.scopes = e.scopes;
    await writer(req).replace(v2Tenant(req), next);
    return reply.status(204).send();
  });

  // Update or append entity attributes (POST /v2/entities/{id}/attrs[?options=append])
  app.post('/entities/:entityId/attrs', WRITE, async (req: Req, reply) => {
    checkV2Params(req.query, new Set(['type', 'options']));
    const opts = v2Options(req.query, ['keyValues', 'append']);
    requireJson(req);
    const body = entityBody(req.body);
    const e = await found(req);
    const attrs = attrsFromV2(body, terms, entities.now(), opts.has('keyValues'));
    if (Object.keys(attrs).length === 0) throw V2Error.badRequest('empty payload: no attribute to append or update');
    const r = await writer(req).appendAttrs(v2Tenant(req), e.id, attrs, opts.has('append'), (i) => terms.compactAttr(i));
    if (r.notUpdated.length) throw V2Error.unprocessable(`one or more of the attributes in the request already exist: [ ${r.notUpdated.map((n) => n.attributeName).join(', ')} ]`);
    return reply.status(204).send();
  });

  // Update existing entity attributes (PATCH /v2/entities/{id}/attrs)
  app.patch('/entities/:entityId/attrs', WRITE, async (req: Req, reply) => {
    checkV2Params(req.query, new Set(['type', 'options']));
    const opts = v2Options(req.query, ['keyValues']);
    requireJson(req);
    const body = entityBody(req.body);
    const e = await found(req);
    const attrs = attrsFromV2(body, terms, entities.now(), opts.has('keyValues'));
    if (Object.keys(attrs).length === 0) throw V2Error.badRequest('empty payload: no attribute to update');
    const r = await writer(req).updateAttrs(v2Tenant(req), e.id, attrs, (i) => terms.compactAttr(i));
    if (r.notUpdated.length) {
      const names = r.notUpdated.map((n) => n.attributeName).join(', ');
      if (r.updated.length === 0) throw V2Error.unprocessable(`do not exist: ${e.id} - [ ${names} ]`);
      throw new V2Error(422, 'PartialUpdate', `do not exist: ${e.id} - [ ${names} ]`);
    }
    return reply.status(204).send();
  });

  /** The entity and the stored default instance of /attrs/{attrName}, or 404. */
  async function attrOf(req: Req): Promise<{ e: EntityRecord; iri: string; inst: AttrInstance }> {
    const e = await found(req);
    const iri = terms.expandAttr(req.params.attrName);
    const insts = e.attrs[iri];
    const inst = insts && (insts.find((i) => i.datasetId === undefined) ?? insts[0]);
    if (!inst) throw V2Error.notFound('The entity does not have such an attribute');
    return { e, iri, inst };
  }

  // Get attribute data (GET /v2/entities/{id}/attrs/{attrName})
  app.get('/entities/:entityId/attrs/:attrName', READ, async (req: Req, reply) => {
    checkV2Params(req.query, new Set(['type', 'metadata']));
    const { inst } = await attrOf(req);
    return reply.type('application/json').send(attrToV2(inst, terms, { metadata: v2List(req.query.metadata) }));
  });

  // Update attribute data (PUT /v2/entities/{id}/attrs/{attrName})
  app.put('/entities/:entityId/attrs/:attrName', WRITE, async (req: Req, reply) => {
    checkV2Params(req.query, new Set(['type']));
    requireJson(req);
    const { e, iri } = await attrOf(req);
    const inst = attrFromV2(req.params.attrName, req.body, terms, entities.now(), false);
    await writer(req).replaceAttr(v2Tenant(req), e.id, iri, inst, req.params.attrName);
    return reply.status(204).send();
  });

  // Remove a single attribute (DELETE /v2/entities/{id}/attrs/{attrName})
  app.delete('/entities/:entityId/attrs/:attrName', WRITE, async (req: Req, reply) => {
    checkV2Params(req.query, new Set(['type']));
    const { e, iri } = await attrOf(req);
    await writer(req).deleteAttr(v2Tenant(req), e.id, iri, req.params.attrName, undefined, true);
    return reply.status(204).send();
  });

  // Get attribute value (GET /v2/entities/{id}/attrs/{attrName}/value)
  app.get('/entities/:entityId/attrs/:attrName/value', READ, async (req: Req, reply) => {
    checkV2Params(req.query, new Set(['type']));
    const { inst } = await attrOf(req);
    const v = attrToV2(inst, terms).value;
    const accept = String(req.headers.accept ?? '*/*');
    if (v !== null && typeof v === 'object') {
      if (!/application\/json|\*\/\*|application\/\*/.test(accept)) throw new V2Error(406, 'NotAcceptable', 'accepted MIME types: application/json');
      return reply.type('application/json').send(v);
    }
    // Orion: a value that is not an object or array is sent as text/plain (strings with their quotes).
    if (!/text\/plain|\*\/\*|text\/\*/.test(accept)) throw new V2Error(406, 'NotAcceptable', 'accepted MIME types: text/plain');
    return reply.type('text/plain').send(JSON.stringify(v));
  });

  // Update attribute value (PUT /v2/entities/{id}/attrs/{attrName}/value)
  app.put('/entities/:entityId/attrs/:attrName/value', WRITE, async (req: Req, reply) => {
    checkV2Params(req.query, new Set(['type']));
    const mt = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    let value: unknown;
    if (mt === 'application/json') {
      // Orion wants objects and arrays here and other values as text/plain; clients (ngsijs) send any JSON value.
      value = req.body;
      if (value === undefined) throw V2Error.parseError('Empty payload');
    } else if (mt === 'text/plain') {
      const text = String(req.body ?? '').trim();
      try { value = JSON.parse(text); } catch { value = text; }
    } else throw new V2Error(415, 'UnsupportedMediaType', `not supported content type: ${mt || '(none)'}`);
    const { e, iri, inst } = await attrOf(req);
    const next: AttrInstance = { ...inst, modifiedAt: entities.now() };
    if (inst.type === 'Relationship') {
      if (typeof value !== 'string') throw V2Error.badRequest('the value of a Relationship must be an entity id');
      next.object = value;
    } else if (inst.type === 'GeoProperty') {
      next.value = attrFromV2(req.params.attrName, { type: 'geo:json', value }, terms, entities.now(), false).value;
    } else {
      next.type = 'Property'; next.value = value;
    }
    await writer(req).replaceAttr(v2Tenant(req), e.id, iri, next, req.params.attrName);
    return reply.status(204).send();
  });

  // Types (GET /v2/types, GET /v2/types/{type})
  async function typeInfo(tenant: string): Promise<Map<string, { attrs: Record<string, { types: string[] }>; count: number }>> {
    const [counts, rows] = await Promise.all([reader().typeCounts(tenant), reader().typeAttributes(tenant)]);
    const out = new Map<string, { attrs: Record<string, { types: string[] }>; count: number }>();
    for (const c of counts) out.set(terms.compactType(c.type), { attrs: {}, count: c.entities });
    const v2Type = (t: string) => (t === 'GeoProperty' ? 'geo:json' : t === 'Relationship' ? 'Relationship' : 'Property');
    for (const r of rows) {
      const t = out.get(terms.compactType(r.type));
      if (!t) continue;
      const a = (t.attrs[terms.compactAttr(r.attr)] ??= { types: [] });
      if (!a.types.includes(v2Type(r.attrType))) a.types.push(v2Type(r.attrType));
    }
    return out;
  }

  app.get('/types', READ, async (req: Req, reply) => {
    checkV2Params(req.query, new Set(['options', 'limit', 'offset']));
    const opts = v2Options(req.query, ['count', 'values', 'noAttrDetail']);
    const limit = v2Int(req.query, 'limit', 20, 1, deps.maxLimit);
    const offset = v2Int(req.query, 'offset', 0, 0, Number.MAX_SAFE_INTEGER);
    const info = [...(await typeInfo(v2Tenant(req))).entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const page = info.slice(offset, offset + limit);
    const list = opts.has('values') ? page.map(([t]) => t) : page.map(([type, i]) => ({ type, attrs: opts.has('noAttrDetail') ? Object.fromEntries(Object.keys(i.attrs).map((a) => [a, {}])) : i.attrs, count: i.count }));
    return sendList(reply, list, opts.has('count') ? info.length : undefined);
  });

  app.get('/types/:typeName', READ, async (req: Req, reply) => {
    checkV2Params(req.query, new Set(['options']));
    v2Options(req.query, ['noAttrDetail']);
    const i = (await typeInfo(v2Tenant(req))).get(req.params.typeName);
    if (!i) throw V2Error.notFound('Entity type not found');
    return reply.type('application/json').send({ attrs: i.attrs, count: i.count });
  });
}
