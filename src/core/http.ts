// HTTP plumbing shared by the feature modules' routes: the ProblemDetails answer of a JSON API that is not
// NGSI-LD (accounts, catalogue, strategy, reports, participation) and the parser of HTML form posts.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ProblemError } from './errors.ts';

/**
 * Sends an error as application/problem+json: a ProblemError as it is, a framework 4xx (body too large,
 * malformed JSON) as BadRequest with its status, anything else as a 500 without detail, logged once.
 */
export function problemJson(err: unknown, req: FastifyRequest, reply: FastifyReply): void {
  let p: ProblemError;
  if (err instanceof ProblemError) p = err;
  else {
    const e = err as { statusCode?: number; message?: string };
    if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) p = new ProblemError('https://drehscheibe.dev/errors/BadRequest', e.statusCode, 'Bad request', e.message ?? 'Bad request');
    else {
      req.log.error({ err }, 'request failed');
      p = new ProblemError('https://drehscheibe.dev/errors/InternalError', 500, 'Internal error', 'An internal error occurred; it has been logged');
    }
  }
  reply.status(p.status).type('application/problem+json').send(p.toJSON());
}

/** A form post's fields; with `lists`, a repeated field (checkboxes) is a list of its values in order. */
export type FormFields = Record<string, string>;
export type FormLists = Record<string, string | string[]>;

/**
 * Parses application/x-www-form-urlencoded. The object has no prototype, so a field named `__proto__` or
 * `constructor` is a field like any other. Without `lists`, the first value of a repeated field counts.
 */
export function parseForm(body: string, lists?: false): FormFields;
export function parseForm(body: string, lists: true): FormLists;
export function parseForm(body: string, lists = false): FormFields | FormLists {
  const out: FormLists = Object.create(null) as FormLists;
  for (const [k, v] of new URLSearchParams(body)) {
    const had = Object.hasOwn(out, k) ? out[k] : undefined;
    if (had === undefined) out[k] = v;
    else if (lists) out[k] = Array.isArray(had) ? [...had, v] : [had, v];
  }
  return out;
}

/** Registers the form parser on an encapsulated Fastify instance, with a body limit in bytes. */
export function acceptForms(app: FastifyInstance, bodyLimit: number, lists = false): void {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit }, (_req, body, done) => {
    done(null, lists ? parseForm(body as string, true) : parseForm(body as string));
  });
}
