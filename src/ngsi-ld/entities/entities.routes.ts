// HTTP binding of the entity operations (clause 6.4 – 6.7): one handler per operation.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { BadRequestData, InvalidRequest, OperationNotSupported, ResourceNotFound, TooManyResults } from '../../core/errors.ts';
import type { EntityFilter, EntityRecord } from '../../storage/port.ts';
import type { AccessGuard } from '../../core/access.ts';
import type { Terms } from '../context/term-map.ts';
import {
  contextJson, sendText, boolParam, bodyTerms, checkOptions, checkParams, existingTenant, intParam, negotiate, optionsOf,
  queryTerms, requireJsonContent, sendData, tenantOf, type Accept, type ContextResolver,
} from '../http/request.ts';
import { pathSegment } from '../http/location.ts';
import { pageLinks } from '../http/paging.ts';
import { applied, preferencesOf } from '../http/prefer.ts';
import { checkEntityId, parseAttribute, parseAttributes, parseEntity, parseExpiresAt, parseScopes, parseTypes, checkName, isEmptyFragment } from './entity.parse.ts';
import { renderEntity, renderFeature, type Format, type RenderOptions } from './entity.render.ts';
import { allTypes, buildFilter, checkProjectionConflicts, hasRestriction, mayReadEntity, parseOrderBy, projection, projectionTree, readableOnly, type QueryInput } from './entities.query.ts';
import { joinLinked, parseJoin, type JoinOptions } from './entity.join.ts';
import type { EntityService, UpdateResult, WriteCondition } from './entities.service.ts';
import { etagOf, recordEtag, withContext, type EntityViews } from './entity.views.ts';

export interface NgsiDeps {
  entities: EntityService;
  views: EntityViews;
  contexts: ContextResolver;
  coreContextUrl: string;
  defaultLimit: number;
  maxLimit: number;
}

type Req = FastifyRequest<{ Params: Record<string, string>; Querystring: Record<string, string> }>;

const READ_OPTS = ['normalized', 'keyValues', 'simplified', 'concise', 'sysAttrs'];
const GEO_PARAMS = ['georel', 'geometry', 'coordinates', 'geoproperty', 'geometryProperty'];
const QUERY_PARAMS = new Set(['type', 'id', 'idPattern', 'attrs', 'pick', 'omit', 'q', 'scopeQ', 'lang', 'limit', 'offset', 'count', 'options', 'format', 'local', 'datasetId', 'csf', 'join', 'joinLevel', 'containedBy', 'entityMap', 'orderBy', 'orderFrom', 'orderGeometry', 'collation', ...GEO_PARAMS]);
const RETRIEVE_PARAMS = new Set(['type', 'attrs', 'pick', 'omit', 'lang', 'options', 'format', 'geometryProperty', 'datasetId', 'local', 'join', 'joinLevel', 'containedBy', 'entityMap']);

export type ReadOptions = RenderOptions & { geometryProperty: string; join?: JoinOptions };

/**
 * Representation, projections and linked-entity retrieval of a read. `join` may come from a Query
 * body (POST entityOperations/query) instead of the URL.
 */
