// OpenAPI rows and schemas of the defect reports (Mängelmelder): Open311 GeoReport v2 at /open311/v2
// (JSON and XML, the spec's error list) and the staff JSON API at /api/reports. The schemas follow
// src/reports/reports.validate.ts and open311.format.ts.
import { REPORT_LIMITS as L, REPORT_STATUSES } from '../../reports/index.ts';
import { json, jsonBody, oneOfValues, ref, type Operation, type Param, type Schema } from './openapi.model.ts';

const O = '/open311/v2';
const FORMATS = [['', 'JSON (the default)'], ['.json', 'JSON'], ['.xml', 'XML']] as const;
const JURISDICTION: Param = { name: 'jurisdiction_id', description: 'Optional: the tenant or this server\'s host name (others: 404)', schema: { type: 'string' } };
const LOCALE: Param = { name: 'locale', description: 'en: English names and notes (default German)', schema: { type: 'string', examples: ['de', 'en'] } };
/** The answer in the format the path names: a bare JSON array, or XML under the spec's root element. */
const answer = (suffix: string, item: string, root: string): Record<string, Schema> => (suffix === '.xml'
  ? { 'text/xml': { type: 'string', description: `<${root}> with one element per item` } }
  : json({ type: 'array', items: ref(item) }));
const idOf = (method: string, what: string, suffix: string) => `${method}Open311${what}${suffix === '.xml' ? 'Xml' : suffix === '.json' ? 'Json' : ''}`;

const CREATE_FIELDS: Record<string, Schema> = {
  service_code: { type: 'string', description: 'A category code (GET services)' },
  description: { type: 'string', minLength: 1, maxLength: L.description },
  lat: { type: 'string', description: 'Latitude in decimal degrees (WGS 84); with long, or address_string instead' },
  long: { type: 'string', description: 'Longitude in decimal degrees (WGS 84)' },
  address_string: { type: 'string', maxLength: L.address },
  email: { type: 'string', format: 'email', maxLength: L.email, description: 'For status mails; never published' },
  first_name: { type: 'string', maxLength: L.name }, last_name: { type: 'string', maxLength: L.name }, phone: { type: 'string', maxLength: L.phone },
  device_id: { type: 'string', maxLength: L.name }, account_id: { type: 'string', maxLength: L.name },
  api_key: { type: 'string', description: 'The API key (or the X-API-Key header)' },
  jurisdiction_id: { type: 'string' }, locale: { type: 'string' },
};
const CREATE: Schema = { type: 'object', required: ['service_code', 'description'], properties: CREATE_FIELDS, description: 'A location is required: lat and long, or address_string; address_id is not supported' };
const LIST: Param[] = [
  JURISDICTION, LOCALE,
  { name: 'service_request_id', description: 'Ids, comma-separated (every other parameter is then ignored)', schema: { type: 'string' } },
  { name: 'service_code', description: 'Category codes, comma-separated', schema: { type: 'string' } },
  { name: 'status', description: 'open, closed or both, comma-separated', schema: { type: 'string', examples: ['open', 'open,closed'] } },
  { name: 'start_date', description: 'From (ISO 8601 with time zone, or a date); default 90 days before end_date', schema: { type: 'string' } },
  { name: 'end_date', description: 'Until (inclusive); default now', schema: { type: 'string' } },
  { name: 'page', description: 'Page from 1 (paging extension)', schema: { type: 'integer', minimum: 1 } },
  { name: 'page_size', description: 'Page size, at most 1000 (default 1000)', schema: { type: 'integer', minimum: 1, maximum: 1000 } },
];

