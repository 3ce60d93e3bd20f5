// The OpenAPI 3.1 description of all of Drehscheibe's own endpoints, built from hand-written rows (one
// per operation) in openapi.platform.ts (NGSI-LD, IoT, admin, accounts, strategy, operations) and one
// file per further domain (catalogue, participation, reports and Open311, NGSIv2). A test compares
// the rows with the routes the app really registers (test/portal-admin/openapi.test.ts): a route
// without a row fails it, and an OpenAPI 3.1 validator checks the document.
import { TENANT_NAME } from '../../core/tenant.ts';
import { CATALOG_OPERATIONS, CATALOG_SCHEMAS } from './openapi.catalog.ts';
import { pattern, ref, type Access, type Body, type Operation, type Param, type Schema } from './openapi.model.ts';
import { NGSIV2_OPERATIONS, NGSIV2_SCHEMAS } from './openapi.ngsiv2.ts';
import { PARTICIPATION_OPERATIONS, PARTICIPATION_SCHEMAS } from './openapi.participation.ts';
import { BODIES, PLATFORM_OPERATIONS, QUERY_DOC } from './openapi.platform.ts';
import { PLATFORM_SCHEMAS } from './openapi.platform-schemas.ts';
import { NGSI_LD_SCHEMAS } from './openapi.ngsi-ld-schemas.ts';
import { REPORT_OPERATIONS, REPORT_SCHEMAS } from './openapi.reports.ts';

export type { Access, Operation } from './openapi.model.ts';

/** How a family of operations answers errors: a name of components.responses. */
type ErrorFormat = 'Problem' | 'ApiProblem' | 'CkanError' | 'Open311Error' | 'V2Error';

export const TAGS: Array<{ name: string; description: string; errors: ErrorFormat }> = [
  { name: 'NGSI-LD', errors: 'Problem', description: 'ETSI GS CIM 009 context information API (entities, batch operations, discovery, temporal, subscriptions, @context management); tenant by the NGSILD-Tenant header. Errors: application/json with ETSI error types.' },
  { name: 'IoT', errors: 'Problem', description: 'FIWARE IoT Agent JSON compatible provisioning and measurements; LoRaWAN network-server webhooks.' },
  { name: 'Admin', errors: 'Problem', description: 'Administration for operators: API keys, audit log, access policy, users, sessions, mail outbox.' },
  { name: 'Konto', errors: 'Problem', description: 'People\'s accounts: login (local and OpenID Connect), logout, sessions, password change and reset. Form posts or JSON.' },
  { name: 'Strategy', errors: 'Problem', description: 'The digital strategy: fields of action, projects, organisations, events, KPIs.' },
  { name: 'Catalog', errors: 'ApiProblem', description: 'The open-data catalogue (DCAT-AP.de datasets): public search and downloads; stewards create, check, publish and upload. Errors: application/problem+json naming each field.' },
  { name: 'DCAT-AP', errors: 'ApiProblem', description: 'The catalogue in DCAT-AP.de RDF for harvesters (Turtle, RDF/XML, JSON-LD), paged with hydra, at persistent IRIs.' },
  { name: 'CKAN', errors: 'CkanError', description: 'The read-only CKAN Action API v3 (CKAN 2.10 shapes) over the same catalogue.' },
  { name: 'Participation', errors: 'ApiProblem', description: 'Processes with phases, proposals, comments, support, moderation, official answers, participatory budgets; people act through their session.' },
  { name: 'Open311', errors: 'Open311Error', description: 'Defect reports (Mängelmelder) by Open311 GeoReport v2, JSON and XML; errors are the spec\'s list of {code, description}.' },
  { name: 'Reports', errors: 'ApiProblem', description: 'The staff side of the defect reports: categories, status workflow, answers, photo release.' },
  { name: 'NGSIv2', errors: 'V2Error', description: 'The NGSIv2 API (Orion\'s shapes) for FIWARE components that only speak NGSIv2; tenant by Fiware-Service, scope by Fiware-ServicePath. Errors: {error, description}.' },
  { name: 'Operations', errors: 'Problem', description: 'Health, readiness, metrics, version, and this description.' },
];

