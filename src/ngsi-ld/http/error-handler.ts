// Maps every error of the NGSI-LD API to a ProblemDetails body (clause 5.5.2, sent as
// application/json per 6.3.x); logs each 5xx once; never leaks a stack trace or a path.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import {
  InternalError, InvalidRequest, LdContextNotAvailable, MethodNotAllowed, PayloadTooLarge, ProblemError, StorageUnavailable,
  Unavailable, UnsupportedMediaType,
} from '../../core/errors.ts';

export function toProblem(err: unknown): ProblemError {
  if (err instanceof ProblemError) return err;
  if (err instanceof StorageUnavailable) return new Unavailable('The database is not reachable at the moment; retry the request shortly', { cause: err });
  const e = err as FastifyError & { statusCode?: number };
  switch (e?.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new PayloadTooLarge(`The body is larger than the limit of ${e.message.match(/\d+/)?.[0] ?? 'the configured'} bytes`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new UnsupportedMediaType('This Content-Type is not supported; use application/json or application/ld+json');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new InvalidRequest('The body is empty; a JSON document was expected');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new InvalidRequest('The Content-Length does not match the body');
    case 'FST_ERR_NOT_FOUND':
      return new InvalidRequest(e.message);
  }
  if (e instanceof SyntaxError || e?.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return new InvalidRequest(`The body is not valid JSON: ${e.message.replace(/ in JSON at position.*$/, '')}`);
  }
  if (e?.statusCode === 405) return new MethodNotAllowed(e.message);
  // Other framework 4xx errors (a malformed URL or header) are about the request's syntax.
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return new InvalidRequest(e.message);
  }
  return new InternalError('An internal error occurred; it has been logged', { cause: err });
}

export function ngsiErrorHandler(err: unknown, req: FastifyRequest, reply: FastifyReply): void {
  const p = toProblem(err);
  // An unreachable remote @context is the client's or the network's problem, not ours: one warning
  // line that says which and why, without a stack trace.
  if (p instanceof LdContextNotAvailable) req.log.warn(p.detail);
  else if (p.status >= 500) req.log.error({ err: p.cause ?? err }, 'request failed');
  // Temporarily unavailable (database restarting, a remote @context not answering): when to try again (RFC 9110 §10.2.3).
  if (p.status === 503 && !reply.hasHeader('retry-after')) reply.header('Retry-After', '1');
  reply.status(p.status).type('application/json').send(p.toJSON());
}