export const REPORT_OPERATIONS: Operation[] = [
  ...FORMATS.map(([s, f]): Operation => ({ method: 'GET', path: `${O}/discovery${s}`, id: idOf('get', 'Discovery', s), tag: 'Open311', summary: `Service discovery, ${f}`, access: 'public', errors: [404], answer: s === '.xml' ? { 'text/xml': { type: 'string' } } : json(ref('Open311Discovery')) })),
  ...FORMATS.map(([s, f]): Operation => ({ method: 'GET', path: `${O}/services${s}`, id: idOf('get', 'Services', s), tag: 'Open311', summary: `Service list (the report categories), ${f}`, access: 'public', errors: [404], query: [JURISDICTION, LOCALE], answer: answer(s, 'Open311Service', 'services') })),
  {
    method: 'GET', path: `${O}/services/{file}`, tag: 'Open311', summary: 'Service definition (no extra attributes: attributes is empty)', access: 'public', query: [JURISDICTION],
    pathParams: { file: { description: 'The service_code with .json or .xml', schema: { type: 'string', examples: ['schlagloch.json'] } } },
    answer: { 'application/json': ref('Open311ServiceDefinition'), 'text/xml': { type: 'string', description: '<service_definition>' } },
  },
  ...FORMATS.map(([s, f]): Operation => ({
    method: 'POST', path: `${O}/requests${s}`, id: idOf('post', 'Requests', s), tag: 'Open311', summary: `Report a defect (create a service request), ${f}`, access: 'key',
    description: 'Needs an API key with write access when access control is on (api_key or X-API-Key; 403 for a wrong key). New reports are rate-limited per address (429 with Retry-After). Parameters may also be given in the query string.',
    body: { required: true, content: { 'application/x-www-form-urlencoded': CREATE, 'application/json': CREATE } },
    ok: 201, answer: s === '.xml' ? { 'text/xml': { type: 'string', description: '<service_requests><request><service_request_id>' } } : json({ type: 'array', items: ref('Open311Created') }),
    answerHeaders: { Location: 'The new request\'s URL' }, errors: [404, 429],
  })),
  ...FORMATS.map(([s, f]): Operation => ({ method: 'GET', path: `${O}/requests${s}`, id: idOf('get', 'Requests', s), tag: 'Open311', summary: `Service requests (the reports), newest window of 90 days by default, ${f}`, access: 'public', query: LIST, answer: answer(s, 'Open311Request', 'service_requests'), errors: [404] })),
  {
    method: 'GET', path: `${O}/requests/{file}`, tag: 'Open311', summary: 'One service request', access: 'public', query: [JURISDICTION, LOCALE],
    pathParams: { file: { description: 'The service_request_id with .json or .xml', schema: { type: 'string', examples: ['17.json'] } } },
    answer: { 'application/json': { type: 'array', items: ref('Open311Request'), minItems: 1, maxItems: 1 }, 'text/xml': { type: 'string', description: '<service_requests>' } },
  },
  // Staff API
  { method: 'GET', path: '/api/reports/categories', tag: 'Reports', summary: 'The report categories', access: 'public', answer: json({ type: 'array', items: ref('ReportCategory') }) },
  { method: 'PUT', path: '/api/reports/categories', tag: 'Reports', summary: 'Replace the category list (steward or operator)', access: 'staff', description: 'Needs the steward or operator role.', body: jsonBody({ type: 'array', minItems: 1, items: ref('ReportCategory'), description: 'Codes unique' }), answer: json({ type: 'array', items: ref('ReportCategory') }) },
  { method: 'GET', path: '/api/reports/{id}', tag: 'Reports', summary: 'A report\'s public record with its history (never the reporter\'s contact)', access: 'public', pathParams: { id: { description: 'The report\'s id (the Open311 service_request_id)' } }, answer: json(ref('ReportWithHistory')) },
  {
    method: 'PATCH', path: '/api/reports/{id}', tag: 'Reports', summary: 'Change a report: status, note, answer, department, photo release (moderator, steward or operator)', access: 'staff',
    description: 'Needs the moderator, steward or operator role. A rejection needs a note (the reason). With expectedUpdatedAt, a report changed meanwhile gives 409.',
    pathParams: { id: { description: 'The report\'s id' } }, body: jsonBody(ref('ReportChange')), answer: json(ref('Report')), errors: [409],
  },
];

const STATUS = oneOfValues(REPORT_STATUSES, 'received → in_progress → done | rejected; done and rejected may be reopened to in_progress');
const TEXT2: Schema = { type: 'object', required: ['de', 'en'], properties: { de: { type: 'string', minLength: 1 }, en: { type: 'string', minLength: 1 } } };

