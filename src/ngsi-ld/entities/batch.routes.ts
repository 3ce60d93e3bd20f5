// Batch entity operations (clause 6.14 – 6.18, 6.23): atomic per entity, per-entity errors in a
// BatchOperationResult. Paths work with and without a trailing slash, as IoT Agents send them.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { BadRequestData, ProblemError } from '../../core/errors.ts';
import type { EntityRecord } from '../../storage/port.ts';
import type { Terms } from '../context/term-map.ts';
import { bodyTerms, checkOptions, checkParams, existingTenant, negotiate, optionsOf, requireJsonContent, tenantOf } from '../http/request.ts';
import { checkEntityId, isEmptyFragment, parseEntity } from './entity.parse.ts';
import { buildFilter, hasRestriction, parseOrderBy, readableOnly, type QueryInput } from './entities.query.ts';
import { answerQuery, renderOptions, type NgsiDeps } from './entities.routes.ts';
import type { BatchResult } from './entities.service.ts';

type Req = FastifyRequest<{ Querystring: Record<string, string> }>;
type Item = { id: string; entity?: EntityRecord; error?: ProblemError };

const MAX_BATCH = 10_000;

function arrayBody(body: unknown): unknown[] {
  if (!Array.isArray(body)) throw new BadRequestData('The body of a batch operation must be a JSON array');
  if (body.length === 0) throw new BadRequestData('The batch is empty');
  if (body.length > MAX_BATCH) throw new BadRequestData(`A batch may hold at most ${MAX_BATCH} entities, got ${body.length}`);
  return body;
}

/** Parses each entity on its own so that one bad entity fails alone (clause 6.14.3.1). */
function parseItems(list: unknown[], terms: Terms, now: string, typeRequired: boolean, allowNull = false): Item[] {
  return list.map((raw) => {
    const rawId = raw && typeof raw === 'object' ? String((raw as Record<string, unknown>).id ?? '') : '';
    try {
      const entity = parseEntity(raw, terms, { now, typeRequired, allowNull });
      return { id: entity.id, entity };
    } catch (e) {
      if (e instanceof ProblemError) return { id: rawId, error: e };
      throw e;
    }
  });
}

function sendBatch(reply: FastifyReply, r: BatchResult, okStatus: 201 | 204, createdBody?: string[]): FastifyReply {
  if (r.errors.length > 0) {
    return reply.status(207).type('application/json').send({
      success: r.success,
      errors: r.errors.map((e) => ({ entityId: e.entityId, error: e.error.toJSON() })),
    });
  }
  if (okStatus === 201) return reply.status(201).type('application/json').send(createdBody ?? r.success);
  return reply.status(204).send();
}

