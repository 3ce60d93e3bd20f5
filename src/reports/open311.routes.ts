// Open311 GeoReport v2 at /open311/v2: services, service definitions, service requests (create,
// list, get) in JSON and XML. Reading is public; creating needs an api_key (an API key of the
// platform's one mechanism, docs/security.md). Errors are the spec's error list with code and
// description, in the requested format, with the code as the HTTP status.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ProblemError } from '../core/errors.ts';
import { open311Status, type ReportStatus } from './reports.model.ts';
import type { ReportFilter } from './reports.port.ts';
import { contentType, render, service, serviceRequest, type Format } from './open311.format.ts';
import { ReportProblem, type ReportService } from './reports.service.ts';
import { acceptForms } from '../core/http.ts';

export interface Open311Deps {
  service: ReportService;
  /** Checks an api_key; returns the principal id ("key:<name>") or throws (Unauthorized/Forbidden). */
  authenticate?: (key: string) => Promise<string>;
  /** Names accepted as jurisdiction_id (the tenant, the public host). */
  jurisdictions: readonly string[];
  /** Per-address limit of new reports: returns seconds to wait (0 = go ahead). */
  limit: (req: FastifyRequest) => number;
  clock: { now(): Date };
}

class Open311Error extends Error {
  constructor(readonly code: number, readonly descriptions: string[]) { super(descriptions.join('; ')); }
}

const open = { config: { access: { op: 'public' as const } } };
const DAY = 86_400_000;
const MAX_PAGE = 1000;

type Req = FastifyRequest<{ Params: { file?: string }; Querystring: Record<string, string | string[] | undefined> }>;

function formatOf(req: FastifyRequest): Format {
  const path = req.url.split('?')[0]!;
  return path.endsWith('.xml') ? 'xml' : 'json';
}

function send(reply: FastifyReply, f: Format, status: number, root: string, body: Parameters<typeof render>[2]): FastifyReply {
  return reply.status(status).header('Content-Type', contentType(f)).send(render(f, root, body));
}

/** The value of a query or form parameter (the first when repeated). */
function param(src: Record<string, unknown> | undefined, name: string): string | undefined {
  const v = src?.[name];
  const s = Array.isArray(v) ? v[0] : v;
  return typeof s === 'string' ? s : typeof s === 'number' ? String(s) : undefined;
}

function date(v: string | undefined, name: string): string | undefined {
  if (v === undefined || v === '') return undefined;
  // ISO 8601 with a time zone (the spec's w3c subset), or a plain date (read as UTC midnight).
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/.test(v) || Number.isNaN(Date.parse(v))) {
    throw new Open311Error(400, [`${name} must be an ISO 8601 date-time with a time zone, e.g. 2010-04-14T06:37:38-08:00`]);
  }
  return new Date(v).toISOString();
}