export const REPORT_SCHEMAS: Record<string, Schema> = {
  Open311Service: {
    type: 'object', required: ['service_code', 'service_name', 'description', 'metadata', 'type', 'keywords', 'group'],
    properties: { service_code: { type: 'string' }, service_name: { type: 'string' }, description: { type: 'string' }, metadata: { const: false }, type: { const: 'realtime' }, keywords: { type: 'string', description: 'Comma-separated' }, group: { type: 'string' } },
  },
  Open311ServiceDefinition: { type: 'object', required: ['service_code', 'attributes'], properties: { service_code: { type: 'string' }, attributes: { type: 'array', maxItems: 0 } } },
  Open311Request: {
    type: 'object', required: ['service_request_id', 'status', 'service_code', 'requested_datetime', 'updated_datetime'],
    properties: {
      service_request_id: { type: 'string' }, status: { enum: ['open', 'closed'] }, status_notes: { type: 'string', description: 'Our workflow\'s step and note, e.g. "Abgelehnt: Privatgrundstück"' },
      service_name: { type: 'string' }, service_code: { type: 'string' }, description: { type: 'string' },
      agency_responsible: { type: ['string', 'null'] }, service_notice: { type: ['string', 'null'], description: 'The city\'s answer' },
      requested_datetime: { type: 'string', format: 'date-time' }, updated_datetime: { type: 'string', format: 'date-time' }, expected_datetime: { type: 'null' },
      address: { type: ['string', 'null'] }, address_id: { type: 'null' }, zipcode: { type: 'null' },
      lat: { type: ['number', 'null'] }, long: { type: ['number', 'null'] }, media_url: { type: ['string', 'null'], description: 'The photo, once released' },
    },
  },
  Open311Created: { type: 'object', required: ['service_request_id'], properties: { service_request_id: { type: 'string' }, service_notice: { type: 'null' }, account_id: { type: 'null' } } },
  Open311Discovery: {
    type: 'object', properties: {
      changeset: { type: 'string' }, contact: { type: 'string' }, key_service: { type: 'string' },
      endpoints: { type: 'array', items: { type: 'object', properties: { specification: { type: 'string' }, url: { type: 'string' }, changeset: { type: 'string' }, type: { type: 'string' }, formats: { type: 'array', items: { type: 'string' } } } } },
    },
  },
  Open311Error: { type: 'array', items: { type: 'object', required: ['code', 'description'], properties: { code: { type: 'integer', description: 'Also the HTTP status' }, description: { type: 'string' } } } },
  ReportCategory: {
    type: 'object', required: ['code', 'group', 'name', 'description'],
    properties: {
      code: { type: 'string', pattern: '^[a-z0-9_-]{1,40}$' }, group: { type: 'string', minLength: 1, description: 'Open311 group' }, name: TEXT2, description: TEXT2,
      keywords: { type: 'array', items: { type: 'string' } }, department: { type: 'string', description: 'Where a new report goes by default' },
    },
  },
  Report: {
    type: 'object', required: ['id', 'category', 'description', 'status', 'requestedAt', 'updatedAt'],
    properties: {
      id: { type: 'string' }, category: { type: 'string' }, description: { type: 'string' }, lat: { type: 'number' }, lon: { type: 'number' }, address: { type: 'string' },
      status: STATUS, statusNote: { type: 'string' }, answer: { type: 'string' }, department: { type: 'string' },
      requestedAt: { type: 'string', format: 'date-time' }, updatedAt: { type: 'string', format: 'date-time' },
      photo: { type: 'object', properties: { state: { enum: ['pending', 'released', 'rejected'] }, contentType: { enum: ['image/jpeg', 'image/png'] }, width: { type: 'integer' }, height: { type: 'integer' }, bytes: { type: 'integer' } } },
      source: { type: 'string', description: '"web" or the API key\'s principal (staff answers only)' },
    },
  },
  ReportWithHistory: {
    allOf: [ref('Report'), { type: 'object', required: ['history'], properties: { history: { type: 'array', items: { type: 'object', required: ['at', 'status'], properties: { at: { type: 'string', format: 'date-time' }, status: STATUS, note: { type: 'string' } } } } } }],
  },
  ReportChange: {
    type: 'object',
    properties: {
      status: STATUS, note: { type: 'string', maxLength: L.note, description: 'Reason of a rejection (required then) or note of the change' },
      answer: { type: 'string', description: 'The city\'s public answer' }, department: { type: 'string' },
      photo: { enum: ['released', 'rejected'] }, expectedUpdatedAt: { type: 'string', format: 'date-time', description: 'The updatedAt the change was made on' },
    },
  },
};
