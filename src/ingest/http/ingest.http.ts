// Shared HTTP helpers of the ingest API: fiware-service / fiware-servicepath headers, and the error
// shape (problem+json with the IoT Agent's name/message members, so IoT Agent tooling reads it too).
import { TENANT_NAME as TENANT } from '../../core/tenant.ts';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { BadRequestData, ProblemError } from '../../core/errors.ts';
import type { Outcome } from '../mapping/ingest.pipeline.ts';
import type { RejectReason } from '../mapping/measurement.mapper.ts';

const PATH = /^\/[A-Za-z0-9_/-]{0,100}$|^\/\*$/;
export const PROBLEM_BASE = 'urn:drehscheibe:problem:ingest:';

/** fiware-service → NGSI-LD tenant (absent or empty → the default tenant). */
export function tenantOf(req: FastifyRequest): string {
  const raw = req.headers['fiware-service'] ?? req.headers['ngsild-tenant'];
  const t = (Array.isArray(raw) ? raw[0] : raw) ?? '';
  if (t === '') return '';
  if (!TENANT.test(t)) throw new BadRequestData(`Invalid fiware-service "${t.slice(0, 70)}": use 1-64 letters, digits, _ or -`);
  return t;
}

/** fiware-servicepath (default "/"); "/*" only for reads. */
export function servicePathOf(req: FastifyRequest, forRead = false): string | undefined {
  const raw = req.headers['fiware-servicepath'];
  const p = (Array.isArray(raw) ? raw[0] : raw) ?? '';
  if (p === '') return forRead ? undefined : '/';
  if (!PATH.test(p) || (p === '/*' && !forRead)) throw new BadRequestData(`Invalid fiware-servicepath "${p.slice(0, 70)}": a path such as /environment${forRead ? ' (or /* for all)' : ''}`);
  return p === '/*' ? undefined : p;
}

const IOTA_NAMES: Record<string, string> = { AlreadyExists: 'DUPLICATE_ENTRY', ResourceNotFound: 'NOT_FOUND', BadRequestData: 'WRONG_SYNTAX', InvalidRequest: 'WRONG_SYNTAX' };

export function ingestErrorHandler(err: FastifyError | ProblemError, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (err instanceof ProblemError) {
    const short = err.type.split('/').pop() ?? 'Error';
    return reply.status(err.status).type('application/json').send({ ...err.toJSON(), name: IOTA_NAMES[short] ?? short, message: err.detail });
  }
  const status = (err as FastifyError).statusCode ?? 500;
  if (status >= 500) req.log.error({ err }, 'ingest request failed');
  const detail = status >= 500 ? 'Internal error' : err.message;
  return reply.status(status).type('application/json').send({ type: `${PROBLEM_BASE}${status >= 500 ? 'internal' : 'bad-request'}`, title: detail, status, detail, name: status >= 500 ? 'INTERNAL_ERROR' : 'WRONG_SYNTAX', message: detail });
}

const STATUS: Record<RejectReason, number> = {
  invalid_json: 400, invalid_payload: 400, invalid_value: 400, invalid_timestamp: 400, no_attributes: 400,
  payload_too_large: 413, unknown_apikey: 401, wrong_apikey: 401, unknown_device: 404,
  rate_limited: 429, overloaded: 503, storage_error: 500,
};

/**
 * The pipeline's outcome as the caller may see it: an apikey that is unknown and one that is not the
 * device's get the same answer (401 unknown_apikey), so that the answer does not tell whether a device
 * exists under another apikey. The counters and the log keep the difference (wrong_apikey).
 */
export function callerOutcome(o: Outcome): Outcome {
  if (o.ok || (o.reason !== 'wrong_apikey' && o.reason !== 'unknown_apikey')) return o;
  return { ok: false, reason: 'unknown_apikey', message: 'The apikey is unknown, or not the one of this device' };
}

/** Answers a measurement request: 200 once written, else the rejection as problem+json. */
export function sendOutcome(reply: FastifyReply, o: Outcome): FastifyReply {
  if (o.ok) return reply.status(200).send();
  const status = STATUS[o.reason];
  if (status === 429 || status === 503) reply.header('retry-after', '1');
  return reply.status(status).type('application/problem+json').send({ type: PROBLEM_BASE + o.reason, title: o.reason, status, detail: o.message, name: o.reason.toUpperCase(), message: o.message });
}