export function renderOptions(query: Record<string, string>, terms: Terms, joinSource: { join?: unknown; joinLevel?: unknown; containedBy?: unknown } = query): ReadOptions {
  const opts = optionsOf(query);
  checkOptions(opts, READ_OPTS);
  let format: Format = 'normalized';
  if (opts.has('keyValues') || opts.has('simplified')) format = 'keyValues';
  else if (opts.has('concise')) format = 'concise';
  const n = [opts.has('keyValues') || opts.has('simplified'), opts.has('concise'), opts.has('normalized')].filter(Boolean).length;
  if (n > 1) throw new BadRequestData('options may name only one of normalized, concise, keyValues (simplified)');
  checkProjectionConflicts(query);
  const attrs = projection(query.attrs, 'attrs', terms);
  const pick = projectionTree(query.pick, 'pick', terms);
  const omit = projectionTree(query.omit, 'omit', terms);
  let keep = pick?.names ?? attrs;
  if (attrs) keep = new Set([...attrs, 'id', 'type', 'scope']);
  const o: ReadOptions = {
    format,
    sysAttrs: opts.has('sysAttrs'),
    pick: keep,
    // omit=a{b} drops b in the entity linked through a, not a itself.
    omit: omit && new Set([...omit.names].filter((n) => !omit.nested.has(n))),
    geometryProperty: terms.expandAttr(query.geometryProperty || 'location'),
  };
  if (o.omit?.size === 0) delete o.omit;
  if (pick?.nested.size) o.pickNested = pick.nested;
  if (omit?.nested.size) o.omitNested = omit.nested;
  const join = parseJoin(joinSource);
  if (join) o.join = join;
  else if (o.pickNested || o.omitNested) throw new InvalidRequest('Nested projections (pick=a{b}, clause 4.21) apply to linked entities: give join=inline or join=flat as well');
  if (query.lang) o.lang = query.lang.split(',').map((s) => s.split(';')[0].trim()).filter(Boolean);
  if (query.datasetId) o.datasetId = query.datasetId.split(',').map((s) => s.trim());
  return o;
}

function entityIdParam(req: Req): string {
  return checkEntityId(req.params.entityId, 'entityId in the URL');
}

function attrParam(req: Req, terms: Terms): { name: string; iri: string } {
  const name = req.params.attrId;
  checkName(name);
  return { name, iri: terms.expandAttr(name) };
}

/**
 * The answer of a successful single-entity write under the Prefer header (RFC 7240, clause 6.3.6):
 * `return=representation` sends the entity as stored after the write (201 on create, else 200)
 * in normalized form with the request's @context; `return=minimal` and no preference send no body
 * (201 / 204). The applied preference is named in Preference-Applied.
 */
async function writeAnswer(req: FastifyRequest, reply: FastifyReply, deps: NgsiDeps, w: { tenant: string; id: string; terms: Terms; created?: boolean }): Promise<FastifyReply> {
  const p = req.headers.prefer === undefined ? {} : preferencesOf(req);
  if (p.return === 'representation') {
    const accept = negotiate(req, false);
    const e = await deps.entities.get(w.tenant, w.id);
    applied(reply, 'return=representation');
    const etag = recordEtag(e);
    if (etag !== undefined) reply.header('ETag', `"${etag}"`);
    reply.status(w.created ? 201 : 200);
    return sendData(reply, accept, w.terms, renderEntity(e, w.terms, { format: 'normalized', sysAttrs: false }), deps.coreContextUrl);
  }
  if (p.return === 'minimal') applied(reply, 'return=minimal');
  return reply.status(w.created ? 201 : 204).send();
}

async function sendUpdateResult(req: FastifyRequest, reply: FastifyReply, deps: NgsiDeps, r: UpdateResult, w: { tenant: string; id: string; terms: Terms }): Promise<FastifyReply> {
  if (r.notUpdated.length === 0) return writeAnswer(req, reply, deps, w);
  return reply.status(207).type('application/json').send(r);
}

