// Answer schemas of the platform's own APIs (IoT Agent, administration, konto, strategy), written
// after the domain types they describe (ingest.stats.ts, port.auth.ts, port.accounts.ts,
// strategy.model.ts, kpi.model.ts); test/portal-admin/openapi.answers-platform.test.ts holds real
// answers against them. Vocabularies come from the domain modules.
import { KPI_AGGREGATIONS, KPI_PERIODS, KPI_REDUCTIONS } from '../../strategy/kpi.model.ts';
import { PROJECT_STATUSES } from '../../strategy/strategy.model.ts';
import { ref, type Schema } from './openapi.model.ts';

const str: Schema = { type: 'string' };
const time: Schema = { type: 'string', format: 'date-time' };
const count: Schema = { type: 'integer', minimum: 0 };
const strings: Schema = { type: 'array', items: str };
const message: Schema = { type: 'object', required: ['message'], properties: { message: str } };

export const PLATFORM_SCHEMAS: Record<string, Schema> = {
  // IoT Agent (FIWARE IoT Agent JSON conventions; Drehscheibe adds the ingest counters)
  IngestCounters: {
    type: 'object', required: ['received', 'accepted', 'rejected', 'rejectedBy'],
    properties: {
      received: count, accepted: count, rejected: count,
      rejectedBy: { type: 'object', additionalProperties: count, description: 'Rejections per reason' },
      lastSeen: time, lastRejection: { type: 'object', required: ['reason', 'message', 'at'], properties: { reason: str, message: str, at: time } },
      silent: { type: 'boolean', description: 'No message within the silence limit' },
    },
  },
  ServiceGroup: {
    type: 'object', required: ['apikey', 'resource', 'service', 'subservice'], additionalProperties: true,
    description: 'A service group as provisioned (IoT Agent JSON), with its fiware-service and fiware-servicepath; MQTT passwords are never answered',
    properties: { apikey: str, resource: str, entity_type: str, attributes: { type: 'array', items: { type: 'object' } }, service: str, subservice: str },
  },
  Device: {
    type: 'object', required: ['device_id', 'service', 'service_path'], additionalProperties: true,
    description: 'A device as provisioned (IoT Agent JSON), with its ingest status',
    properties: { device_id: str, entity_type: str, entity_name: str, apikey: str, dev_eui: str, service: str, service_path: str, ingest: ref('IngestCounters') },
  },
  IngestMetrics: {
    type: 'object', required: ['total', 'groups', 'devices', 'queued', 'silentAfterSeconds'],
    properties: {
      total: ref('IngestCounters'), groups: { type: 'object', additionalProperties: ref('IngestCounters'), description: 'Per service group (tenant/servicePath)' },
      devices: { type: 'array', items: { allOf: [ref('IngestCounters'), { type: 'object', required: ['tenant', 'servicePath', 'deviceId'], properties: { tenant: str, servicePath: str, deviceId: str, group: str } }] } },
      queued: count, silentAfterSeconds: count,
    },
  },
  // Administration
  ApiKey: {
    type: 'object', required: ['id', 'name', 'prefix', 'roles', 'createdAt'], description: 'An API key as listed: never its secret or hash',
    properties: { id: str, name: str, prefix: str, roles: strings, tenants: strings, types: strings, ops: strings, createdAt: time, createdBy: str, expiresAt: time, revokedAt: time },
  },
  NewApiKey: { allOf: [ref('ApiKey'), { type: 'object', required: ['key'], properties: { key: { type: 'string', description: 'The secret: in this answer only' } } }] },
  AuditEntry: {
    type: 'object', required: ['at', 'principal', 'action', 'status'],
    properties: { at: time, principal: str, action: str, tenant: str, target: str, status: { type: 'integer' }, address: str, requestId: str },
  },
  PolicyView: {
    type: 'object', required: ['source', 'policy', 'defaults'],
    properties: { source: { enum: ['file', 'admin-api'], description: 'Where the policy in force comes from: the policy file, or one stored through PUT /admin/policy' }, policy: { type: 'object' }, defaults: { type: 'object' } },
  },
  User: {
    type: 'object', required: ['id', 'email', 'displayName', 'roles', 'createdAt', 'hasPassword'], description: 'A user: never a password hash',
    properties: {
      id: str, email: str, displayName: str, hasPassword: { type: 'boolean' }, oidcIssuer: str, oidcSubject: str,
      roles: { type: 'array', items: { type: 'object', required: ['role'], properties: { role: str, tenants: strings } } },
      createdAt: time, lastLoginAt: time, emailConfirmedAt: time, disabledAt: time,
      lang: { enum: ['de', 'en'], description: 'The language of the person\'s mails; absent = German' },
    },
  },
  Session: {
    type: 'object', required: ['id', 'createdAt', 'lastSeenAt', 'expiresAt'], description: 'A session: never its secret',
    properties: { id: str, userId: str, createdAt: time, lastSeenAt: time, expiresAt: time, userAgent: str, address: str, revokedAt: time, current: { type: 'boolean', description: 'The session of this request (/konto/sitzungen)' } },
  },
  Mail: {
    type: 'object', required: ['id', 'to', 'subject', 'text', 'createdAt', 'state'],
    properties: { id: str, to: str, subject: str, text: str, html: str, createdAt: time, state: { enum: ['pending', 'sent', 'failed'] }, doneAt: time, error: str, headers: { type: 'object', additionalProperties: str, description: 'Extra header fields, e.g. List-Unsubscribe and List-Unsubscribe-Post (RFC 8058) on participation notices' } },
  },
  Message: message,
  // Konto
  LoginAnswer: { type: 'object', required: ['user', 'csrf', 'expiresAt'], properties: { user: ref('User'), csrf: str, expiresAt: time } },
  SessionAnswer: {
    type: 'object', required: ['user', 'session', 'csrf'],
    properties: { user: ref('User'), session: { type: 'object', required: ['id', 'createdAt', 'expiresAt'], properties: { id: str, createdAt: time, expiresAt: time } }, csrf: str },
  },
  // Strategy
  FieldOfAction: {
    type: 'object', required: ['id', 'title', 'goals', 'position'],
    properties: { id: str, title: ref('Text2'), goals: { type: 'array', items: ref('Text2') }, position: { type: 'integer' }, projects: { ...strings, description: 'Slugs of its projects (one field of action)' } },
  },
  Organisation: { type: 'object', required: ['id', 'name'], properties: { id: str, name: str, kind: str, url: str } },
  StrategyEvent: {
    type: 'object', required: ['id', 'title', 'start', 'place'],
    properties: {
      id: str, title: ref('Text2'), start: str, end: str, place: str, description: ref('Text2'),
      point: { type: 'array', items: { type: 'number' }, minItems: 2, maxItems: 2 }, capacity: count, registration: { type: 'boolean' },
    },
  },
  Project: {
    type: 'object', required: ['slug', 'fieldId', 'title', 'summary', 'description', 'status', 'entityTypes', 'datasets', 'createdAt', 'modifiedAt'],
    properties: {
      slug: str, fieldId: str, title: ref('Text2'), summary: ref('Text2'), description: ref('Text2'), status: { enum: [...PROJECT_STATUSES] },
      organisationId: str, start: str, end: str, location: { type: 'object', required: ['type', 'coordinates'], properties: { type: { enum: ['Point', 'Polygon'] }, coordinates: { type: 'array' } } },
      entityTypes: strings, datasets: strings, createdAt: time, modifiedAt: time,
    },
  },
  KpiState: {
    type: 'object', required: ['id', 'status', 'attemptedAt'], description: 'The latest evaluation; a failure keeps the last good value and its time',
    properties: { id: str, status: { enum: ['ok', 'unavailable'] }, value: { type: 'number' }, at: time, entities: count, attemptedAt: time, error: str },
  },
  Kpi: {
    type: 'object', required: ['id', 'name', 'description', 'unit', 'published', 'selection', 'value', 'reduction', 'createdAt', 'modifiedAt'],
    properties: {
      id: str, name: ref('Text2'), description: ref('Text2'), unit: str, project: str, published: { type: 'boolean' },
      selection: { type: 'object', required: ['tenant', 'type'], properties: { tenant: str, type: str, q: str, geo: { type: 'object', properties: { georel: str, geometry: str, coordinates: str } } } },
      value: { type: 'object', properties: { attr: str, aggregation: { type: 'object', required: ['method', 'period'], properties: { method: { enum: [...KPI_AGGREGATIONS] }, period: { enum: [...KPI_PERIODS] }, hours: { type: 'number' } } } } },
      reduction: { type: 'object', required: ['kind'], properties: { kind: { enum: [...KPI_REDUCTIONS] }, q: str } },
      createdAt: time, modifiedAt: time,
      entityId: { type: 'string', description: 'The KeyPerformanceIndicator entity the values are written to (reads)' }, state: ref('KpiState'),
    },
  },
};