export const OPERATIONS: Operation[] = [...PLATFORM_OPERATIONS, ...CATALOG_OPERATIONS, ...PARTICIPATION_OPERATIONS, ...REPORT_OPERATIONS, ...NGSIV2_OPERATIONS];

const SECURITY: Record<Access, Array<Record<string, string[]>>> = {
  public: [],
  device: [],
  session: [{ session: [] }],
  person: [{ session: [] }],
  read: [{}, { apiKey: [] }, { bearer: [] }],
  write: [{ apiKey: [] }, { bearer: [] }, { session: [] }],
  staff: [{ apiKey: [] }, { bearer: [] }, { session: [] }],
  subscriptions: [{ apiKey: [] }, { bearer: [] }],
  admin: [{ apiKey: [] }, { bearer: [] }, { session: [] }],
  key: [{ open311Key: [] }, { apiKey: [] }],
};

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad request: invalid parameters or body (each problem is named)',
  401: 'Authentication is required or has failed',
  403: 'Forbidden: the credential lacks the role, grant or phase',
  404: 'Not found',
  409: 'Conflict: exists already, changed meanwhile, or not possible now',
  413: 'Payload too large',
  415: 'Unsupported media type',
  422: 'Unprocessable: exists already, or an attribute is missing',
  429: 'Too many requests (see Retry-After)',
  501: 'Not implemented by this broker',
};

const SUCCESS_TEXT = (status: number): string => (status === 204 ? 'Done, no content' : status === 201 ? 'Created' : status === 202 ? 'Accepted' : status === 302 || status === 303 ? 'Redirect' : 'Success');

const operationId = (op: Operation): string => op.id
  ?? `${op.method.toLowerCase()}${op.path.replace(/\{([^}]+)\}/g, 'By-$1').replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`;

const content = (c: Record<string, Schema>) => Object.fromEntries(Object.entries(c).map(([type, schema]) => [type, { schema }]));

function parameters(op: Operation): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [...op.path.matchAll(/\{([^}]+)\}/g)].map((m) => {
    const p = op.pathParams?.[m[1]];
    return { name: m[1], in: 'path', required: true, ...(p ? { description: p.description } : {}), schema: p?.schema ?? { type: 'string' } };
  });
  for (const q of op.query ?? []) {
    const p: Param = typeof q === 'string' ? { name: q, description: QUERY_DOC[q] ?? q } : q;
    out.push({ name: p.name, in: p.in ?? 'query', required: p.required ?? false, description: p.description, schema: p.schema ?? { type: 'string' } });
  }
  const headers = [...(op.headers ?? [])];
  if (op.tag === 'NGSI-LD') headers.push('Tenant');
  if (op.tag === 'IoT' && op.access === 'write') headers.push('FiwareService', 'FiwareServicePath');
  // A write made with the session cookie carries the session's CSRF token (src/accounts/csrf.ts).
  if (op.method !== 'GET' && SECURITY[op.access].some((s) => 'session' in s)) headers.push('CsrfToken');
  for (const h of headers) out.push({ $ref: `#/components/parameters/${h}` });
  return out;
}

function requestBody(body: Operation['body']): Record<string, unknown> | undefined {
  if (!body) return undefined;
  const b: Body = typeof body === 'string' ? BODIES[body] : body;
  return { ...(b.description ? { description: b.description } : {}), required: b.required ?? false, content: content(b.content) };
}

