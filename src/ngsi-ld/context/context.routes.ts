// The @context management API (clauses 5.13.2-5.13.5, HTTP binding 6.30 "jsonldContexts"):
// list, add (Hosted), serve and delete/reload stored @contexts. Mounted with prefix '/ngsi-ld/v1'.
import type { FastifyPluginAsync } from 'fastify';
import type { Actor } from '../../core/access.ts';
import { BadRequestData, Forbidden, OperationNotSupported, ResourceNotFound } from '../../core/errors.ts';
import { CORE_CONTEXT_URL } from './builtin-contexts.ts';
import { pathSegment } from '../http/location.ts';
import type { ContextService } from './context.resolver.ts';
import { CONTEXTS_PATH, CONTEXT_KINDS, type ContextKind, type StoredContext } from './context.store.ts';

type Query = Record<string, string | undefined>;

function flag(query: Query, name: string): boolean {
  const v = query[name];
  if (v === undefined || v === 'false') return false;
  if (v === 'true') return true;
  throw new BadRequestData(`The query parameter "${name}" must be true or false, got "${v.slice(0, 50)}"`);
}

function kindOf(query: Query): ContextKind | undefined {
  const v = query.kind;
  if (v === undefined) return undefined;
  const k = CONTEXT_KINDS.find((x) => x.toLowerCase() === v.toLowerCase());
  if (!k) throw new BadRequestData(`Unknown @context kind "${v.slice(0, 50)}"; use Hosted, Cached or ImplicitlyCreated`);
  return k;
}

/** Metadata of a stored @context (clause 5.13.3.5). */
export function contextDetails(e: StoredContext): Record<string, unknown> {
  const created = new Date(e.createdAt).toISOString();
  return {
    URL: e.url,
    localId: e.localId,
    kind: e.kind,
    // V1.9 names the creation time "createdAt"; earlier versions "timestamp". Both are given.
    createdAt: created,
    timestamp: created,
    ...(e.expiresAt !== undefined ? { expiresAt: new Date(e.expiresAt).toISOString() } : {}),
    ...(e.lastUsage !== undefined ? { lastUsage: new Date(e.lastUsage).toISOString() } : {}),
    numberOfHits: e.hits,
    ...(e.origin ? { extraInfo: { origin: e.origin } } : {}),
  };
}

export function contextRoutes(service: ContextService): FastifyPluginAsync {
  return async (app) => {
    // POST bodies may be sent as application/ld+json too (the OpenAPI of 6.30 lists both).
    if (!app.hasContentTypeParser('application/ld+json')) {
      app.addContentTypeParser('application/ld+json', { parseAs: 'string' }, (_req, body, done) => {
        try {
          done(null, JSON.parse(body as string));
        } catch (e) {
          (e as { statusCode?: number }).statusCode = 400;
          done(e as Error, undefined);
        }
      });
    }

    // 5.13.3 List @contexts
    app.get('/jsonldContexts', async (req) => {
      const q = req.query as Query;
      const details = flag(q, 'details');
      const entries = service.list(kindOf(q));
      return details ? entries.map(contextDetails) : entries.map((e) => e.url);
    });

    // 5.13.2 Add @context: the entry becomes "Hosted"; Location gives its local URI.
    app.post('/jsonldContexts', async (req, reply) => {
      const body = req.body as Record<string, unknown> | undefined;
      if (body === null || typeof body !== 'object' || Array.isArray(body) || !('@context' in body)) {
        throw new BadRequestData('The body must be a JSON object with an "@context" member (clause 5.13.2.3)');
      }
      // "all extra information located outside of the @context subtree ... shall be discarded" (5.13.2.3)
      const entry = await service.addHosted(body['@context'], req.actor?.id);
      return reply.code(201).header('Location', CONTEXTS_PATH + pathSegment(entry.localId)).send();
    });

    // 5.13.4 Serve @context: content for Hosted/ImplicitlyCreated, metadata for any kind with details=true.
    app.get('/jsonldContexts/:contextId', async (req, reply) => {
      const q = req.query as Query;
      const details = flag(q, 'details');
      const entry = lookup(service, (req.params as { contextId: string }).contextId);
      if (details) return contextDetails(entry);
      if (entry.kind === 'Cached') {
        throw new OperationNotSupported(
          `The @context ${entry.url} is of kind Cached; the broker only serves Hosted and ImplicitlyCreated @contexts (clause 5.13.4.4). `
          + 'Fetch it from its URL, or ask for its metadata with ?details=true',
        );
      }
      return reply.type('application/ld+json').send({ '@context': entry.context });
    });

    // 5.13.5 Delete and Reload @context
    app.delete('/jsonldContexts/:contextId', async (req, reply) => {
      const q = req.query as Query;
      const reload = flag(q, 'reload');
      const entry = lookup(service, (req.params as { contextId: string }).contextId);
      if ((entry.kind === 'Cached' && entry.origin !== 'remote') || (entry.kind === 'Hosted' && entry.origin === 'builtin')) {
        // Not covered by 5.13.5: the core @context is "protected and shall remain immutable" (clause 4.4) and is
        // implicitly present in every request, so it cannot be removed; the same goes for the other preloaded
        // contexts, which are configuration. Rejected as BadRequestData, the error 5.13.5.4 uses for a delete
        // or reload that does not apply to the addressed entry.
        const which = entry.url === CORE_CONTEXT_URL ? 'the NGSI-LD core @context, which is built in and immutable (clause 4.4)'
          : entry.origin === 'contextMap' ? `preloaded from DREHSCHEIBE_CONTEXT_MAP; change that setting to replace or drop it`
            : 'shipped with Drehscheibe and preloaded';
        throw new BadRequestData(`The @context ${entry.url} cannot be ${reload ? 'reloaded' : 'deleted'}: it is ${which}`);
      }
      mayChange(req.actor, entry, reload);
      if (reload) {
        if (entry.kind !== 'Cached') {
          throw new BadRequestData(`Only Cached @contexts can be reloaded (clause 5.13.5.4); ${entry.url} is ${entry.kind}`);
        }
        await service.reload(entry);
      } else {
        await service.remove(entry);
      }
      return reply.code(204).send();
    });
  };
}

/**
 * The @context store is one for all tenants, so a tenant's rights cannot decide over its entries
 * (docs/security.md): a Hosted @context is deleted by the principal that added it, anything else
 * (and any entry) by an operator not limited to tenants. Access control off: no actor, no check.
 */
function mayChange(actor: Actor | undefined, entry: StoredContext, reload: boolean): void {
  if (!actor || actor.global) return;
  if (entry.kind === 'Hosted' && entry.owner === actor.id) return;
  const what = entry.kind === 'Hosted' ? `it was added by another principal; only that principal or` : `${entry.kind} @contexts are shared by all tenants; only`;
  throw new Forbidden(`${actor.id} may not ${reload ? 'reload' : 'delete'} the @context ${entry.url}: ${what} an operator for all tenants may`);
}

function lookup(service: ContextService, id: string): StoredContext {
  if (!id) throw new BadRequestData('No @context identifier given (clause 5.13.5.4)');
  const entry = service.find(id);
  if (!entry) throw new ResourceNotFound(`No stored @context has the local id or URL "${id.slice(0, 300)}"`);
  return entry;
}