export async function open311Routes(app: FastifyInstance, d: Open311Deps): Promise<void> {
  const s = d.service;
  acceptForms(app, 64 * 1024);

  app.setErrorHandler((err, req, reply) => {
    const f = formatOf(req);
    let code: number;
    let descriptions: string[];
    if (err instanceof Open311Error) ({ code, descriptions } = err);
    else if (err instanceof ReportProblem && err.problems.length) { code = err.status; descriptions = err.problems.map((p) => p.message); }
    else if (err instanceof ProblemError) { code = err.status; descriptions = [err.detail]; }
    else {
      const sc = (err as { statusCode?: number }).statusCode;
      if (typeof sc === 'number' && sc >= 400 && sc < 500) { code = sc; descriptions = [(err as Error).message]; }
      else {
        req.log.error({ err }, 'open311 request failed');
        code = 500; descriptions = ['An internal error occurred; it has been logged'];
      }
    }
    if (code === 429) reply.header('Retry-After', String((err as { retryAfterS?: number }).retryAfterS ?? 60));
    return send(reply, f, code, 'errors', descriptions.map((description) => ({ code, description })));
  });
  app.setNotFoundHandler((req, reply) => send(reply, formatOf(req), 404, 'errors', [{ code: 404, description: `No GeoReport v2 resource at ${req.method} ${req.url.split('?')[0]}` }]));

  const jurisdiction = (req: FastifyRequest) => {
    const j = param(req.query as Record<string, unknown>, 'jurisdiction_id') ?? param(req.body as Record<string, unknown>, 'jurisdiction_id');
    if (j !== undefined && j !== '' && !d.jurisdictions.includes(j)) throw new Open311Error(404, [`jurisdiction_id "${j.slice(0, 100)}" is not served here; use ${d.jurisdictions.map((x) => `"${x}"`).join(' or ')}`]);
  };
  const langOf = (req: FastifyRequest): 'de' | 'en' => (/^en\b/i.test(param(req.query as Record<string, unknown>, 'locale') ?? '') ? 'en' : 'de');
  const both = (path: string) => [path, `${path}.json`, `${path}.xml`];

  // GET Service List
  for (const url of both('/services')) {
    app.get(url, open, async (req, reply) => {
      jurisdiction(req);
      const lang = langOf(req);
      return send(reply, formatOf(req), 200, 'services', (await s.categories()).map((c) => service(c, lang)));
    });
  }
  // GET Service Definition
  app.get('/services/:file', open, async (req: Req, reply) => {
    jurisdiction(req);
    const code = req.params.file!.replace(/\.(json|xml)$/, '');
    const c = await s.category(code);
    if (!c) throw new Open311Error(404, [`service_code "${code.slice(0, 50)}" is not a known service`]);
    return send(reply, formatOf(req), 200, 'service_definition', { service_code: c.code, attributes: [] });
  });

  // POST Service Request
  for (const url of both('/requests')) {
    app.post(url, open, async (req, reply) => {
      const body = (req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, unknown>;
      const q = req.query as Record<string, unknown>;
      const get = (n: string) => param(body, n) ?? param(q, n);
      jurisdiction(req);
      let source = 'open311';
      if (d.authenticate) {
        const key = get('api_key') ?? (typeof req.headers['x-api-key'] === 'string' ? req.headers['x-api-key'] : undefined);
        if (!key) throw new Open311Error(400, ['api_key is required to create a service request']);
        try {
          source = await d.authenticate(key);
        } catch {
          throw new Open311Error(403, ['Invalid api_key received -- can\'t proceed with create_request.']);
        }
      }
      const wait = d.limit(req);
      if (wait > 0) {
        reply.header('Retry-After', String(wait));
        throw new Open311Error(429, [`Too many new requests from this address; retry after ${wait} s`]);
      }
      if (get('address_id') && !get('address_string') && get('lat') === undefined) throw new Open311Error(400, ['address_id is not supported here; send lat and long, or address_string']);
      const r = await s.create({
        category: get('service_code'), description: get('description'), lat: get('lat'), lon: get('long'), address: get('address_string'),
        email: get('email'), firstName: get('first_name'), lastName: get('last_name'), phone: get('phone'), deviceId: get('device_id'), accountId: get('account_id'),
        lang: langOf(req),
      }, source);
      const f = formatOf(req);
      reply.header('Location', `/open311/v2/requests/${r.id}.${f}`);
      return send(reply, f, 201, 'service_requests', [{ service_request_id: r.id, service_notice: null, account_id: null }]);
    });
  }

  // GET Service Requests
  for (const url of both('/requests')) {
    app.get(url, open, async (req, reply) => {
      jurisdiction(req);
      const q = req.query as Record<string, unknown>;
      const lang = langOf(req);
      const list = (n: string) => param(q, n)?.split(',').map((x) => x.trim()).filter(Boolean);
      const filter: ReportFilter = {};
      const ids = list('service_request_id');
      let limit = MAX_PAGE;
      let offset = 0;
      if (ids) {
        // The spec: with service_request_id every other parameter is ignored.
        filter.ids = ids.slice(0, MAX_PAGE);
      } else {
        const codes = list('service_code');
        if (codes) filter.categories = codes;
        const st = list('status');
        if (st) {
          const bad = st.filter((x) => x !== 'open' && x !== 'closed');
          if (bad.length) throw new Open311Error(400, [`status must be open or closed (comma-separated), not "${bad[0]!.slice(0, 30)}"`]);
          const statuses: ReportStatus[] = [];
          for (const x of ['received', 'in_progress', 'done', 'rejected'] as const) if (st.includes(open311Status(x))) statuses.push(x);
          filter.statuses = statuses;
        }
        const start = date(param(q, 'start_date'), 'start_date');
        const end = date(param(q, 'end_date'), 'end_date');
        if (start && end && start > end) throw new Open311Error(400, ['start_date must not be after end_date']);
        // The spec's default window: the last 90 days (or 90 days before end_date).
        filter.from = start ?? new Date((end ? Date.parse(end) : d.clock.now().getTime()) - 90 * DAY).toISOString();
        if (end) filter.to = new Date(Date.parse(end) + 1).toISOString();
        // Paging (the widely implemented extension): page from 1, page_size up to 1000.
        const ps = param(q, 'page_size');
        const pg = param(q, 'page');
        if (ps !== undefined) {
          if (!/^\d{1,4}$/.test(ps) || Number(ps) < 1 || Number(ps) > MAX_PAGE) throw new Open311Error(400, [`page_size must be 1 to ${MAX_PAGE}`]);
          limit = Number(ps);
        }
        if (pg !== undefined) {
          if (!/^\d{1,6}$/.test(pg) || Number(pg) < 1) throw new Open311Error(400, ['page must be a whole number from 1']);
          offset = (Number(pg) - 1) * limit;
        }
      }
      const f = formatOf(req);
      // The rendered answer is cached briefly (the default window moves with the clock; writes drop it).
      const body = await s.cachedRead(`o311:${lang}:${req.url}`, async () => {
        const [reports, cats] = await Promise.all([s.list(filter, { limit, offset }), s.categories()]);
        const byCode = new Map(cats.map((c) => [c.code, c]));
        return render(f, 'service_requests', reports.map((r) => serviceRequest(r, byCode.get(r.category), lang, s.mediaUrl(r))));
      });
      return reply.status(200).header('Content-Type', contentType(f)).send(body);
    });
  }

  // GET Service Request
  app.get('/requests/:file', open, async (req: Req, reply) => {
    jurisdiction(req);
    const id = req.params.file!.replace(/\.(json|xml)$/, '');
    const r = await s.store.get(id);
    if (!r) throw new Open311Error(404, [`service_request_id "${id.slice(0, 30)}" does not exist`]);
    return send(reply, formatOf(req), 200, 'service_requests', [serviceRequest(r, await s.category(r.category), langOf(req), s.mediaUrl(r))]);
  });

  // Service discovery (the spec's companion document).
  for (const url of ['/discovery', '/discovery.json', '/discovery.xml']) {
    app.get(url, open, async (req, reply) => send(reply, formatOf(req), 200, 'discovery', {
      changeset: '2026-12-01T00:00:00Z', contact: 'Siehe Impressum / see imprint', key_service: 'API keys are issued by the platform operator (POST /admin/keys)',
      endpoints: [{ specification: 'http://wiki.open311.org/GeoReport_v2', url: '/open311/v2', changeset: '2026-12-01T00:00:00Z', type: 'production', formats: ['application/json', 'text/xml'] }],
    }));
  }
}
