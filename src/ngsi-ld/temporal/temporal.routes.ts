// HTTP binding of the temporal API (clause 6.18 – 6.22, 6.24): one handler per operation, plus
// the CSV export of an attribute's history for the portal and the catalogue.
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config/config.ts';
import type { Clock } from '../../core/clock.ts';
import { BadRequestData, Forbidden, TooManyResults } from '../../core/errors.ts';
import type { AttrInstance, StoragePort } from '../../storage/port.ts';
import type { Terms } from '../context/term-map.ts';
import type { NgsiDeps } from '../entities/entities.routes.ts';
import { allTypes, buildFilter, checkProjectionConflicts, hasRestriction, mayReadEntity, projection, readableOnly, type QueryInput } from '../entities/entities.query.ts';
import { checkEntityId, checkName, isUri, parseAttribute, parseTypes } from '../entities/entity.parse.ts';
import {
  boolParam, bodyTerms, checkParams, existingTenant, intParam, negotiate, optionsOf, queryTerms, requireJsonContent,
  sendData, tenantOf, type Accept,
} from '../http/request.ts';
import { pathSegment } from '../http/location.ts';
import { pageLinks } from '../http/paging.ts';
import { RetentionJob } from './retention.job.ts';
import { applyRange, parseTemporalQuery, type TemporalInput, type TemporalQuery } from './temporal.params.ts';
import { csvField, renderTemporalEntity } from './temporal.render.ts';
import { TemporalService, type CutRange, type EntityResult, type Selection } from './temporal.service.ts';

type Req = FastifyRequest<{ Params: Record<string, string>; Querystring: Record<string, string> }>;

export interface TemporalDeps {
  storage: StoragePort;
  clock?: Clock;
  config: Config['temporal'];
}

const TEMPORAL = ['timeproperty', 'timerel', 'timeAt', 'endTimeAt', 'lastN', 'aggrMethods', 'aggrPeriodDuration'];
const GEO = ['georel', 'geometry', 'coordinates', 'geoproperty'];
const QUERY_PARAMS = new Set(['type', 'id', 'idPattern', 'attrs', 'pick', 'omit', 'q', 'scopeQ', 'lang', 'limit', 'offset', 'count', 'options', 'format', 'local', 'datasetId', ...GEO, ...TEMPORAL]);
const RETRIEVE_PARAMS = new Set(['type', 'attrs', 'pick', 'omit', 'lang', 'options', 'format', 'local', 'datasetId', ...TEMPORAL]);
const ENTITY_MEMBERS = new Set(['id', '@id', 'type', '@type', '@context', 'scope', 'createdAt', 'modifiedAt', 'deletedAt']);

function temporalQuery(q: Record<string, unknown>, req: FastifyRequest): TemporalQuery {
  const tq = parseTemporalQuery(q as TemporalInput, optionsOf(q as Record<string, string>));
  applyRange(tq, req.headers.range);
  return tq;
}

/**
 * aggrMethods and aggrPeriodDuration in the body of a temporal query (clause 6.24.3.1: the Query
 * carries what GET /temporal/entities takes as parameters), at the top level of the Query or in
 * its temporalQ; aggrMethods as an array of method names or a comma-separated string. Given in the
 * URL as well, both must agree.
 */
function bodyAggregation(body: Record<string, unknown>, temporalQ: Record<string, unknown>, qs: Record<string, string>): { aggrMethods?: string[]; aggrPeriodDuration?: string } {
  const out: { aggrMethods?: string[]; aggrPeriodDuration?: string } = {};
  const methods = body.aggrMethods ?? temporalQ.aggrMethods;
  if (methods !== undefined) {
    const ok = typeof methods === 'string' || (Array.isArray(methods) && methods.every((m) => typeof m === 'string'));
    if (!ok) throw new BadRequestData('"aggrMethods" must be an array of aggregation method names (or one comma-separated string)');
    out.aggrMethods = (Array.isArray(methods) ? methods as string[] : methods.split(',')).map((m) => m.trim()).filter(Boolean);
    if (qs.aggrMethods !== undefined && qs.aggrMethods.split(',').map((m) => m.trim()).join(',') !== out.aggrMethods.join(',')) {
      throw new BadRequestData('aggrMethods is given in the URL and in the body with different values');
    }
  }
  const period = body.aggrPeriodDuration ?? temporalQ.aggrPeriodDuration;
  if (period !== undefined) {
    if (typeof period !== 'string') throw new BadRequestData('"aggrPeriodDuration" must be an ISO 8601 duration string such as PT1H');
    if (qs.aggrPeriodDuration !== undefined && qs.aggrPeriodDuration !== period) throw new BadRequestData('aggrPeriodDuration is given in the URL and in the body with different values');
    out.aggrPeriodDuration = period;
  }
  return out;
}

