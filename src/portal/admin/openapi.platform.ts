// OpenAPI rows of the platform's core: the NGSI-LD subset as implemented, the IoT Agent and LoRaWAN
// ingest, administration, accounts (/konto), the strategy API and operations; with the texts of
// their query parameters and their request bodies (the other domains: openapi.<domain>.ts).
import { TENANT_NAME } from '../../core/tenant.ts';
import { json, jsonBody, pattern, ref, type Body, type BodyKey, type Operation } from './openapi.model.ts';

const ENTITY_QUERY = ['type', 'id', 'idPattern', 'q', 'scopeQ', 'attrs', 'pick', 'omit', 'georel', 'geometry', 'coordinates', 'geoproperty', 'options', 'limit', 'offset', 'count', 'lang'];
const TEMPORAL_QUERY = [...ENTITY_QUERY, 'timerel', 'timeAt', 'endTimeAt', 'timeproperty', 'lastN', 'aggrMethods', 'aggrPeriodDuration'];
const E = '/ngsi-ld/v1';
// Answers in the representation Accept asks for: JSON (the @context in a Link header), JSON-LD, or GeoJSON.
const ONE = { 'application/json': ref('Entity'), 'application/ld+json': ref('Entity'), 'application/geo+json': { type: 'object', description: 'GeoJSON Feature' } };
const LIST = { 'application/json': { type: 'array', items: ref('Entity') }, 'application/ld+json': { type: 'array', items: ref('Entity') }, 'application/geo+json': { type: 'object', description: 'GeoJSON FeatureCollection' } };
const COUNT = { 'NGSILD-Results-Count': 'The total, with count=true', Link: 'The @context; rel="next" and rel="prev" pages' };
// A write's answer with Prefer: return=representation (clause 6.3.6): the entity as stored, else no body.
const REP = { 'application/json': ref('Entity'), 'application/ld+json': ref('Entity') };
const PREFER = { 'Preference-Applied': 'return=representation or return=minimal when the Prefer header asked for it' };
const WRITE = { alsoOk: [200], answers: { 200: REP }, answerHeaders: PREFER };
const PARTIAL = { alsoOk: [200, 207], answers: { 200: REP, 207: json(ref('UpdateResult')) }, answerHeaders: PREFER };
const BATCH = { 207: json(ref('BatchOperationResult')) };
const both = (s: Record<string, unknown>) => ({ 'application/json': s, 'application/ld+json': s });