export async function batchRoutes(app: FastifyInstance, deps: NgsiDeps): Promise<void> {
  const { entities, contexts } = deps;

  // clause 6.14.3.1 — batch create
  app.post('/entityOperations/create', async (req: Req, reply) => {
    checkParams(req.query, new Set(['local']));
    requireJsonContent(req);
    const list = arrayBody(req.body);
    const terms = await bodyTerms(req, contexts, list);
    const now = entities.now();
    const r = await entities.at(now).withAccess(req.access).batchCreate(tenantOf(req), parseItems(list, terms, now, true));
    return sendBatch(reply, r, 201);
  });

  // clause 6.15.3.1 — batch upsert: 201 with the created ids, 204 when all existed
  app.post('/entityOperations/upsert', async (req: Req, reply) => {
    checkParams(req.query, new Set(['options', 'local']));
    const opts = optionsOf(req.query);
    checkOptions(opts, ['update', 'replace']);
    if (opts.has('update') && opts.has('replace')) throw new BadRequestData('options=update and options=replace exclude each other');
    requireJsonContent(req);
    const list = arrayBody(req.body);
    const terms = await bodyTerms(req, contexts, list);
    const now = entities.now();
    const r = await entities.at(now).withAccess(req.access).batchUpsert(tenantOf(req), parseItems(list, terms, now, true), opts.has('update') ? 'update' : 'replace');
    if (r.errors.length === 0 && r.created.length === 0) return reply.status(204).send();
    return sendBatch(reply, r, 201, r.created);
  });

  // clause 6.16.3.1 — batch update
  app.post('/entityOperations/update', async (req: Req, reply) => {
    checkParams(req.query, new Set(['options', 'local']));
    const opts = optionsOf(req.query);
    checkOptions(opts, ['noOverwrite']);
    requireJsonContent(req);
    const list = arrayBody(req.body);
    const terms = await bodyTerms(req, contexts, list);
    const now = entities.now();
    const r = await entities.at(now).withAccess(req.access).batchUpdate(tenantOf(req), parseItems(list, terms, now, false), opts.has('noOverwrite'));
    return sendBatch(reply, r, 204);
  });

  // clause 6.31.3.1 (v1.9) — batch merge: 204 when every entity was merged, else 207
  app.post('/entityOperations/merge', async (req: Req, reply) => {
    checkParams(req.query, new Set(['local']));
    requireJsonContent(req);
    const list = arrayBody(req.body);
    const terms = await bodyTerms(req, contexts, list);
    // An entity naming nothing to merge (only its id) is BadRequestData, as an empty merge fragment is (clause 5.6.17).
    const now = entities.now();
    const items = parseItems(list, terms, now, false, true).map((it, i) => (it.error || !isEmptyFragment(list[i]) ? it
      : { id: it.id, error: new BadRequestData(`Entity ${it.id} names nothing to merge: give at least one attribute, type or scope`) }));
    return sendBatch(reply, await entities.at(now).withAccess(req.access).batchMerge(tenantOf(req), items), 204);
  });

  // clause 6.17.3.1 — batch delete: a JSON array of entity ids
  app.post('/entityOperations/delete', async (req: Req, reply) => {
    checkParams(req.query, new Set(['local']));
    requireJsonContent(req);
    const list = arrayBody(req.body);
    const items: Item[] = list.map((raw) => {
      try {
        return { id: checkEntityId(raw, 'entity id') };
      } catch (e) {
        return { id: String(raw), error: e as ProblemError };
      }
    });
    const tenant = await existingTenant(req, (t) => entities.tenantExists(t));
    return sendBatch(reply, await entities.withAccess(req.access).batchDelete(tenant, items), 204);
  });

  // clause 6.23.3.1 — query entities by POST (Query data type, clause 5.2.23)
  app.post('/entityOperations/query', { config: { access: { op: 'read' } } }, async (req: Req, reply) => {
    const qs = req.query;
    checkParams(qs, new Set(['limit', 'offset', 'count', 'options', 'format', 'lang', 'local', 'orderBy', 'orderFrom', 'orderGeometry', 'join', 'joinLevel', 'containedBy']));
    requireJsonContent(req);
    const accept = negotiate(req);
    const body = req.body as Record<string, unknown>;
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw new BadRequestData('The body must be a Query object');
    if (body.type !== undefined && body.type !== 'Query') throw new BadRequestData('The Query object must have "type": "Query"');
    const tenant = await existingTenant(req, (t) => entities.tenantExists(t));
    const terms = await bodyTerms(req, contexts, body);
    const sel = Array.isArray(body.entities) ? (body.entities as Array<Record<string, string>>) : [];
    if (body.entities !== undefined && !Array.isArray(body.entities)) throw new BadRequestData('"entities" must be an array of EntitySelector objects');
    const geoQ = (body.geoQ ?? {}) as Record<string, unknown>;
    const input: QueryInput = {
      type: sel.map((s) => s.type).filter(Boolean).join(',') || undefined,
      id: sel.map((s) => s.id).filter(Boolean) as string[],
      idPattern: sel.find((s) => s.idPattern)?.idPattern,
      attrs: Array.isArray(body.attrs) ? (body.attrs as string[]) : undefined,
      q: typeof body.q === 'string' ? body.q : undefined,
      scopeQ: typeof body.scopeQ === 'string' ? body.scopeQ : undefined,
      georel: geoQ.georel as string | undefined,
      geometry: geoQ.geometry as string | undefined,
      coordinates: geoQ.coordinates,
      geoproperty: geoQ.geoproperty as string | undefined,
    };
    if ((input.id as string[]).length === 0) delete input.id;
    if (!hasRestriction(input) && qs.local !== 'true') throw new BadRequestData('The Query needs at least one of entities, attrs, q, scopeQ or geoQ');
    const filter = readableOnly(buildFilter(input, terms), req.access);
    // Entity ordering (clause 4.23) as on GET /entities: orderBy, orderFrom, orderGeometry in the URL,
    // or as members of the Query; distances from orderFrom or from the near of its geoQ.
    const order = orderParams(qs, body);
    if (order.orderBy !== undefined) filter.order = parseOrderBy(order.orderBy, terms, { ...order, georel: input.georel, geometry: input.geometry, coordinates: input.coordinates });
    else if (order.orderFrom !== undefined || order.orderGeometry !== undefined) throw new BadRequestData('orderFrom and orderGeometry are only used with orderBy=<GeoProperty>;dist-asc or ;dist-desc');
    const o = renderOptions({ ...qs, ...(typeof body.lang === 'string' ? { lang: body.lang } : {}) }, terms, joinParams(qs, body));
    if (input.attrs) o.pick = new Set([...(input.attrs as string[]).map((a) => terms.expandAttr(a)), 'id', 'type', 'scope']);
    return answerQuery(reply, deps, { tenant, accept, terms, filter, query: qs, render: o, access: req.access });
  });
}

/** join, joinLevel, containedBy of a POST query (clause 4.5.23): URL parameters, or members of the Query body (not both). */
function joinParams(qs: Record<string, string>, body: Record<string, unknown>): { join?: unknown; joinLevel?: unknown; containedBy?: unknown } {
  const out: Record<string, unknown> = {};
  for (const k of ['join', 'joinLevel', 'containedBy'] as const) {
    if (qs[k] !== undefined && body[k] !== undefined) throw new BadRequestData(`${k} is given in the URL and in the Query body; give it once`);
    const v = qs[k] ?? body[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/** orderBy, orderFrom, orderGeometry of a POST query: URL parameters, or members of the Query body (not both). */
function orderParams(qs: Record<string, string>, body: Record<string, unknown>): { orderBy?: string; orderFrom?: unknown; orderGeometry?: unknown } {
  const out: { orderBy?: string; orderFrom?: unknown; orderGeometry?: unknown } = {};
  for (const k of ['orderBy', 'orderFrom', 'orderGeometry'] as const) {
    if (qs[k] !== undefined && body[k] !== undefined) throw new BadRequestData(`${k} is given in the URL and in the Query body; give it once`);
    const v = qs[k] ?? body[k];
    if (v !== undefined) out[k] = v as string;
  }
  if (out.orderBy !== undefined && typeof out.orderBy !== 'string') throw new BadRequestData('orderBy must be a string such as name;desc or location;dist-asc');
  return out;
}
