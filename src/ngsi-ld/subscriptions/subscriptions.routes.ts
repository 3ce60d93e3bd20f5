// HTTP binding of the subscription operations (clause 6.10 /subscriptions, 6.11 /subscriptions/{id}).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BadRequestData, TooManyResults } from '../../core/errors.ts';
import type { StoredSubscription } from '../../storage/port.subscriptions.ts';
import { checkEntityId } from '../entities/entity.parse.ts';
import {
  bodyTerms, boolParam, checkOptions, checkParams, existingTenant, intParam, negotiate, optionsOf, queryTerms,
  requireJsonContent, sendData, tenantOf, type ContextResolver,
} from '../http/request.ts';
import { pathSegment } from '../http/location.ts';
import { pageLinks } from '../http/paging.ts';
import type { SubscriptionDef } from './subscriptions.schema.ts';
import type { SubscriptionService } from './subscriptions.service.ts';

export interface SubscriptionRouteDeps {
  subscriptions: SubscriptionService;
  contexts: ContextResolver;
  coreContextUrl: string;
  defaultLimit: number;
  maxLimit: number;
  tenantExists(t: string): Promise<boolean>;
}

type Req = FastifyRequest<{ Params: Record<string, string>; Querystring: Record<string, string> }>;

/**
 * Whose subscriptions the caller sees and manages (docs/security.md): all of the tenant's with access
 * control off or for an operator of the tenant (undefined), else only those it created.
 */
function viewerOf(req: Req): string | undefined {
  return req.actor && !req.actor.manager ? req.actor.id : undefined;
}

/** clause 5.2.12 / 5.2.14: the definition with status, and the delivery counters inside notification. */
export function representSubscription(s: StoredSubscription, status: string, sysAttrs: boolean): Record<string, unknown> {
  const def = s.definition as unknown as SubscriptionDef;
  const n = def.notification;
  const st = s.stats;
  const failed = st.lastFailure !== undefined && (st.lastSuccess === undefined || st.lastFailure > st.lastSuccess);
  const notification: Record<string, unknown> = {
    ...n,
    format: n.format ?? 'normalized',
    endpoint: { ...n.endpoint, accept: n.endpoint.accept ?? 'application/json' },
    status: failed ? 'failed' : 'ok',
    timesSent: st.timesSent,
    timesFailed: st.timesFailed,
  };
  if (st.lastNotification) notification.lastNotification = st.lastNotification;
  if (st.lastSuccess) notification.lastSuccess = st.lastSuccess;
  if (st.lastFailure) notification.lastFailure = st.lastFailure;
  if (st.lastFailureReason) notification.lastFailureReason = st.lastFailureReason;
  const out: Record<string, unknown> = { ...def, status, notification };
  if (sysAttrs) { out.createdAt = s.createdAt; out.modifiedAt = s.modifiedAt; }
  return out;
}

function objectBody(body: unknown): Record<string, unknown> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new BadRequestData('The body must be a JSON object');
  return body as Record<string, unknown>;
}

function sysAttrsOption(q: Record<string, string>): boolean {
  const opts = optionsOf(q);
  checkOptions(opts, ['sysAttrs']);
  return opts.has('sysAttrs');
}

export async function subscriptionRoutes(app: FastifyInstance, deps: SubscriptionRouteDeps): Promise<void> {
  const { subscriptions: subs, contexts } = deps;
  const tenantExists = async (t: string) => (await deps.tenantExists(t)) || subs.tenantHasSubscriptions(t);

  // clause 6.10.3.1 — createSubscription
  app.post('/subscriptions', async (req: Req, reply) => {
    checkParams(req.query, new Set(['local']));
    requireJsonContent(req);
    const tenant = tenantOf(req);
    const body = objectBody(req.body);
    const terms = await bodyTerms(req, contexts, body);
    const id = await subs.create(tenant, body, terms, req.actor?.id);
    return reply.status(201).header('Location', `/ngsi-ld/v1/subscriptions/${pathSegment(id)}`).send();
  });

  // clause 6.10.3.2 — querySubscription
  app.get('/subscriptions', async (req: Req, reply) => {
    const q = req.query;
    checkParams(q, new Set(['limit', 'offset', 'count', 'options', 'local']));
    const accept = negotiate(req, false);
    const sysAttrs = sysAttrsOption(q);
    const tenant = await existingTenant(req, tenantExists);
    const terms = await queryTerms(req, contexts);
    const limit = intParam(q, 'limit', deps.defaultLimit, 0, deps.maxLimit, (n) => new TooManyResults(`limit=${n} exceeds the maximum page size ${deps.maxLimit}; page with offset`));
    const offset = intParam(q, 'offset', 0, 0, Number.MAX_SAFE_INTEGER);
    const count = boolParam(q, 'count');
    // clause 5.5.9, as for entity queries: a page of no elements makes sense only to learn the count.
    if (limit === 0 && !count) throw new BadRequestData('limit=0 is only allowed together with count=true');
    const r = await subs.list(tenant, { limit, offset }, viewerOf(req));
    if (count) reply.header('NGSILD-Results-Count', String(r.count));
    pageLinks(reply, req.url, q, { limit, offset }, offset + r.items.length < r.count);
    const items = r.items.map((s) => {
      const body = representSubscription(s, subs.statusOf(s), sysAttrs);
      return accept === 'ld+json' ? { '@context': s.context, ...body } : body;
    });
    if (accept === 'ld+json') return reply.type('application/ld+json').send(items);
    return sendData(reply, accept, terms, items, deps.coreContextUrl);
  });

  // clause 6.11.3.1 — retrieveSubscription
  app.get('/subscriptions/:subscriptionId', async (req: Req, reply) => {
    checkParams(req.query, new Set(['options', 'local']));
    const accept = negotiate(req, false);
    const sysAttrs = sysAttrsOption(req.query);
    const id = checkEntityId(req.params.subscriptionId, 'subscriptionId in the URL');
    const tenant = await existingTenant(req, tenantExists);
    const s = await subs.get(tenant, id, viewerOf(req));
    const terms = await contexts.resolve(s.context);
    return sendData(reply, accept, terms, representSubscription(s, subs.statusOf(s), sysAttrs), deps.coreContextUrl);
  });

  // clause 6.11.3.2 — updateSubscription
  app.patch('/subscriptions/:subscriptionId', async (req: Req, reply) => {
    checkParams(req.query, new Set(['local']));
    requireJsonContent(req);
    const id = checkEntityId(req.params.subscriptionId, 'subscriptionId in the URL');
    const tenant = tenantOf(req);
    const body = objectBody(req.body);
    // clause 5.8.2: the Subscription Fragment carries the members to change; one with none (`{}`, or only
    // @context, id, type) changes nothing and is 400, as an empty attribute fragment is (clause 5.6.3).
    if (!Object.keys(body).some((k) => k !== '@context' && k !== 'id' && k !== 'type')) {
      throw new BadRequestData('The body names no member of the subscription to update; give at least one (e.g. "isActive": false)');
    }
    const terms = await bodyTerms(req, contexts, body);
    await subs.update(tenant, id, body, terms, viewerOf(req));
    return reply.status(204).send();
  });

  // clause 6.11.3.3 — deleteSubscription
  app.delete('/subscriptions/:subscriptionId', async (req: Req, reply) => {
    checkParams(req.query, new Set(['local']));
    const id = checkEntityId(req.params.subscriptionId, 'subscriptionId in the URL');
    const tenant = await existingTenant(req, tenantExists);
    await subs.delete(tenant, id, viewerOf(req));
    return reply.status(204).send();
  });
}