export const PLATFORM_OPERATIONS: Operation[] = [
  // NGSI-LD: entities
  { method: 'POST', path: `${E}/entities`, tag: 'NGSI-LD', summary: 'Create an entity', access: 'write', body: 'entity', ok: 201, clause: '5.6.1', errors: [409], answer: REP, answerHeaders: { Location: 'The new entity', ...PREFER } },
  { method: 'GET', path: `${E}/entities`, tag: 'NGSI-LD', summary: 'Query entities (q, geo-query, attrs, pick/omit, options, pagination)', access: 'read', query: ENTITY_QUERY, clause: '5.7.2', answer: LIST, answerHeaders: COUNT },
  { method: 'DELETE', path: `${E}/entities`, tag: 'NGSI-LD', summary: 'Purge entities matching a query (or only some of their attributes)', access: 'write', query: ['type', 'id', 'idPattern', 'attrs', 'q', 'scopeQ', 'georel', 'geometry', 'coordinates', 'geoproperty', 'keep', 'drop', 'local'], ok: 204, clause: '5.6.21' },
  { method: 'GET', path: `${E}/entities/{entityId}`, tag: 'NGSI-LD', summary: 'Retrieve an entity', access: 'read', query: ['attrs', 'pick', 'omit', 'options', 'lang', 'geometryProperty'], clause: '5.7.1', answer: ONE },
  { method: 'PUT', path: `${E}/entities/{entityId}`, tag: 'NGSI-LD', summary: 'Replace an entity', access: 'write', body: 'entity', ok: 204, clause: '5.6.18', ...WRITE },
  { method: 'PATCH', path: `${E}/entities/{entityId}`, tag: 'NGSI-LD', summary: 'Merge an entity', access: 'write', body: 'entity', ok: 204, clause: '5.6.17', ...WRITE },
  { method: 'DELETE', path: `${E}/entities/{entityId}`, tag: 'NGSI-LD', summary: 'Delete an entity', access: 'write', ok: 204, clause: '5.6.6' },
  { method: 'POST', path: `${E}/entities/{entityId}/attrs`, tag: 'NGSI-LD', summary: 'Append attributes', access: 'write', body: 'entity', query: ['options'], ok: 204, clause: '5.6.3', ...PARTIAL },
  { method: 'PATCH', path: `${E}/entities/{entityId}/attrs`, tag: 'NGSI-LD', summary: 'Update attributes', access: 'write', body: 'entity', ok: 204, clause: '5.6.2', ...PARTIAL },
  { method: 'PATCH', path: `${E}/entities/{entityId}/attrs/{attrId}`, tag: 'NGSI-LD', summary: 'Partial attribute update', access: 'write', body: 'json', ok: 204, clause: '5.6.4', ...WRITE },
  { method: 'PUT', path: `${E}/entities/{entityId}/attrs/{attrId}`, tag: 'NGSI-LD', summary: 'Replace an attribute', access: 'write', body: 'json', ok: 204, clause: '5.6.19', ...WRITE },
  { method: 'DELETE', path: `${E}/entities/{entityId}/attrs/{attrId}`, tag: 'NGSI-LD', summary: 'Delete an attribute', access: 'write', query: ['datasetId', 'deleteAll'], ok: 204, clause: '5.6.5' },
  // NGSI-LD: batch
  { method: 'POST', path: `${E}/entityOperations/create`, tag: 'NGSI-LD', summary: 'Batch create entities', access: 'write', body: 'entities', ok: 201, clause: '5.6.7', alsoOk: [207], answer: json(ref('EntityIds')), answers: BATCH },
  { method: 'POST', path: `${E}/entityOperations/upsert`, tag: 'NGSI-LD', summary: 'Batch upsert entities', access: 'write', body: 'entities', query: ['options'], ok: 201, clause: '5.6.8', alsoOk: [204, 207], answer: json(ref('EntityIds')), answers: BATCH, description: '201 with the ids of the entities created; 204 when every entity existed and was updated or replaced.' },
  { method: 'POST', path: `${E}/entityOperations/update`, tag: 'NGSI-LD', summary: 'Batch update entities', access: 'write', body: 'entities', query: ['options'], ok: 204, clause: '5.6.9', alsoOk: [207], answers: BATCH },
  { method: 'POST', path: `${E}/entityOperations/delete`, tag: 'NGSI-LD', summary: 'Batch delete entities', access: 'write', body: 'ids', ok: 204, clause: '5.6.10', alsoOk: [207], answers: BATCH },
  { method: 'POST', path: `${E}/entityOperations/merge`, tag: 'NGSI-LD', summary: 'Batch merge entities', access: 'write', body: 'entities', ok: 204, clause: '5.6.20', alsoOk: [207], answers: BATCH },
  { method: 'POST', path: `${E}/entityOperations/query`, tag: 'NGSI-LD', summary: 'Query entities with a query in the body', access: 'read', body: 'query', query: ['limit', 'offset', 'count', 'options'], clause: '5.7.2', answer: LIST, answerHeaders: COUNT },
  // NGSI-LD: discovery
  { method: 'GET', path: `${E}/types`, tag: 'NGSI-LD', summary: 'Entity types of the tenant', access: 'read', query: ['details'], clause: '5.7.5', answer: both({ oneOf: [ref('EntityTypeList'), { type: 'array', items: ref('EntityType'), description: 'With details=true' }] }) },
  { method: 'GET', path: `${E}/types/{type}`, tag: 'NGSI-LD', summary: 'One entity type with its attributes', access: 'read', clause: '5.7.7', answer: both(ref('EntityTypeInfo')) },
  { method: 'GET', path: `${E}/attributes`, tag: 'NGSI-LD', summary: 'Attributes of the tenant', access: 'read', query: ['details'], clause: '5.7.8', answer: both({ oneOf: [ref('AttributeList'), { type: 'array', items: ref('Attribute'), description: 'With details=true' }] }) },
  { method: 'GET', path: `${E}/attributes/{attrId}`, tag: 'NGSI-LD', summary: 'One attribute', access: 'read', clause: '5.7.10', answer: both(ref('Attribute')) },
  // NGSI-LD: temporal
  { method: 'POST', path: `${E}/temporal/entities`, tag: 'NGSI-LD', summary: 'Create or add to a temporal representation of an entity', access: 'write', body: 'entity', ok: 201, clause: '5.6.11', alsoOk: [204], answerHeaders: { Location: 'The temporal representation (201: it was created; 204: instances were added to an existing one)' } },
  { method: 'GET', path: `${E}/temporal/entities`, tag: 'NGSI-LD', summary: 'Query temporal evolution of entities (timerel, lastN, aggregation)', access: 'read', query: TEMPORAL_QUERY, clause: '5.7.4', answer: LIST, answerHeaders: COUNT },
  { method: 'GET', path: `${E}/temporal/entities/{entityId}`, tag: 'NGSI-LD', summary: 'Retrieve the temporal evolution of an entity', access: 'read', query: TEMPORAL_QUERY, clause: '5.7.3', answer: ONE },
  { method: 'DELETE', path: `${E}/temporal/entities/{entityId}`, tag: 'NGSI-LD', summary: 'Delete the temporal representation of an entity', access: 'write', ok: 204, clause: '5.6.16' },
  { method: 'POST', path: `${E}/temporal/entities/{entityId}/attrs`, tag: 'NGSI-LD', summary: 'Add attribute instances', access: 'write', body: 'entity', ok: 204, clause: '5.6.12' },
  { method: 'DELETE', path: `${E}/temporal/entities/{entityId}/attrs/{attrId}`, tag: 'NGSI-LD', summary: 'Delete an attribute\'s history', access: 'write', ok: 204, clause: '5.6.13' },
  { method: 'GET', path: `${E}/temporal/entities/{entityId}/attrs/{attrId}/history.csv`, tag: 'NGSI-LD', summary: 'An attribute\'s history as CSV (Drehscheibe extension)', access: 'read', query: ['timerel', 'timeAt', 'endTimeAt', 'lastN'] },
  { method: 'PATCH', path: `${E}/temporal/entities/{entityId}/attrs/{attrId}/{instanceId}`, tag: 'NGSI-LD', summary: 'Modify an attribute instance', access: 'write', body: 'json', ok: 204, clause: '5.6.14' },
  { method: 'DELETE', path: `${E}/temporal/entities/{entityId}/attrs/{attrId}/{instanceId}`, tag: 'NGSI-LD', summary: 'Delete an attribute instance', access: 'write', ok: 204, clause: '5.6.15' },
  { method: 'POST', path: `${E}/temporal/entityOperations/query`, tag: 'NGSI-LD', summary: 'Temporal query with a query in the body', access: 'read', body: 'query', query: ['limit', 'offset', 'count', 'options', 'lastN'], clause: '5.7.4', answer: LIST, answerHeaders: COUNT },
  // NGSI-LD: subscriptions
  { method: 'POST', path: `${E}/subscriptions`, tag: 'NGSI-LD', summary: 'Create a subscription (HTTP or MQTT notifications)', access: 'subscriptions', body: 'json', ok: 201, clause: '5.8.1', errors: [409] },
  { method: 'GET', path: `${E}/subscriptions`, tag: 'NGSI-LD', summary: 'List subscriptions', access: 'subscriptions', query: ['limit', 'offset', 'count'], clause: '5.8.4', answer: json({ type: 'array', items: ref('Subscription') }), answerHeaders: COUNT },
  { method: 'GET', path: `${E}/subscriptions/{subscriptionId}`, tag: 'NGSI-LD', summary: 'Retrieve a subscription', access: 'subscriptions', clause: '5.8.3', answer: json(ref('Subscription')) },
  { method: 'PATCH', path: `${E}/subscriptions/{subscriptionId}`, tag: 'NGSI-LD', summary: 'Update a subscription', access: 'subscriptions', body: 'json', ok: 204, clause: '5.8.2' },
  { method: 'DELETE', path: `${E}/subscriptions/{subscriptionId}`, tag: 'NGSI-LD', summary: 'Delete a subscription', access: 'subscriptions', ok: 204, clause: '5.8.5' },
  // NGSI-LD: @context management
  { method: 'GET', path: `${E}/jsonldContexts`, tag: 'NGSI-LD', summary: 'List @contexts', access: 'public', query: ['details', 'kind'], clause: '5.13.3', answer: json({ oneOf: [{ type: 'array', items: { type: 'string' }, description: 'Their URLs' }, { type: 'array', items: ref('ContextDetails'), description: 'With details=true' }] }) },
  { method: 'POST', path: `${E}/jsonldContexts`, tag: 'NGSI-LD', summary: 'Add an @context', access: 'admin', body: 'json', ok: 201, clause: '5.13.2', errors: [409], answerHeaders: { Location: 'The stored @context under /ngsi-ld/v1/jsonldContexts (its local id)' } },
  { method: 'GET', path: `${E}/jsonldContexts/{contextId}`, tag: 'NGSI-LD', summary: 'Serve an @context', access: 'public', query: ['details'], clause: '5.13.4', answer: { 'application/ld+json': ref('ContextDocument'), 'application/json': ref('ContextDetails') }, description: 'The @context itself (application/ld+json; Hosted and ImplicitlyCreated ones only, a Cached one answers 422 OperationNotSupported), or with details=true its metadata (application/json).' },
  { method: 'DELETE', path: `${E}/jsonldContexts/{contextId}`, tag: 'NGSI-LD', summary: 'Delete or reload an @context', access: 'admin', query: ['reload'], ok: 204, clause: '5.13.5' },
  // NGSI-LD: information about the broker
  { method: 'GET', path: `${E}/info/sourceIdentity`, tag: 'NGSI-LD', summary: 'Context source identity of this broker', access: 'public', clause: '5.15.1', answer: both(ref('ContextSourceIdentity')) },
  { method: 'GET', path: `${E}/info/conformance`, tag: 'NGSI-LD', summary: 'Conformance summary: what of the specification is implemented (Drehscheibe extension)', access: 'public', answer: both(ref('Conformance')) },
  // IoT
  { method: 'GET', path: '/iot/about', tag: 'IoT', summary: 'IoT Agent information', access: 'admin', answer: json({ type: 'object', required: ['libVersion', 'version'], properties: { libVersion: { type: 'string' }, port: { type: 'string' }, baseRoot: { type: 'string' }, version: { type: 'string' } } }) },
  { method: 'POST', path: '/iot/services', tag: 'IoT', summary: 'Create service groups (fiware-service, fiware-servicepath headers)', access: 'write', body: 'json', ok: 201, errors: [409] },
  { method: 'GET', path: '/iot/services', tag: 'IoT', summary: 'List service groups', access: 'write', query: ['limit', 'offset', 'apikey', 'resource'], answer: json({ type: 'object', required: ['count', 'services'], properties: { count: { type: 'integer', minimum: 0 }, services: { type: 'array', items: ref('ServiceGroup') } } }) },
  { method: 'PUT', path: '/iot/services', tag: 'IoT', summary: 'Change a service group', access: 'write', query: ['apikey', 'resource'], body: 'json', ok: 204 },
  { method: 'DELETE', path: '/iot/services', tag: 'IoT', summary: 'Delete a service group', access: 'write', query: ['apikey', 'resource'], ok: 204 },
  { method: 'POST', path: '/iot/devices', tag: 'IoT', summary: 'Provision devices', access: 'write', body: 'json', ok: 201, errors: [409] },
  { method: 'GET', path: '/iot/devices', tag: 'IoT', summary: 'List devices with their ingest status', access: 'write', query: ['limit', 'offset'], answer: json({ type: 'object', required: ['count', 'devices'], properties: { count: { type: 'integer', minimum: 0 }, devices: { type: 'array', items: ref('Device') } } }) },
  { method: 'GET', path: '/iot/devices/{id}', tag: 'IoT', summary: 'One device with its ingest status (last message, silent, rejected)', access: 'write', answer: json(ref('Device')) },
  { method: 'PUT', path: '/iot/devices/{id}', tag: 'IoT', summary: 'Change a device', access: 'write', body: 'json', ok: 204 },
  { method: 'DELETE', path: '/iot/devices/{id}', tag: 'IoT', summary: 'Delete a device', access: 'write', ok: 204 },
  { method: 'GET', path: '/iot/metrics', tag: 'IoT', summary: 'Ingest counters per tenant, service group and device', access: 'admin', answer: json(ref('IngestMetrics')) },
  { method: 'POST', path: '/iot/json', tag: 'IoT', summary: 'Send a measurement (IoT Agent JSON; k = apikey, i = device id)', access: 'device', query: ['k', 'i', 't'], body: 'json', errors: [401] },
  { method: 'POST', path: '/iot/json/attrs/{attr}', tag: 'IoT', summary: 'Send one attribute\'s value', access: 'device', query: ['k', 'i', 't'], body: 'json', errors: [401] },
  { method: 'POST', path: '/iot/lorawan/chirpstack', tag: 'IoT', summary: 'ChirpStack v4 uplink webhook', access: 'device', query: ['k', 'event'], body: 'json', errors: [401] },
  { method: 'POST', path: '/iot/lorawan/ttn', tag: 'IoT', summary: 'The Things Stack v3 uplink webhook', access: 'device', query: ['k'], body: 'json', errors: [401] },
  // Admin
  { method: 'POST', path: '/admin/api-keys', tag: 'Admin', summary: 'Create an API key (the secret is in this answer only)', access: 'admin', body: 'json', ok: 201, answer: json(ref('NewApiKey')) },
  { method: 'GET', path: '/admin/api-keys', tag: 'Admin', summary: 'List API keys (never a secret)', access: 'admin', answer: json({ type: 'array', items: ref('ApiKey') }) },
  { method: 'DELETE', path: '/admin/api-keys/{id}', tag: 'Admin', summary: 'Revoke an API key', access: 'admin', ok: 204 },
  { method: 'GET', path: '/admin/audit', tag: 'Admin', summary: 'The audit log, newest first', access: 'admin', query: ['since', 'until', 'principal', 'tenant', 'action', 'limit', 'offset'], answer: json({ type: 'array', items: ref('AuditEntry') }) },
  { method: 'GET', path: '/admin/policy', tag: 'Admin', summary: 'The access policy in force', access: 'admin', answer: json(ref('PolicyView')) },
  { method: 'PUT', path: '/admin/policy', tag: 'Admin', summary: 'Replace the access policy', access: 'admin', body: 'json', ok: 204 },
  { method: 'DELETE', path: '/admin/policy', tag: 'Admin', summary: 'Go back to the policy file', access: 'admin', ok: 204 },
  { method: 'GET', path: '/admin/users', tag: 'Admin', summary: 'List users', access: 'admin', query: ['limit', 'offset'], answer: json({ type: 'array', items: ref('User') }) },
  { method: 'POST', path: '/admin/users', tag: 'Admin', summary: 'Create a user', access: 'admin', body: 'json', ok: 201, errors: [409], answer: json(ref('User')) },
  { method: 'GET', path: '/admin/users/{id}', tag: 'Admin', summary: 'One user', access: 'admin', answer: json(ref('User')) },
  { method: 'PATCH', path: '/admin/users/{id}', tag: 'Admin', summary: 'Change a user (e-mail, name, password, roles, disabled, mail language)', access: 'admin', body: 'json', answer: json(ref('User')) },
  { method: 'DELETE', path: '/admin/users/{id}', tag: 'Admin', summary: 'Delete a user with its sessions and tokens', access: 'admin', ok: 204 },
  { method: 'POST', path: '/admin/users/{id}/password-link', tag: 'Admin', summary: 'Mail the user a link to set a password', access: 'admin', ok: 202, answer: json(ref('Message')) },
  { method: 'GET', path: '/admin/users/{id}/sessions', tag: 'Admin', summary: 'A user\'s live sessions', access: 'admin', answer: json({ type: 'array', items: ref('Session') }) },
  { method: 'DELETE', path: '/admin/users/{id}/sessions', tag: 'Admin', summary: 'End all of a user\'s sessions', access: 'admin', answer: json({ type: 'object', required: ['revoked'], properties: { revoked: { type: 'integer', minimum: 0, description: 'Sessions ended' } } }) },
  { method: 'DELETE', path: '/admin/sessions/{id}', tag: 'Admin', summary: 'End one session', access: 'admin', ok: 204 },
  { method: 'GET', path: '/admin/tenants', tag: 'Admin', summary: 'Tenants with what each holds (entities, history, subscriptions, devices, service groups)', access: 'admin', answer: json({ type: 'array', items: ref('TenantContents') }) },
  { method: 'POST', path: '/admin/tenants', tag: 'Admin', summary: 'Create an empty tenant', access: 'admin', body: jsonBody({ type: 'object', required: ['name'], properties: { name: { type: 'string', pattern: pattern(TENANT_NAME) } } }), ok: 201, errors: [409], answer: json(ref('TenantContents')), answerHeaders: { Location: 'The tenant under /admin/tenants' } },
  { method: 'GET', path: '/admin/tenants/{tenant}', tag: 'Admin', summary: 'What a tenant holds: what a deletion removes', access: 'admin', answer: json(ref('TenantContents')) },
  { method: 'DELETE', path: '/admin/tenants/{tenant}', tag: 'Admin', summary: 'Delete a tenant with all its entities, history, subscriptions, devices and service groups', access: 'admin',
    description: 'The city\'s tenant (DREHSCHEIBE_PORTAL_TENANT) is deleted only with `confirm` equal to its name; without it the answer is 409 ConfirmationRequired and nothing changes. While KPIs or catalogue datasets use the tenant (`kpis`, `datasets` in its contents) the answer is 409 TenantInUse naming them, and nothing changes: delete them or change them to another tenant first. Other nodes are told of the deletion. Users, API keys and the audit log stay. The answer tells what was deleted.',
    query: [{ name: 'confirm', description: 'The tenant\'s name again: required to delete the city\'s tenant', schema: { type: 'string' } }], errors: [409], answer: json(ref('TenantContents')) },
  { method: 'GET', path: '/admin/outbox', tag: 'Admin', summary: 'The mail outbox, newest first', access: 'admin', query: ['state', 'to', 'limit', 'offset'], answer: json({ type: 'array', items: ref('Mail') }) },
  // Konto
  { method: 'GET', path: '/konto/csrf', tag: 'Konto', summary: 'A CSRF token for a form (the session\'s, or a double-submit token with its cookie)', access: 'public', answer: json({ type: 'object', required: ['token'], properties: { token: { type: 'string' } } }) },
  { method: 'GET', path: '/konto/sitzung', tag: 'Konto', summary: 'The current session and user', access: 'session', answer: json(ref('SessionAnswer')) },
  { method: 'GET', path: '/konto/sitzungen', tag: 'Konto', summary: 'The person\'s own live sessions', access: 'session', answer: json({ type: 'array', items: ref('Session') }) },
  { method: 'DELETE', path: '/konto/sitzungen/{id}', tag: 'Konto', summary: 'End one of the person\'s own sessions', access: 'session', ok: 204 },
  { method: 'GET', path: '/konto/anmelden', tag: 'Konto', summary: 'Redirects to the login page (/anmelden)', access: 'public', ok: 303 },
  { method: 'POST', path: '/konto/anmelden', tag: 'Konto', summary: 'Log in with e-mail and password (form: 303 to returnTo; JSON: user and CSRF token)', access: 'public', body: 'form-or-json', errors: [401, 429], answer: json(ref('LoginAnswer')) },
  { method: 'POST', path: '/konto/abmelden', tag: 'Konto', summary: 'Log out', access: 'session', body: 'form-or-json', ok: 204 },
  { method: 'POST', path: '/konto/abmelden-ueberall', tag: 'Konto', summary: 'End every session of the person', access: 'session', body: 'form-or-json', ok: 204 },
  { method: 'POST', path: '/konto/passwort-aendern', tag: 'Konto', summary: 'Change the password (current one required)', access: 'session', body: 'form-or-json', answer: json({ type: 'object', required: ['csrf', 'expiresAt'], description: 'The new session of this browser (the others have ended)', properties: { csrf: { type: 'string' }, expiresAt: { type: 'string', format: 'date-time' } } }) },
  { method: 'POST', path: '/konto/passwort-vergessen', tag: 'Konto', summary: 'Request a password reset link (same answer for every address)', access: 'public', body: 'form-or-json', ok: 202, answer: json(ref('Message')) },
  { method: 'POST', path: '/konto/passwort-zuruecksetzen', tag: 'Konto', summary: 'Set a new password with the mailed token', access: 'public', body: 'form-or-json', answer: json(ref('Message')) },
  { method: 'POST', path: '/konto/registrieren', tag: 'Konto', summary: 'Register a citizen account (JSON { email, password, displayName? }; same answer for every address, a confirmation link is mailed; docs/participation.md)', access: 'public', body: 'form-or-json', ok: 202, answer: json(ref('Message')) },
  { method: 'POST', path: '/konto/email-bestaetigen', tag: 'Konto', summary: 'Confirm an e-mail address with the mailed token', access: 'public', body: 'form-or-json', answer: json({ type: 'object', required: ['message', 'email'], properties: { message: { type: 'string' }, email: { type: 'string' } } }) },
  { method: 'GET', path: '/konto/oidc/start', tag: 'Konto', summary: 'Start an OpenID Connect login (authorization code flow with PKCE)', access: 'public', query: ['returnTo'], ok: 302, errors: [404] },
  { method: 'GET', path: '/konto/oidc/callback', tag: 'Konto', summary: 'The issuer\'s redirect back (code, state)', access: 'public', query: ['code', 'state'], ok: 303, errors: [404] },
  // Strategy
  { method: 'GET', path: '/api/strategy/fields', tag: 'Strategy', summary: 'Fields of action', access: 'public', answer: json({ type: 'array', items: ref('FieldOfAction') }) },
  { method: 'GET', path: '/api/strategy/fields/{id}', tag: 'Strategy', summary: 'One field of action with its projects', access: 'public', answer: json(ref('FieldOfAction')) },
  { method: 'GET', path: '/api/strategy/organisations', tag: 'Strategy', summary: 'Organisations', access: 'public', answer: json({ type: 'array', items: ref('Organisation') }) },
  { method: 'GET', path: '/api/strategy/events', tag: 'Strategy', summary: 'Events', access: 'public', answer: json({ type: 'array', items: ref('StrategyEvent') }) },
  { method: 'GET', path: '/api/strategy/projects', tag: 'Strategy', summary: 'Projects', access: 'public', answer: json({ type: 'array', items: ref('Project') }) },
  { method: 'POST', path: '/api/strategy/projects', tag: 'Strategy', summary: 'Create a project (steward or operator)', access: 'write', body: 'project', ok: 201, errors: [409], answer: json(ref('Project')) },
  { method: 'GET', path: '/api/strategy/projects/{slug}', tag: 'Strategy', summary: 'One project', access: 'public', answer: json(ref('Project')) },
  { method: 'PUT', path: '/api/strategy/projects/{slug}', tag: 'Strategy', summary: 'Replace a project (steward or operator)', access: 'write', body: 'project', answer: json(ref('Project')) },
  { method: 'DELETE', path: '/api/strategy/projects/{slug}', tag: 'Strategy', summary: 'Delete a project (steward or operator)', access: 'write', ok: 204 },
  { method: 'GET', path: '/api/strategy/kpis', tag: 'Strategy', summary: 'KPIs (published ones for the public; all for stewards)', access: 'public', answer: json({ type: 'array', items: ref('Kpi') }) },
  { method: 'POST', path: '/api/strategy/kpis', tag: 'Strategy', summary: 'Define a KPI: entity selection, value per entity, reduction (steward or operator)', access: 'write', body: 'json', ok: 201, errors: [409], answer: json(ref('Kpi')) },
  { method: 'GET', path: '/api/strategy/kpis/{id}', tag: 'Strategy', summary: 'One KPI with its last value', access: 'public', answer: json(ref('Kpi')) },
  { method: 'PUT', path: '/api/strategy/kpis/{id}', tag: 'Strategy', summary: 'Replace a KPI (steward or operator)', access: 'write', body: 'json', answer: json(ref('Kpi')) },
  { method: 'DELETE', path: '/api/strategy/kpis/{id}', tag: 'Strategy', summary: 'Delete a KPI (steward or operator)', access: 'write', ok: 204 },
  { method: 'POST', path: '/api/strategy/kpis/{id}/evaluate', tag: 'Strategy', summary: 'Evaluate a KPI now (steward or operator)', access: 'write', answer: json(ref('KpiState')) },
  // Operations
  { method: 'GET', path: '/api/openapi.json', tag: 'Operations', summary: 'This OpenAPI 3.1 description', access: 'public' },
  { method: 'GET', path: '/health', tag: 'Operations', summary: 'Liveness', access: 'public' },
  { method: 'GET', path: '/ready', tag: 'Operations', summary: 'Readiness (storage reachable)', access: 'public' },
  { method: 'GET', path: '/metrics', tag: 'Operations', summary: 'Prometheus metrics (unless METRICS_PORT serves them)', access: 'admin' },
  { method: 'GET', path: '/version', tag: 'Operations', summary: 'Name and version', access: 'public' },
];