function selection(q: Record<string, string | string[] | undefined>, terms: Terms): Selection {
  checkProjectionConflicts(q);
  const attrs = projection(q.attrs, 'attrs', terms);
  const pick = projection(q.pick, 'pick', terms);
  // attrs (deprecated) selects attributes only; pick and omit may also name id and type (clause 4.21).
  const sel: Selection = { keep: pick ?? (attrs && new Set([...attrs, 'id', 'type', 'scope'])), omit: projection(q.omit, 'omit', terms) };
  if (typeof q.datasetId === 'string') sel.datasetId = q.datasetId.split(',').map((s) => s.trim());
  return sel;
}

function langOf(v: unknown): string[] | undefined {
  return typeof v === 'string' && v ? v.split(',').map((s) => s.split(';')[0].trim()).filter(Boolean) : undefined;
}

/** Attribute instances of a temporal entity body: each attribute holds one instance or an array of them. */
function parseInstances(body: Record<string, unknown>, terms: Terms, now: string): Record<string, AttrInstance[]> {
  const out: Record<string, AttrInstance[]> = {};
  for (const [name, raw] of Object.entries(body)) {
    if (ENTITY_MEMBERS.has(name)) continue;
    checkName(name);
    const list = Array.isArray(raw) && raw.every((x) => x && typeof x === 'object' && !Array.isArray(x)) ? raw : [raw];
    out[terms.expandAttr(name)] = list.map((x) => parseAttribute(name, x, terms, { now }));
  }
  return out;
}

function objectBody(body: unknown): Record<string, unknown> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new BadRequestData('The body must be a JSON object');
  return body as Record<string, unknown>;
}

