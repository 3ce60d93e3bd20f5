// NGSIv2 batch operations: POST /v2/op/update (append, appendStrict, update, delete, replace) and
// POST /v2/op/query, onto the NGSI-LD EntityService and query layer.
import type { FastifyInstance } from 'fastify';
import { ProblemError } from '../core/errors.ts';
import type { EntityRecord } from '../storage/port.ts';
import { toV2Error, V2Error } from './v2.errors.ts';
import { attrsFromV2, checkV2Id, entityFromV2, entityToV2 } from './v2.mapping.ts';
import { v2Filter, type V2Selection } from './v2.query.ts';
import { checkV2Params, requireJson, v2Int, v2Options, v2ReadScope, v2Tenant, v2WriteScope } from './v2.request.ts';
import { formatOf, READ, sendList, WRITE, type Req, type V2Deps } from './entities.routes.ts';

const ACTIONS = ['append', 'appendStrict', 'update', 'delete', 'replace'] as const;
type Action = typeof ACTIONS[number];

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export async function v2BatchRoutes(app: FastifyInstance, deps: V2Deps): Promise<void> {
  const { entities, terms } = deps;

  app.post('/op/update', WRITE, async (req: Req, reply) => {
    checkV2Params(req.query, new Set(['options']));
    const opts = v2Options(req.query, ['keyValues', 'flowControl']);
    requireJson(req);
    const body = req.body;
    if (!isObj(body)) throw V2Error.parseError('The body must be a JSON object with actionType and entities');
    const action = body.actionType as Action;
    if (!ACTIONS.includes(action)) throw V2Error.badRequest(`invalid update action type: ${JSON.stringify(body.actionType)?.slice(0, 40)} (${ACTIONS.join(', ')})`);
    if (!Array.isArray(body.entities) || body.entities.length === 0) throw V2Error.badRequest('entities must be a non-empty array');
    const tenant = v2Tenant(req);
    const scope = v2WriteScope(req);
    const kv = opts.has('keyValues');
    const now = entities.now();
    const recs: EntityRecord[] = body.entities.map((e) => {
      if (!isObj(e)) throw V2Error.badRequest('each entity must be a JSON object');
      return entityFromV2(e, terms, now, kv, scope);
    });
    const svc = entities.withAccess(req.access);
    const failed: Array<{ id: string; error: unknown }> = [];
    const attempt = async (id: string, fn: () => Promise<unknown>) => {
      try { await fn(); } catch (e) {
        if (e instanceof ProblemError || e instanceof V2Error) failed.push({ id, error: e }); else throw e;
      }
    };
    if (action === 'append') {
      // Upsert in one transaction: entities created or their attributes overwritten (and new ones added).
      // At the instant the attributes were stamped with (EntityService.at): one time per write.
      const r = await entities.at(now).withAccess(req.access).batchUpsert(tenant, recs.map((e) => ({ id: e.id, entity: e })), 'update');
      for (const x of r.errors) failed.push({ id: x.entityId, error: x.error });
    } else {
      for (const [k, rec] of recs.entries()) {
        const raw = body.entities[k] as Record<string, unknown>;
        const names = (i: string) => terms.compactAttr(i);
        await attempt(rec.id, async () => {
          const old = await entities.reader().get(tenant, rec.id);
          if (raw.type !== undefined && old && !old.types.includes(rec.types[0])) throw V2Error.notFound();
          switch (action) {
            case 'appendStrict': {
              if (!old) return svc.create(tenant, rec);
              const r = await svc.appendAttrs(tenant, rec.id, rec.attrs, true, names);
              if (r.notUpdated.length) throw V2Error.unprocessable(`one or more of the attributes in the request already exist: ${rec.id} - [ ${r.notUpdated.map((n) => n.attributeName).join(', ')} ]`);
              return;
            }
            case 'update': {
              if (!old) throw V2Error.notFound();
              const r = await svc.updateAttrs(tenant, rec.id, rec.attrs, names);
              if (r.notUpdated.length) throw V2Error.unprocessable(`do not exist: ${rec.id} - [ ${r.notUpdated.map((n) => n.attributeName).join(', ')} ]`);
              return;
            }
            case 'replace': {
              if (!old) throw V2Error.notFound();
              const next: EntityRecord = { id: rec.id, types: old.types, createdAt: old.createdAt, modifiedAt: now, attrs: attrsFromV2(raw, terms, now, kv) };
              if (old.scopes) next.scopes = old.scopes;
              return svc.replace(tenant, next);
            }
            case 'delete': {
              if (!old) throw V2Error.notFound();
              const attrNames = Object.keys(raw).filter((n) => n !== 'id' && n !== 'type');
              if (attrNames.length === 0) return svc.delete(tenant, rec.id);
              for (const n of attrNames) await svc.deleteAttr(tenant, rec.id, terms.expandAttr(n), n, undefined, true);
              return;
            }
          }
        });
      }
    }
    if (failed.length === 0) return reply.status(204).send();
    // Everything failed for one reason: that error; otherwise Orion's partial update.
    if (failed.length === recs.length && failed.length === 1) throw failed[0].error;
    const first = toV2Error(failed[0].error);
    if (failed.length === recs.length && failed.every((f) => toV2Error(f.error).error === first.error)) {
      throw new V2Error(first.status, first.error, failed.map((f) => `${f.id}: ${toV2Error(f.error).description}`).join('; '));
    }
    throw new V2Error(422, 'PartialUpdate', `Some of the entities were not updated: ${failed.map((f) => `${f.id}: ${toV2Error(f.error).description}`).join('; ')}`);
  });

  app.post('/op/query', READ, async (req: Req, reply) => {
    checkV2Params(req.query, new Set(['options', 'limit', 'offset', 'orderBy']), new Set(['orderBy']));
    const opts = v2Options(req.query, ['keyValues', 'values', 'unique', 'count', 'sysAttrs']);
    const format = formatOf(opts);
    const limit = v2Int(req.query, 'limit', 20, 1, deps.maxLimit);
    const offset = v2Int(req.query, 'offset', 0, 0, Number.MAX_SAFE_INTEGER);
    requireJson(req);
    const body = req.body;
    if (!isObj(body)) throw V2Error.parseError('The body must be a JSON object');
    for (const k of Object.keys(body)) if (!['entities', 'attrs', 'expression', 'metadata'].includes(k)) throw V2Error.badRequest(`unknown member "${k}" (entities, attrs, expression, metadata)`);
    const expr = body.expression === undefined ? {} : body.expression;
    if (!isObj(expr)) throw V2Error.badRequest('expression must be an object');
    for (const k of Object.keys(expr)) if (!['q', 'mq', 'georel', 'geometry', 'coords'].includes(k)) throw V2Error.badRequest(`unknown member "expression.${k}"`);
    const str = (v: unknown, what: string) => { if (v !== undefined && typeof v !== 'string') throw V2Error.badRequest(`${what} must be a string`); return v as string | undefined; };
    const strList = (v: unknown, what: string) => { if (v !== undefined && !(Array.isArray(v) && v.every((x) => typeof x === 'string'))) throw V2Error.badRequest(`${what} must be an array of strings`); return v as string[] | undefined; };
    const base: V2Selection = { q: str(expr.q, 'expression.q'), mq: str(expr.mq, 'expression.mq'), georel: str(expr.georel, 'expression.georel'), geometry: str(expr.geometry, 'expression.geometry'), coords: str(expr.coords, 'expression.coords'), scope: v2ReadScope(req) };
    const selectors = body.entities === undefined ? [undefined] : body.entities;
    if (!Array.isArray(selectors) || selectors.length === 0) throw V2Error.badRequest('entities must be a non-empty array');
    const sels: V2Selection[] = selectors.map((s) => {
      if (s === undefined) return base;
      if (!isObj(s)) throw V2Error.badRequest('each element of entities must be an object');
      if (s.typePattern !== undefined) throw V2Error.notSupported('typePattern is not supported by this broker (docs/ngsiv2.md#not-supported)');
      if (s.id !== undefined && s.idPattern !== undefined) throw V2Error.badRequest('id and idPattern cannot be combined');
      return { ...base, ids: s.id !== undefined ? [checkV2Id(s.id, 'id')] : undefined, idPattern: str(s.idPattern, 'idPattern'), types: s.type !== undefined ? [checkV2Id(s.type, 'type')] : undefined };
    });
    const tenant = v2Tenant(req);
    const attrs = strList(body.attrs, 'attrs');
    const metadata = strList(body.metadata, 'metadata');
    const ro = { attrs: opts.has('sysAttrs') ? [...(attrs ?? ['*']), 'dateCreated', 'dateModified'] : attrs, metadata };
    let found: EntityRecord[]; let count: number | undefined;
    if (sels.length === 1) {
      const r = await entities.query(tenant, v2Filter(sels[0], terms, req.access), { limit, offset, count: opts.has('count') });
      found = r.entities; count = r.count;
    } else {
      // Several selectors: their union, in the order found, paged here.
      const seen = new Map<string, EntityRecord>();
      for (const s of sels) {
        const r = await entities.query(tenant, v2Filter(s, terms, req.access), { limit: offset + limit, offset: 0, count: false });
        for (const e of r.entities) if (!seen.has(e.id)) seen.set(e.id, e);
      }
      const all = [...seen.values()];
      found = all.slice(offset, offset + limit); count = all.length;
    }
    let list = found.map((e) => entityToV2(e, terms, format, ro));
    if (format === 'unique') { const k = new Set<string>(); list = list.filter((x) => { const j = JSON.stringify(x); if (k.has(j)) return false; k.add(j); return true; }); }
    return sendList(reply, list, opts.has('count') ? count ?? 0 : undefined);
  });
}