export const QUERY_DOC: Record<string, string> = {
  type: 'Entity type selection (names, comma-separated, or an expression)', id: 'Entity ids, comma-separated', idPattern: 'Regular expression on entity ids',
  q: 'NGSI-LD query language', scopeQ: 'Scope query', attrs: 'Attributes to return', pick: 'Members to keep', omit: 'Members to drop',
  georel: 'Geo relation (near;maxDistance==…, within, contains, intersects, equals, disjoint, overlaps)', geometry: 'Geometry type of the geo-query',
  coordinates: 'Coordinates of the geo-query (JSON)', geoproperty: 'GeoProperty the geo-query applies to', geometryProperty: 'GeoProperty for GeoJSON output',
  options: 'normalized, keyValues/simplified, concise, sysAttrs, temporalValues, aggregatedValues, …', limit: 'Page size', offset: 'Page start',
  count: 'true: the total in NGSILD-Results-Count', lang: 'Language of LanguageProperties', details: 'true: details', kind: 'Kind of @context',
  timerel: 'before, after, between', timeAt: 'Time (ISO 8601)', endTimeAt: 'End time for between', timeproperty: 'observedAt, createdAt, modifiedAt',
  lastN: 'Last N instances', aggrMethods: 'Aggregation methods (avg, sum, min, max, …)', aggrPeriodDuration: 'Aggregation period (ISO 8601 duration)',
  datasetId: 'Dataset id', keep: 'Attributes to keep (purge)', drop: 'Attributes to drop (purge)', deleteAll: 'true: every dataset', reload: 'true: reload a cached @context', apikey: 'Service group apikey', resource: 'Service group resource',
  k: 'The device\'s apikey', i: 'The device id', t: 'Timestamp of the measurement', event: 'Webhook event', since: 'From (ISO 8601)', until: 'Until (ISO 8601)',
  principal: 'Principal (user:…, key:…)', tenant: 'Tenant', action: 'Part of the action', state: 'Outbox: pending, sent or failed; OpenID Connect callback: the login\'s state', to: 'Recipient', returnTo: 'Local path to return to',
  code: 'Authorization code', local: 'true: only entities of this broker (no context sources)',
};

export const BODIES: Record<BodyKey, Body> = {
  entity: { required: true, content: { 'application/json': ref('Entity'), 'application/ld+json': ref('Entity') } },
  entities: { required: true, content: { 'application/json': { type: 'array', items: ref('Entity') }, 'application/ld+json': { type: 'array', items: ref('Entity') } } },
  ids: { required: true, content: json({ type: 'array', items: { type: 'string', format: 'uri' } }) },
  query: { required: true, content: json({ type: 'object', description: 'NGSI-LD Query (type: "Query", entities, attrs, q, geoQ, temporalQ, …)' }) },
  json: { required: true, content: json({ type: 'object' }) },
  'form-or-json': { content: { 'application/x-www-form-urlencoded': { type: 'object', description: 'HTML form; carries _csrf' }, 'application/json': { type: 'object' } } },
  project: { required: true, content: json(ref('ProjectInput')) },
};
