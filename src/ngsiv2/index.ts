// The NGSIv2 API (/v2) for FIWARE components that only speak NGSIv2 (Orion's clients, IoT Agents,
// QuantumLeap, Cygnus): a thin translation onto the NGSI-LD entity, query and subscription services.
// What is covered and how names map: docs/ngsiv2.md.
import type { FastifyInstance } from 'fastify';
import type { EntityService } from '../ngsi-ld/entities/entities.service.ts';
import type { SubscriptionService } from '../ngsi-ld/subscriptions/index.ts';
import type { Terms } from '../ngsi-ld/context/term-map.ts';
import { V2Error, v2ErrorHandler } from './v2.errors.ts';
import { v2EntityRoutes } from './entities.routes.ts';
import { v2BatchRoutes } from './batch.routes.ts';
import { v2SubscriptionRoutes } from './subscriptions.routes.ts';

export interface NgsiV2Deps {
  entities: EntityService;
  subscriptions: SubscriptionService;
  /** The core @context's terms: NGSIv2 names are expanded with it, as Orion-LD does. */
  coreTerms: Terms;
  maxLimit: number;
}

/** Registers /v2/* (call with { prefix: '/v2' }). */
export function ngsiV2Routes(deps: NgsiV2Deps) {
  return async (api: FastifyInstance): Promise<void> => {
    api.setErrorHandler(v2ErrorHandler);
    api.setNotFoundHandler((req, reply) => v2ErrorHandler(V2Error.badRequest(`service not found: ${req.method} ${req.url.split('?')[0]}`), req, reply));
    // FIWARE clients (ngsijs) compare the bare media type: JSON without "; charset=utf-8".
    api.addHook('onSend', async (req, reply, payload) => {
      // Orion's correlator: the request's Fiware-Correlator, else the request id, echoed on every answer.
      const corr = req.headers['fiware-correlator'];
      reply.header('Fiware-Correlator', typeof corr === 'string' && corr.length <= 128 ? corr : String(req.id));
      const ct = reply.getHeader('content-type');
      if (typeof ct === 'string' && ct.endsWith('; charset=utf-8')) reply.header('content-type', ct.slice(0, -15));
      return payload;
    });
    const v2 = { entities: deps.entities, terms: deps.coreTerms, maxLimit: Math.min(deps.maxLimit, 1000) };
    await v2EntityRoutes(api, v2);
    await v2BatchRoutes(api, v2);
    await v2SubscriptionRoutes(api, { ...v2, subscriptions: deps.subscriptions });
  };
}