export async function temporalRoutes(app: FastifyInstance, ngsi: NgsiDeps, deps: TemporalDeps): Promise<void> {
  const { contexts } = ngsi;
  const clock = deps.clock ?? { now: () => new Date() };
  const svc = new TemporalService(deps.storage, clock, { maxInstances: deps.config.maxInstances, maxPeriods: deps.config.maxPeriods });
  deps.storage.temporal.setRecording(deps.config.history);
  const retention = new RetentionJob(deps.storage, clock, { retention: deps.config.retention, byType: deps.config.retentionByType },
    (level, msg, data) => app.log[level]({ module: 'ngsi-ld.temporal', ...data }, msg));
  retention.start(deps.config.retentionIntervalS * 1000);
  app.addHook('onClose', async () => retention.stop());
  const tenantExists = (t: string) => ngsi.entities.tenantExists(t);

  const send = (reply: FastifyReply, accept: Accept, terms: Terms, body: unknown, range?: CutRange) => {
    reply.header('Accept-Ranges', 'date-time');
    if (range) reply.status(206).header('Content-Range', TemporalService.formatRange(range));
    return sendData(reply, accept, terms, body, ngsi.coreContextUrl);
  };
  const render = (results: EntityResult[], tq: TemporalQuery, terms: Terms, lang: string[] | undefined, sel: Selection) =>
    results.map((r) => renderTemporalEntity(r, tq, terms, { sysAttrs: tq.sysAttrs, lang, keep: sel.keep, omit: sel.omit }));

  /**
   * Every type the entity has or had: its current types and those its history accumulated (the
   * history outlives the entity, and a type once recorded stays in it).
   */
  const typesOf = async (tenant: string, id: string): Promise<string[]> => {
    const [current, past] = await Promise.all([ngsi.entities.reader().get(tenant, id), deps.storage.temporal.getEntity(tenant, id)]);
    return [...new Set([...(current?.types ?? []), ...(past?.types ?? [])])];
  };

  /**
   * Type-level write access for history writes (docs/security.md): the entity's current types, the
   * types of its history (also when the entity no longer exists or never did) and any the request names.
   */
  const mayWriteHistory = async (req: Req, tenant: string, id: string, named: string[] = []) => {
    if (!req.access) return;
    const types = [...new Set([...(await typesOf(tenant, id)), ...named])];
    if (!req.access.mayWrite(types)) throw new Forbidden(`${req.access.who} may not write entities of type ${types.join(', ')}`);
  };

  /** Type-level read access for history reads: as for retrieval, over the current and the history's types. */
  const mayReadHistory = async (req: Req, tenant: string, id: string) => {
    if (!req.access) return;
    const types = await typesOf(tenant, id);
    if (types.length) await mayReadEntity(req.access, { types });
  };

  const paging = (q: Record<string, string>) => {
    const limit = intParam(q, 'limit', ngsi.defaultLimit, 0, ngsi.maxLimit, (n) => new TooManyResults(`limit=${n} exceeds the maximum page size ${ngsi.maxLimit}; page with offset`));
    const offset = intParam(q, 'offset', 0, 0, Number.MAX_SAFE_INTEGER);
    const count = boolParam(q, 'count');
    if (limit === 0 && !count) throw new BadRequestData('limit=0 is only allowed together with count=true');
    return { limit, offset, count };
  };

  // clause 6.18.3.2 — query temporal evolution of entities
  app.get('/temporal/entities', async (req: Req, reply) => {
    const q = req.query;
    checkParams(q, QUERY_PARAMS);
    const accept = negotiate(req, false);
    const tq = temporalQuery(q, req);
    const tenant = await existingTenant(req, tenantExists);
    const terms = await queryTerms(req, contexts);
    const star = allTypes(q.type, q.local);
    const input: QueryInput = { type: star ? undefined : q.type, id: q.id, idPattern: q.idPattern, attrs: q.attrs, q: q.q, scopeQ: q.scopeQ, georel: q.georel, geometry: q.geometry, coordinates: q.coordinates, geoproperty: q.geoproperty };
    if (!hasRestriction(input) && q.local !== 'true' && !star) throw new BadRequestData('Give at least one of type, id, idPattern, attrs, q, scopeQ or a geo-query; or local=true to list all temporal entities');
    const filter = readableOnly(buildFilter(input, terms), req.access);
    const page = paging(q);
    const sel = selection(q, terms);
    const res = await svc.query(tenant, filter, page, tq, sel);
    if (page.count) reply.header('NGSILD-Results-Count', String(res.count));
    pageLinks(reply, req.url, q, page, res.more);
    return send(reply, accept, terms, render(res.results, tq, terms, langOf(q.lang), sel), res.range);
  });

  // clause 6.19.3.1 — retrieve the temporal evolution of an entity
  app.get('/temporal/entities/:entityId', async (req: Req, reply) => {
    const q = req.query;
    checkParams(q, RETRIEVE_PARAMS);
    const accept = negotiate(req, false);
    const id = checkEntityId(req.params.entityId, 'entityId in the URL');
    const tq = temporalQuery(q, req);
    const tenant = await existingTenant(req, tenantExists);
    const terms = await queryTerms(req, contexts);
    await mayReadHistory(req, tenant, id);
    const sel = selection(q, terms);
    const { result, range } = await svc.retrieve(tenant, id, tq, sel);
    if (q.type) {
      const types = parseTypes(q.type.split(','), terms, true)!;
      if (!types.some((t) => result.entity.types.includes(t))) throw new BadRequestData(`Entity ${id} is not of type ${q.type}`);
    }
    return send(reply, accept, terms, render([result], tq, terms, langOf(q.lang), sel)[0], range);
  });

  // clause 6.24.3.1 — query temporal evolution by POST (Query data type with temporalQ, clause 5.2.23)
  app.post('/temporal/entityOperations/query', { config: { access: { op: 'read' } } }, async (req: Req, reply) => {
    const qs = req.query;
    checkParams(qs, new Set(['limit', 'offset', 'count', 'options', 'format', 'lang', 'local', 'aggrMethods', 'aggrPeriodDuration', 'lastN', 'datasetId']));
    requireJsonContent(req);
    const accept = negotiate(req, false);
    const body = objectBody(req.body);
    if (body.type !== undefined && body.type !== 'Query') throw new BadRequestData('The Query object must have "type": "Query"');
    const temporalQ = (body.temporalQ ?? {}) as Record<string, unknown>;
    if (typeof temporalQ !== 'object' || Array.isArray(temporalQ)) throw new BadRequestData('"temporalQ" must be an object');
    const tq = temporalQuery({ ...qs, ...temporalQ, ...bodyAggregation(body, temporalQ, qs) }, req);
    const tenant = await existingTenant(req, tenantExists);
    const terms = await bodyTerms(req, contexts, body);
    if (body.entities !== undefined && !Array.isArray(body.entities)) throw new BadRequestData('"entities" must be an array of EntitySelector objects');
    const sel = (body.entities ?? []) as Array<Record<string, string>>;
    const geoQ = (body.geoQ ?? {}) as Record<string, unknown>;
    const ids = sel.map((s) => s.id).filter(Boolean);
    const input: QueryInput = {
      type: sel.map((s) => s.type).filter(Boolean).join(',') || undefined,
      id: ids.length ? ids : undefined,
      idPattern: sel.find((s) => s.idPattern)?.idPattern,
      attrs: Array.isArray(body.attrs) ? (body.attrs as string[]) : undefined,
      q: typeof body.q === 'string' ? body.q : undefined,
      scopeQ: typeof body.scopeQ === 'string' ? body.scopeQ : undefined,
      georel: geoQ.georel as string | undefined, geometry: geoQ.geometry as string | undefined,
      coordinates: geoQ.coordinates, geoproperty: geoQ.geoproperty as string | undefined,
    };
    if (!hasRestriction(input) && qs.local !== 'true') throw new BadRequestData('The Query needs at least one of entities, attrs, q, scopeQ or geoQ');
    const page = paging(qs);
    const chosen = selection({ attrs: input.attrs as string[] | undefined, datasetId: qs.datasetId }, terms);
    const res = await svc.query(tenant, readableOnly(buildFilter(input, terms), req.access), page, tq, chosen);
    if (page.count) reply.header('NGSILD-Results-Count', String(res.count));
    pageLinks(reply, req.url, qs, page, res.more);
    return send(reply, accept, terms, render(res.results, tq, terms, langOf(body.lang ?? qs.lang), chosen), res.range);
  });

  // clause 6.18.3.1 — create or update the temporal evolution of an entity (back-filling history)
  app.post('/temporal/entities', async (req: Req, reply) => {
    checkParams(req.query, new Set(['local']));
    requireJsonContent(req);
    const body = objectBody(req.body);
    const tenant = tenantOf(req);
    const terms = await bodyTerms(req, contexts, body);
    const id = checkEntityId(body.id ?? body['@id']);
    const types = parseTypes(body.type ?? body['@type'], terms, false);
    await mayWriteHistory(req, tenant, id, types);
    const created = await svc.upsert(tenant, id, types, parseInstances(body, terms, svc.now()));
    if (!created) return reply.status(204).send();
    return reply.status(201).header('Location', `/ngsi-ld/v1/temporal/entities/${pathSegment(id)}`).send();
  });

  // clause 6.19.3.2 — delete the temporal evolution of an entity
  app.delete('/temporal/entities/:entityId', async (req: Req, reply) => {
    checkParams(req.query, new Set(['type', 'local']));
    const id = checkEntityId(req.params.entityId, 'entityId in the URL');
    const tenant = await existingTenant(req, tenantExists);
    await mayWriteHistory(req, tenant, id);
    await svc.deleteEntity(tenant, id);
    return reply.status(204).send();
  });

  // clause 6.20.3.1 — add attribute instances
  app.post('/temporal/entities/:entityId/attrs', async (req: Req, reply) => {
    checkParams(req.query, new Set(['local']));
    requireJsonContent(req);
    const id = checkEntityId(req.params.entityId, 'entityId in the URL');
    const body = objectBody(req.body);
    const tenant = tenantOf(req);
    const terms = await bodyTerms(req, contexts, body);
    await mayWriteHistory(req, tenant, id);
    await svc.appendAttrs(tenant, id, parseInstances(body, terms, svc.now()));
    return reply.status(204).send();
  });

  // clause 6.21.3.1 — delete an attribute's history (default instance, one datasetId, or deleteAll)
  app.delete('/temporal/entities/:entityId/attrs/:attrId', async (req: Req, reply) => {
    checkParams(req.query, new Set(['datasetId', 'deleteAll', 'local']));
    const id = checkEntityId(req.params.entityId, 'entityId in the URL');
    const tenant = await existingTenant(req, tenantExists);
    const terms = await queryTerms(req, contexts);
    const name = req.params.attrId;
    checkName(name);
    const all = boolParam(req.query, 'deleteAll');
    const ds = req.query.datasetId ? checkEntityId(req.query.datasetId, 'datasetId') : undefined;
    if (all && ds) throw new BadRequestData('deleteAll and datasetId exclude each other');
    await mayWriteHistory(req, tenant, id);
    await svc.deleteAttr(tenant, id, terms.expandAttr(name), all ? '*' : ds, name);
    return reply.status(204).send();
  });

  // clause 6.22.3.1 — modify an attribute instance
  app.patch('/temporal/entities/:entityId/attrs/:attrId/:instanceId', async (req: Req, reply) => {
    checkParams(req.query, new Set(['local']));
    requireJsonContent(req);
    const id = checkEntityId(req.params.entityId, 'entityId in the URL');
    const { attrId: name, instanceId } = req.params;
    checkName(name);
    if (!isUri(instanceId)) throw new BadRequestData(`instanceId must be a URI, got "${String(instanceId).slice(0, 80)}"`);
    const body = { ...objectBody(req.body) };
    const tenant = tenantOf(req);
    const terms = await bodyTerms(req, contexts, body);
    delete body['@context'];
    const patch = parseAttribute(name, body, terms, { now: svc.now() });
    await mayWriteHistory(req, tenant, id);
    await svc.patchInstance(tenant, id, terms.expandAttr(name), instanceId, patch, name);
    return reply.status(204).send();
  });

  // clause 6.22.3.2 — delete an attribute instance
  app.delete('/temporal/entities/:entityId/attrs/:attrId/:instanceId', async (req: Req, reply) => {
    checkParams(req.query, new Set(['local']));
    const id = checkEntityId(req.params.entityId, 'entityId in the URL');
    const { attrId: name, instanceId } = req.params;
    checkName(name);
    const tenant = await existingTenant(req, tenantExists);
    const terms = await queryTerms(req, contexts);
    await mayWriteHistory(req, tenant, id);
    await svc.deleteInstance(tenant, id, terms.expandAttr(name), instanceId, name);
    return reply.status(204).send();
  });

  // Drehscheibe extension: an attribute's history as CSV (RFC 4180), streamed page by page.
  app.get('/temporal/entities/:entityId/attrs/:attrId/history.csv', async (req: Req, reply) => {
    const q = req.query;
    checkParams(q, new Set(['timeproperty', 'timerel', 'timeAt', 'endTimeAt', 'datasetId']));
    const id = checkEntityId(req.params.entityId, 'entityId in the URL');
    const name = req.params.attrId;
    checkName(name);
    const tq = parseTemporalQuery(q, new Set());
    applyRange(tq, req.headers.range);
    const tenant = await existingTenant(req, tenantExists);
    const terms = await queryTerms(req, contexts);
    const ds = q.datasetId ? q.datasetId.split(',').map((s) => s.trim()) : undefined;
    await mayReadHistory(req, tenant, id);
    const series = await svc.attributeSeries(tenant, id, terms.expandAttr(name), name, ds);
    const prop = tq.window.property;
    async function* lines(): AsyncGenerator<string> {
      yield `${prop},value,unitCode,datasetId,instanceId\r\n`;
      let buf = '';
      for await (const { series: s, instance: i } of svc.exportInstances(series, tq.window)) {
        if (i.deleted) continue;
        const inst = i.instance;
        const v = inst[{ Relationship: 'object', LanguageProperty: 'languageMap', VocabProperty: 'vocab', ListProperty: 'valueList', ListRelationship: 'objectList', JsonProperty: 'json' }[inst.type as string] ?? 'value'];
        buf += `${new Date(i.time).toISOString()},${csvField(v)},${csvField(inst.unitCode)},${csvField(s.datasetId)},${i.instanceId}\r\n`;
        if (buf.length > 64 * 1024) { yield buf; buf = ''; }
      }
      if (buf) yield buf;
    }
    const file = `${id.replace(/[^A-Za-z0-9_.-]+/g, '_')}_${name.replace(/[^A-Za-z0-9_.-]+/g, '_')}.csv`;
    return reply.type('text/csv; charset=utf-8').header('Content-Disposition', `attachment; filename="${file}"`).send(Readable.from(lines()));
  });
}