/** Paging, counting and the response of an entity query (GET /entities and POST entityOperations/query). */
export async function answerQuery(reply: FastifyReply, deps: NgsiDeps, a: {
  tenant: string; accept: Accept; terms: Terms; filter: EntityFilter; query: Record<string, string>; render: ReadOptions; access?: AccessGuard;
}): Promise<FastifyReply> {
  const { tenant, accept, terms, filter, query: q, render: o } = a;
  const limit = intParam(q, 'limit', deps.defaultLimit, 0, deps.maxLimit, (n) => new TooManyResults(`limit=${n} exceeds the maximum page size ${deps.maxLimit}; page with offset`));
  const offset = intParam(q, 'offset', 0, 0, Number.MAX_SAFE_INTEGER);
  const count = boolParam(q, 'count');
  if (limit === 0 && !count) throw new BadRequestData('limit=0 is only allowed together with count=true');
  // One element more than the page tells whether a next page exists (clause 5.5.9, Link rel="next").
  const peek = limit > 0 ? limit + 1 : 0;
  if (o.join) {
    const res = await deps.entities.query(tenant, filter, { limit: peek, offset, count });
    if (count) reply.header('NGSILD-Results-Count', String(res.count));
    pageLinks(reply, reply.request.url, q, { limit, offset }, res.entities.length > limit);
    if (res.entities.length > limit) res.entities.length = limit;
    const j = await joinLinked({ reader: deps.entities.reader(), tenant, roots: res.entities, terms, opts: o, join: o.join, access: a.access, geoProperty: accept === 'geo+json' ? o.geometryProperty : undefined });
    // join=flat (clause 4.5.23): the linked entities follow the page's entities in the same array.
    const list = [...j.roots, ...j.extra];
    return sendData(reply, accept, terms, accept === 'geo+json' ? { type: 'FeatureCollection', features: list } : list, deps.coreContextUrl);
  }
  if (accept === 'geo+json') {
    const res = await deps.entities.query(tenant, filter, { limit: peek, offset, count });
    if (count) reply.header('NGSILD-Results-Count', String(res.count));
    pageLinks(reply, reply.request.url, q, { limit, offset }, res.entities.length > limit);
    if (res.entities.length > limit) res.entities.length = limit;
    return sendData(reply, accept, terms, renderList(res.entities, terms, o, accept), deps.coreContextUrl);
  }
  // The common path: ids and versions first, then only the entities not rendered before.
  const res = await deps.entities.reader().queryKeys(tenant, filter, { limit: peek, offset, count });
  if (count) reply.header('NGSILD-Results-Count', String(res.count));
  pageLinks(reply, reply.request.url, q, { limit, offset }, res.keys.length > limit);
  if (res.keys.length > limit) res.keys.length = limit;
  let texts = await deps.views.many(tenant, res.keys, terms, o);
  if (accept === 'ld+json') {
    const cj = contextJson(terms, deps.coreContextUrl);
    texts = texts.map((t) => withContext(t, cj));
  }
  return sendText(reply, accept, terms, `[${texts.join(',')}]`, deps.coreContextUrl);
}

function renderList(list: EntityRecord[], terms: Terms, o: ReturnType<typeof renderOptions>, accept: Accept): unknown {
  if (accept === 'geo+json') return { type: 'FeatureCollection', features: list.map((e) => renderFeature(e, terms, o, o.geometryProperty)) };
  return list.map((e) => renderEntity(e, terms, o));
}

