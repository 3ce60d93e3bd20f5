// Errors of the NGSIv2 API in Orion's shape: {"error": "<Name>", "description": "<text>"} with Orion's
// status codes. Errors thrown by the shared services (ProblemError) are translated here, once.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ProblemError } from '../core/errors.ts';
import { toProblem } from '../ngsi-ld/http/error-handler.ts';

export class V2Error extends Error {
  constructor(readonly status: number, readonly error: string, readonly description: string) {
    super(description);
    this.name = 'V2Error';
  }
  static badRequest(d: string): V2Error { return new V2Error(400, 'BadRequest', d); }
  static parseError(d: string): V2Error { return new V2Error(400, 'ParseError', d); }
  static notFound(d = 'The requested entity has not been found. Check type and id'): V2Error { return new V2Error(404, 'NotFound', d); }
  static unprocessable(d: string): V2Error { return new V2Error(422, 'Unprocessable', d); }
  static notSupported(d: string): V2Error { return new V2Error(501, 'NotImplemented', d); }
}

/** Orion's error name for an NGSI-LD problem type (the last path segment of its type URI). */
const NAMES: Record<string, [number, string]> = {
  InvalidRequest: [400, 'BadRequest'],
  BadRequestData: [400, 'BadRequest'],
  AlreadyExists: [422, 'Unprocessable'],
  ResourceNotFound: [404, 'NotFound'],
  NonexistentTenant: [404, 'NotFound'],
  OperationNotSupported: [501, 'NotImplemented'],
  TooComplexQuery: [400, 'BadRequest'],
  TooManyResults: [400, 'BadRequest'],
  UnsupportedMediaType: [415, 'UnsupportedMediaType'],
  NotAcceptable: [406, 'NotAcceptable'],
  PayloadTooLarge: [413, 'RequestEntityTooLarge'],
  PreconditionFailed: [412, 'PreconditionFailed'],
  MethodNotAllowed: [405, 'MethodNotAllowed'],
  Unauthorized: [401, 'Unauthorized'],
  Forbidden: [403, 'Forbidden'],
  TooManyRequests: [429, 'TooManyRequests'],
  ServiceUnavailable: [503, 'ServiceUnavailable'],
  LdContextNotAvailable: [503, 'ServiceUnavailable'],
};

export function toV2Error(err: unknown): V2Error {
  if (err instanceof V2Error) return err;
  const p: ProblemError = toProblem(err);
  const name = p.type.slice(p.type.lastIndexOf('/') + 1);
  const m = NAMES[name];
  if (name === 'AlreadyExists') return V2Error.unprocessable('Already Exists');
  // Orion's name for a body that is not JSON.
  if (p.detail.startsWith('The body is not valid JSON') || p.detail.startsWith('The body is empty')) return V2Error.parseError(p.detail);
  if (m) return new V2Error(m[0], m[1], p.detail);
  if (p.status >= 500) return new V2Error(500, 'InternalServerError', p.detail);
  return new V2Error(p.status, 'BadRequest', p.detail);
}

export function v2ErrorHandler(err: unknown, req: FastifyRequest, reply: FastifyReply): void {
  const e = toV2Error(err);
  if (e.status >= 500 && e.status !== 501 && e.status !== 503) req.log.error({ err }, 'NGSIv2 request failed');
  if (e.status === 503 && !reply.hasHeader('retry-after')) reply.header('Retry-After', '1');
  reply.status(e.status).type('application/json').send({ error: e.error, description: e.description });
}