function responses(op: Operation, errors: ErrorFormat): Record<string, unknown> {
  const ok = op.ok ?? 200;
  const out: Record<string, unknown> = {
    [ok]: {
      description: SUCCESS_TEXT(ok),
      ...(op.answerHeaders ? { headers: Object.fromEntries(Object.entries(op.answerHeaders).map(([h, d]) => [h, { description: d, schema: { type: 'string' } }])) } : {}),
      ...(op.answer ? { content: content(op.answer) } : {}),
    },
  };
  for (const s of op.alsoOk ?? []) {
    const c = op.answers?.[s];
    out[s] = { description: s === 207 ? 'Partly done: the answer lists what failed' : SUCCESS_TEXT(s), ...(c ? { content: content(c) } : {}) };
  }
  const statuses = new Set([400, ...(op.errors ?? [])]);
  if (op.access === 'key') statuses.add(403);
  else if (op.access !== 'public' && op.access !== 'device') { statuses.add(401); statuses.add(403); }
  if (op.path.includes('{')) statuses.add(404);
  for (const s of [...statuses].sort()) out[s] = { $ref: `#/components/responses/${errors}`, description: STATUS_TEXT[s] };
  return out;
}

/** The document for a server at `baseUrl`. */
export function openApiDocument(baseUrl: string, version: string): Record<string, unknown> {
  const errorsOf = new Map(TAGS.map((t) => [t.name, t.errors]));
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of OPERATIONS) {
    const params = parameters(op);
    const body = requestBody(op.body);
    const description = [op.clause ? `ETSI GS CIM 009 clause ${op.clause}.` : '', op.description ?? ''].filter(Boolean).join(' ');
    paths[op.path] ??= {};
    paths[op.path][op.method.toLowerCase()] = {
      tags: [op.tag], summary: op.summary, operationId: operationId(op),
      ...(description ? { description } : {}),
      ...(params.length ? { parameters: params } : {}),
      ...(body ? { requestBody: body } : {}),
      responses: responses(op, errorsOf.get(op.tag) ?? 'Problem'),
      security: SECURITY[op.access],
      'x-drehscheibe-access': op.access,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Drehscheibe', version,
      description: 'The open urban data platform\'s own endpoints. Errors: NGSI-LD answers application/json with ETSI error types; the catalogue, participation and report APIs application/problem+json with our own type URIs; CKAN, Open311 and NGSIv2 their own envelopes.',
      license: { name: 'EUPL-1.2', identifier: 'EUPL-1.2' },
    },
    servers: [{ url: baseUrl }],
    tags: TAGS.map(({ name, description }) => ({ name, description })),
    paths,
    components: {
      securitySchemes: {
        apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'An API key (also accepted as Authorization: Bearer <key>)' },
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'An OpenID Connect access token of the configured issuer' },
        session: { type: 'apiKey', in: 'cookie', name: 'drehscheibe_session', description: 'A person\'s session (outside /ngsi-ld/v1); writes need the CSRF token (X-CSRF-Token or _csrf)' },
        open311Key: { type: 'apiKey', in: 'query', name: 'api_key', description: 'Open311: an API key of the platform as api_key (query or form field)' },
      },
      parameters: {
        Tenant: { name: 'NGSILD-Tenant', in: 'header', required: false, schema: { type: 'string', pattern: TENANT_NAME.source } },
        FiwareService: { name: 'fiware-service', in: 'header', required: false, description: 'The tenant (NGSIv2: NGSILD-Tenant is accepted too)', schema: { type: 'string', pattern: TENANT_NAME.source } },
        FiwareServicePath: { name: 'fiware-servicepath', in: 'header', required: false, description: 'The service path (NGSI-LD scope); queries may name several, comma-separated, and end in /#', schema: { type: 'string' } },
        CsrfToken: { name: 'X-CSRF-Token', in: 'header', required: false, description: 'The session\'s CSRF token (GET /konto/sitzung); required when the request carries the session cookie', schema: { type: 'string' } },
      },
      responses: {
        Problem: { description: 'A problem', content: content({ 'application/problem+json': ref('ProblemDetails'), 'application/json': ref('ProblemDetails') }) },
        ApiProblem: { description: 'A problem', content: content({ 'application/problem+json': ref('ProblemDetails') }) },
        CkanError: { description: 'CKAN\'s error envelope', content: content({ 'application/json': ref('CkanError') }) },
        Open311Error: { description: 'Open311\'s error list (the code is the HTTP status)', content: content({ 'application/json': ref('Open311Error'), 'text/xml': { type: 'string', description: '<errors><error><code/><description/></error></errors>' } }) },
        V2Error: { description: 'An NGSIv2 error', content: content({ 'application/json': ref('V2Error') }) },
      },
      schemas: {
        ProblemDetails: { type: 'object', required: ['type', 'title'], properties: { type: { type: 'string', format: 'uri' }, title: { type: 'string' }, status: { type: 'integer' }, detail: { type: 'string' }, errors: { type: 'array', items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } } } } } },
        Entity: { type: 'object', required: ['id', 'type'], properties: { id: { type: 'string', description: 'A URI; NGSI-LD writes insist on one, but entities written through NGSIv2 (/v2) keep their plain ids and are answered with them' }, type: { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] }, '@context': {} }, additionalProperties: true },
        Subscription: { type: 'object', required: ['id', 'type'], description: 'An NGSI-LD Subscription (clause 5.2.12) with its notification status', properties: { id: { type: 'string' }, type: { const: 'Subscription' }, notification: { type: 'object' } }, additionalProperties: true },
        TenantContents: {
          type: 'object', required: ['name', 'entities', 'historyEntities', 'historyInstances', 'subscriptions', 'devices', 'serviceGroups', 'kpis', 'datasets', 'portal'], additionalProperties: false,
          properties: {
            name: { type: 'string', pattern: pattern(TENANT_NAME) }, entities: { type: 'integer', minimum: 0 },
            historyEntities: { type: 'integer', minimum: 0, description: 'Entities with history (also ones deleted before)' }, historyInstances: { type: 'integer', minimum: 0, description: 'Attribute instances in the history' },
            subscriptions: { type: 'integer', minimum: 0 }, devices: { type: 'integer', minimum: 0 }, serviceGroups: { type: 'integer', minimum: 0 },
            kpis: { type: 'integer', minimum: 0, description: 'KPIs that use the tenant (read its entities; for the city\'s tenant every KPI: values are written there). A deletion is refused (409 TenantInUse) while any is left' },
            datasets: { type: 'integer', minimum: 0, description: 'Catalogue datasets managed by the tenant\'s stewards or with live data from it. A deletion is refused (409 TenantInUse) while any is left' },
            portal: { type: 'boolean', description: 'The city\'s tenant shown by the portal (deleted only with confirm)' },
          },
        },
        Text2: { type: 'object', properties: { de: { type: 'string' }, en: { type: 'string' } } },
        ProjectInput: {
          type: 'object', required: ['slug', 'fieldId', 'title', 'status'],
          properties: {
            slug: { type: 'string', pattern: '^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$' }, fieldId: { type: 'string' },
            title: ref('Text2'), summary: ref('Text2'), description: ref('Text2'),
            status: { enum: ['idea', 'planning', 'in_progress', 'done'] }, organisationId: { type: 'string' },
            start: { type: 'string', description: 'YYYY-MM or YYYY-MM-DD' }, end: { type: 'string' },
            location: { type: 'object', description: 'GeoJSON Point or Polygon (WGS 84)' },
            entityTypes: { type: 'array', items: { type: 'string' } }, datasets: { type: 'array', items: { type: 'string' } },
          },
        },
        ...PLATFORM_SCHEMAS, ...NGSI_LD_SCHEMAS, ...CATALOG_SCHEMAS, ...PARTICIPATION_SCHEMAS, ...REPORT_SCHEMAS, ...NGSIV2_SCHEMAS,
      },
    },
  };
}