export async function entityRoutes(app: FastifyInstance, deps: NgsiDeps): Promise<void> {
  const { entities, contexts } = deps;
  const send = (reply: FastifyReply, accept: Accept, terms: Terms, body: unknown) => sendData(reply, accept, terms, body, deps.coreContextUrl);

  // clause 6.4.3.1 — createEntity
  app.post('/entities', async (req: Req, reply) => {
    checkParams(req.query, new Set(['local']));
    requireJsonContent(req);
    const tenant = tenantOf(req);
    const terms = await bodyTerms(req, contexts, req.body);
    const now = entities.now();
    const e = parseEntity(req.body, terms, { now });
    await entities.at(now).withAccess(req.access).create(tenant, e);
    reply.header('Location', `/ngsi-ld/v1/entities/${pathSegment(e.id)}`);
    return writeAnswer(req, reply, deps, { tenant, id: e.id, terms, created: true });
  });

  // clause 6.4.3.2 — queryEntities
  app.get('/entities', async (req: Req, reply) => {
    const q = req.query;
    checkParams(q, QUERY_PARAMS);
    unsupported(q);
    const accept = negotiate(req);
    const tenant = await existingTenant(req, (t) => entities.tenantExists(t));
    const terms = await queryTerms(req, contexts);
    const star = allTypes(q.type, q.local);
    const input: QueryInput = { type: star ? undefined : q.type, id: q.id, idPattern: q.idPattern, attrs: q.attrs, q: q.q, scopeQ: q.scopeQ, georel: q.georel, geometry: q.geometry, coordinates: q.coordinates, geoproperty: q.geoproperty };
    if (!hasRestriction(input) && q.local !== 'true' && !star) {
      throw new BadRequestData('Give at least one of type, id, idPattern, attrs, q, scopeQ or a geo-query (georel, geometry, coordinates); or local=true to list all entities');
    }
    const filter = readableOnly(buildFilter(input, terms), req.access);
    if (q.orderBy) filter.order = parseOrderBy(q.orderBy, terms, q);
    else if (q.orderFrom !== undefined || q.orderGeometry !== undefined) throw new BadRequestData('orderFrom and orderGeometry are only used with orderBy=<GeoProperty>;dist-asc or ;dist-desc');
    return answerQuery(reply, deps, { tenant, accept, terms, filter, query: q, render: renderOptions(q, terms), access: req.access });
  });

  // clause 6.5.3.1 — retrieveEntity
  app.get('/entities/:entityId', async (req: Req, reply) => {
    checkParams(req.query, RETRIEVE_PARAMS);
    unsupported(req.query);
    const accept = negotiate(req);
    const id = entityIdParam(req);
    const tenant = await existingTenant(req, (t) => entities.tenantExists(t));
    const terms = await queryTerms(req, contexts);
    const o = renderOptions(req.query, terms);
    if (req.access) await mayReadEntity(req.access, await entities.reader().get(tenant, id));
    if (accept !== 'geo+json' && !req.query.type && !req.query.attrs && !o.join) {
      const v = await deps.views.one(tenant, id, terms, o);
      if (!v) throw new ResourceNotFound(`Entity ${id} does not exist`);
      reply.header('ETag', `"${etagOf(v.version)}"`);
      return sendText(reply, accept, terms, accept === 'ld+json' ? withContext(v.text, contextJson(terms, deps.coreContextUrl)) : v.text, deps.coreContextUrl);
    }
    const e = await entities.get(tenant, id);
    if (req.query.type) {
      const types = parseTypes(req.query.type.split(','), terms, true)!;
      // clause 5.7.1.4: the entity that matches the id and the type selector is not found (as Stellio and the ETSI test suite answer).
      if (!types.some((t) => e.types.includes(t))) throw new ResourceNotFound(`Entity ${id} is not of type ${req.query.type}`);
    }
    if (req.query.attrs) {
      // clause 5.7.1.4, ETSI test 018_03_02: an entity with none of the requested attributes is not found.
      const wanted = projection(req.query.attrs, 'attrs', terms)!;
      if (![...wanted].some((iri) => e.attrs[iri]?.length)) throw new ResourceNotFound(`Entity ${id} has none of the requested attributes ${req.query.attrs}`);
    }
    const etag = recordEtag(e);
    if (o.join) {
      // The linked entities are part of the answer, so the entity's ETag does not describe it: none is sent.
      const geo = accept === 'geo+json' ? o.geometryProperty : undefined;
      const j = await joinLinked({ reader: entities.reader(), tenant, roots: [e], terms, opts: o, join: o.join, access: req.access, geoProperty: geo });
      if (o.join.mode === 'inline') return send(reply, accept, terms, j.roots[0]);
      // join=flat: the entity and its linked entities as an array (a FeatureCollection in GeoJSON).
      const list = [...j.roots, ...j.extra];
      return send(reply, accept, terms, geo ? { type: 'FeatureCollection', features: list } : list);
    }
    if (etag !== undefined) reply.header('ETag', `"${etag}"`);
    const body = accept === 'geo+json' ? renderFeature(e, terms, o, o.geometryProperty) : renderEntity(e, terms, o);
    return send(reply, accept, terms, body);
  });

  // clause 6.5.3.3 — replaceEntity (v1.8)
  app.put('/entities/:entityId', async (req: Req, reply) => {
    checkParams(req.query, new Set(['local']));
    requireJsonContent(req);
    const id = entityIdParam(req);
    const tenant = tenantOf(req);
    const terms = await bodyTerms(req, contexts, req.body);
    const now = entities.now();
    const e = parseEntity(req.body, terms, { now, idFromPath: id, typeRequired: false });
    await entities.at(now).withAccess(req.access).withCondition(ifMatch(req)).replace(tenant, e);
    return writeAnswer(req, reply, deps, { tenant, id, terms });
  });

  // clause 6.5.3.4 — mergeEntity (v1.8)
  app.patch('/entities/:entityId', async (req: Req, reply) => {
    checkParams(req.query, new Set(['local', 'options']));
    requireJsonContent(req);
    const id = entityIdParam(req);
    const tenant = tenantOf(req);
    const body = req.body as Record<string, unknown>;
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw new BadRequestData('The body must be a JSON object of attributes');
    if (body.id !== undefined && body.id !== id) throw new BadRequestData(`The id in the body (${String(body.id)}) differs from the id in the URL (${id})`);
    if (isEmptyFragment(body)) throw new BadRequestData('The body names nothing to merge; give at least one attribute, type or scope (clause 5.6.17)');
    const terms = await bodyTerms(req, contexts, body);
    const now = entities.now();
    const attrs = parseAttributes(body, terms, { now, allowNull: true });
    await entities.at(now).withAccess(req.access).withCondition(ifMatch(req)).merge(tenant, id, { types: parseTypes(body.type, terms, false), scopes: parseScopes(body.scope), expiresAt: parseExpiresAt(body.expiresAt, now), attrs });
    return writeAnswer(req, reply, deps, { tenant, id, terms });
  });

  // clause 6.5.3.2 — deleteEntity
  app.delete('/entities/:entityId', async (req: Req, reply) => {
    checkParams(req.query, new Set(['type', 'local']));
    const id = entityIdParam(req);
    const tenant = await existingTenant(req, (t) => entities.tenantExists(t));
    await entities.withAccess(req.access).withCondition(ifMatch(req)).delete(tenant, id);
    return reply.status(204).send();
  });

  // clause 6.6.3.1 — appendEntityAttrs
  app.post('/entities/:entityId/attrs', async (req: Req, reply) => {
    checkParams(req.query, new Set(['options', 'local']));
    const opts = optionsOf(req.query);
    checkOptions(opts, ['noOverwrite']);
    requireJsonContent(req);
    const id = entityIdParam(req);
    const tenant = tenantOf(req);
    const body = objectBody(req.body);
    const terms = await bodyTerms(req, contexts, body);
    const now = entities.now();
    const attrs = parseAttributes(body, terms, { now });
    const extra = { types: parseTypes(body.type, terms, false), scopes: parseScopes(body.scope) };
    // clause 5.6.3: the fragment must add something (an attribute, a type or a scope).
    if (Object.keys(attrs).length === 0 && !extra.types && !extra.scopes) throw new BadRequestData('The body names no attribute to append');
    const r = await entities.at(now).withAccess(req.access).withCondition(ifMatch(req)).appendAttrs(tenant, id, attrs, opts.has('noOverwrite'), (i) => terms.compactAttr(i), extra);
    return sendUpdateResult(req, reply, deps, r, { tenant, id, terms });
  });

  // clause 6.6.3.2 — updateEntityAttrs
  app.patch('/entities/:entityId/attrs', async (req: Req, reply) => {
    checkParams(req.query, new Set(['local']));
    requireJsonContent(req);
    const id = entityIdParam(req);
    const tenant = tenantOf(req);
    const body = objectBody(req.body);
    const terms = await bodyTerms(req, contexts, body);
    const now = entities.now();
    const attrs = parseAttributes(body, terms, { now });
    if (Object.keys(attrs).length === 0) throw new BadRequestData('The body names no attribute to update');
    const r = await entities.at(now).withAccess(req.access).withCondition(ifMatch(req)).updateAttrs(tenant, id, attrs, (i) => terms.compactAttr(i));
    return sendUpdateResult(req, reply, deps, r, { tenant, id, terms });
  });

  // clause 6.7.3.1 — partialAttrUpdate
  app.patch('/entities/:entityId/attrs/:attrId', async (req: Req, reply) => {
    checkParams(req.query, new Set(['local']));
    requireJsonContent(req);
    const id = entityIdParam(req);
    const tenant = tenantOf(req);
    const body = objectBody(req.body);
    const terms = await bodyTerms(req, contexts, body);
    const { name, iri } = attrParam(req, terms);
    const frag = nonEmptyFragment(body, name);
    const now = entities.now();
    const opts = { now, allowNull: true };
    const inst = parseAttribute(name, frag, terms, opts);
    // Without a `type` member the fragment is read as the stored attribute's type (clause 5.6.4 keeps it).
    const retype = frag.type === undefined ? (type: string) => parseAttribute(name, { ...frag, type }, terms, opts) : undefined;
    await entities.at(now).withAccess(req.access).withCondition(ifMatch(req)).patchAttr(tenant, id, iri, inst, name, retype);
    return writeAnswer(req, reply, deps, { tenant, id, terms });
  });

  // clause 6.7.3.3 — replaceAttribute (v1.8)
  app.put('/entities/:entityId/attrs/:attrId', async (req: Req, reply) => {
    checkParams(req.query, new Set(['local']));
    requireJsonContent(req);
    const id = entityIdParam(req);
    const tenant = tenantOf(req);
    const body = objectBody(req.body);
    const terms = await bodyTerms(req, contexts, body);
    const { name, iri } = attrParam(req, terms);
    const frag = nonEmptyFragment(body, name);
    const now = entities.now();
    const inst = parseAttribute(name, frag, terms, { now });
    await entities.at(now).withAccess(req.access).withCondition(ifMatch(req)).replaceAttr(tenant, id, iri, inst, name);
    return writeAnswer(req, reply, deps, { tenant, id, terms });
  });

  // clause 6.7.3.2 — deleteAttribute
  app.delete('/entities/:entityId/attrs/:attrId', async (req: Req, reply) => {
    checkParams(req.query, new Set(['datasetId', 'deleteAll', 'local']));
    const id = entityIdParam(req);
    const tenant = await existingTenant(req, (t) => entities.tenantExists(t));
    const terms = await queryTerms(req, contexts);
    const { name, iri } = attrParam(req, terms);
    const datasetId = req.query.datasetId ? checkEntityId(req.query.datasetId, 'datasetId') : undefined;
    await entities.withAccess(req.access).withCondition(ifMatch(req)).deleteAttr(tenant, id, iri, name, datasetId, boolParam(req.query, 'deleteAll'));
    return reply.status(204).send();
  });
}

