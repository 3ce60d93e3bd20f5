// Purge Entities (v1.9, clause 5.6.21; HTTP binding 6.4.3.3): DELETE /entities with a query.
// Deletes what a Query Entities with the same filter would find (never more than the principal may
// read), or with keep/drop only some attributes of it. Writes go through the one write path.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BadRequestData, OperationNotSupported } from '../../core/errors.ts';
import { checkParams, existingTenant, queryTerms } from '../http/request.ts';
import { allTypes, buildFilter, projection, readableOnly, type QueryInput } from './entities.query.ts';
import type { NgsiDeps } from './entities.routes.ts';

type Req = FastifyRequest<{ Querystring: Record<string, string> }>;

const PARAMS = new Set(['type', 'id', 'idPattern', 'attrs', 'q', 'scopeQ', 'georel', 'geometry', 'coordinates', 'geoproperty', 'geometryProperty', 'keep', 'drop', 'local', 'csf']);
/** Ids read per query page while collecting what to purge. */
const PAGE = 1000;

export async function purgeRoutes(app: FastifyInstance, deps: NgsiDeps): Promise<void> {
  const { entities, contexts } = deps;

  // clause 6.4.3.3 — purgeEntities
  app.delete('/entities', async (req: Req, reply) => {
    const q = req.query;
    checkParams(q, PARAMS);
    if (q.csf !== undefined) throw new OperationNotSupported('The parameter csf is not supported by this broker (no context sources)');
    const star = allTypes(q.type, q.local);
    const local = q.local === 'true' || star;
    // clause 5.6.21.4: type, attrs, q, a geo-query or local scope; ids, idPattern and scopeQ alone are too wide.
    if (!(q.type || q.attrs || q.q || q.georel || q.geometry || q.coordinates || local)) {
      throw new BadRequestData('Purging entities needs at least one of type, attrs, q or a geo-query (georel, geometry, coordinates), or local=true (clause 5.6.21.4: too wide a query)');
    }
    if (q.keep !== undefined && q.drop !== undefined) throw new BadRequestData('keep and drop exclude each other');
    const tenant = await existingTenant(req, (t) => entities.tenantExists(t));
    const terms = await queryTerms(req, contexts);
    const input: QueryInput = { type: star ? undefined : q.type, id: q.id, idPattern: q.idPattern, attrs: q.attrs, q: q.q, scopeQ: q.scopeQ, georel: q.georel, geometry: q.geometry, coordinates: q.coordinates, geoproperty: q.geoproperty };
    const filter = readableOnly(buildFilter(input, terms), req.access);
    const members = { keep: attrNames(projection(q.keep, 'keep', terms)), drop: attrNames(projection(q.drop, 'drop', terms)) };
    const ids: string[] = [];
    const reader = entities.reader();
    for (let offset = 0; ; offset += PAGE) {
      const page = await reader.queryKeys(tenant, filter, { limit: PAGE, offset, count: false });
      for (const k of page.keys) ids.push(k.id);
      if (page.keys.length < PAGE) break;
    }
    await entities.withAccess(req.access).purge(tenant, ids, members.keep || members.drop ? members : undefined);
    return reply.status(204).send();
  });
}

/** keep/drop name attributes only (Table 6.4.3.3-1); id, type and scope are not attributes. */
function attrNames(s: Set<string> | undefined): Set<string> | undefined {
  if (!s) return undefined;
  for (const n of ['id', 'type', 'scope']) if (s.has(n)) throw new BadRequestData(`keep and drop name attributes; "${n}" is not one`);
  return s;
}
