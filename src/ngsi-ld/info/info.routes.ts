// Information about the broker itself: Retrieve Context Source Identity Information (v1.9.1 clause
// 5.15.1, data type 5.2.40, HTTP binding 6.33) and a conformance summary (/info/conformance).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Clock } from '../../core/clock.ts';
import { checkParams, existingTenant, negotiate, queryTerms, sendData, type ContextResolver } from '../http/request.ts';

export interface InfoDeps {
  contexts: ContextResolver;
  coreContextUrl: string;
  clock: Clock;
  /** The broker's public base URL (config publicUrl): its authority is the contextSourceAlias. */
  publicUrl: string;
  version: string;
  tenantExists(tenant: string): Promise<boolean>;
}

/** NGSI-LD versions this broker answers to (the first is the target; docs/conformance.md). */
export const NGSI_LD_VERSIONS = ['1.9.1', '1.8.1'];

/** ISO 8601 duration (P…DT…H…M…S) of a number of milliseconds, whole seconds. */
export function isoDuration(ms: number): string {
  let s = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(s / 86_400); s -= d * 86_400;
  const h = Math.floor(s / 3600); s -= h * 3600;
  const m = Math.floor(s / 60); s -= m * 60;
  return `P${d ? `${d}D` : ''}T${h ? `${h}H` : ''}${m ? `${m}M` : ''}${s}S`;
}

type Req = FastifyRequest<{ Querystring: Record<string, string> }>;

export async function infoRoutes(app: FastifyInstance, deps: InfoDeps): Promise<void> {
  const started = deps.clock.now().getTime();
  const authority = new URL(deps.publicUrl).host;
  /** Table 5.2.40-1: with multi-tenancy the alias identifies the tenant within this Context Source. */
  const aliasOf = (tenant: string) => (tenant ? `${tenant}.${authority}` : authority);

  // clause 6.33.3.1 — Retrieve Context Source Identity Information
  app.get('/info/sourceIdentity', async (req: Req, reply) => {
    checkParams(req.query, new Set());
    const accept = negotiate(req, false);
    const tenant = await existingTenant(req, deps.tenantExists);
    const terms = await queryTerms(req, deps.contexts);
    const now = deps.clock.now();
    const alias = aliasOf(tenant);
    return sendData(reply, accept, terms, {
      id: `urn:ngsi-ld:ContextSourceIdentity:${alias}`,
      type: 'ContextSourceIdentity',
      contextSourceAlias: alias,
      contextSourceUptime: isoDuration(now.getTime() - started),
      contextSourceTimeAt: now.toISOString(),
      // Raw JSON, never expanded (Table 5.2.40-1).
      contextSourceExtras: { name: 'drehscheibe', version: deps.version, ngsiLdVersions: NGSI_LD_VERSIONS },
    }, deps.coreContextUrl);
  });

  // Conformance summary: versions answered and where the clause-by-clause table lives. Its shape is
  // this broker's own (docs/conformance.md says why).
  app.get('/info/conformance', async (req: Req, reply) => {
    checkParams(req.query, new Set());
    const accept = negotiate(req, false);
    const terms = await queryTerms(req, deps.contexts);
    return sendData(reply, accept, terms, {
      id: `urn:ngsi-ld:Conformance:${authority}`,
      type: 'Conformance',
      specification: 'ETSI GS CIM 009',
      ngsiLdVersions: NGSI_LD_VERSIONS,
      notSupported: ['context source registrations and distributed operations', 'entity maps', 'snapshots', 'notification.join in subscriptions'],
      details: 'docs/conformance.md of the Drehscheibe source: clause, status, test',
    }, deps.coreContextUrl);
  });
}