/** If-Match (RFC 9110 13.1.1) against entity versions: "*" or ETags as sent by GET ("<born>-<rev>"). */
function ifMatch(req: FastifyRequest): WriteCondition | undefined {
  const raw = req.headers['if-match'];
  if (raw === undefined) return undefined;
  const out: Array<string | '*'> = [];
  for (const tag of (Array.isArray(raw) ? raw.join(',') : raw).split(',').map((x) => x.trim()).filter(Boolean)) {
    if (tag === '*') { out.push('*'); continue; }
    const m = /^(?:W\/)?"(\d+-\d+)"$/.exec(tag);
    if (!m) throw new InvalidRequest(`If-Match must list ETags as sent by GET (e.g. "12-3") or *, got ${tag.slice(0, 40)}`);
    out.push(m[1]);
  }
  return { ifMatch: out };
}

/** Parameters of distributed operations (context sources, entity maps) and collation: known, not offered. */
const UNSUPPORTED = ['csf', 'entityMap', 'collation'];
function unsupported(q: Record<string, string>): void {
  for (const p of UNSUPPORTED) if (q[p] !== undefined) throw new OperationNotSupported(`The parameter ${p} is not supported by this broker (no context sources or entity maps, no collations)`);
}

/** An attribute fragment without its @context; an empty one changes nothing and is refused (clause 5.6.4, 5.6.19). */
function nonEmptyFragment(body: Record<string, unknown>, name: string): Record<string, unknown> {
  const frag = { ...body };
  delete frag['@context'];
  if (Object.keys(frag).length === 0) throw new BadRequestData(`The body is an empty fragment of attribute ${name}; give at least its value`);
  return frag;
}

function objectBody(body: unknown): Record<string, unknown> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new BadRequestData('The body must be a JSON object');
  return body as Record<string, unknown>;
}
