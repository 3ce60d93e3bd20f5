// OpenAPI rows and schemas of the NGSIv2 API (/v2, Orion's shapes) for FIWARE components that only
// speak NGSIv2: entities, attributes, types, batch operations and subscriptions, translated onto the
// NGSI-LD services. Parameters and options per operation as src/ngsiv2/*.routes.ts check them.
import { json, jsonBody, ref, type Operation, type Param, type Schema } from './openapi.model.ts';

const V = '/v2';
const H = ['FiwareService', 'FiwareServicePath'];
const options = (allowed: string[]): Param => ({ name: 'options', description: `Comma-separated: ${allowed.join(', ')}`, schema: { type: 'string' } });
const TYPE: Param = { name: 'type', description: 'The entity\'s type, when ids are not unique across types', schema: { type: 'string' } };
const ATTRS: Param = { name: 'attrs', description: 'Attributes to return, comma-separated (* = all; dateCreated, dateModified)', schema: { type: 'string' } };
const METADATA: Param = { name: 'metadata', description: 'Metadata to return, comma-separated', schema: { type: 'string' } };
const LIMIT: Param = { name: 'limit', description: 'Page size (default 20)', schema: { type: 'integer', minimum: 1, maximum: 1000 } };
const OFFSET: Param = { name: 'offset', description: 'Page start', schema: { type: 'integer', minimum: 0 } };
const LIST: Param[] = [
  { name: 'id', description: 'Entity ids, comma-separated (not with idPattern)', schema: { type: 'string' } },
  { name: 'type', description: 'Entity types, comma-separated', schema: { type: 'string' } },
  { name: 'idPattern', description: 'Regular expression on ids', schema: { type: 'string' } },
  { name: 'q', description: 'Simple Query Language on attribute values', schema: { type: 'string', examples: ['temperature>20;status==on'] } },
  { name: 'mq', description: 'Simple Query Language on metadata', schema: { type: 'string' } },
  ATTRS, METADATA, options(['keyValues', 'values', 'unique', 'count', 'sysAttrs']), LIMIT, OFFSET,
  { name: 'georel', description: 'near;maxDistance:…, near;minDistance:…, coveredBy, intersects, equals, disjoint', schema: { type: 'string' } },
  { name: 'geometry', description: 'point, line, polygon, box', schema: { type: 'string' } },
  { name: 'coords', description: '"lat,lon;lat,lon…"', schema: { type: 'string' } },
];
const ENTITY = { entityId: { description: 'The entity\'s id' } };
const ATTR = { ...ENTITY, attrName: { description: 'The attribute\'s name' } };
const COUNT = { 'Fiware-Total-Count': 'The total, with options=count' };
const ENTITY_BODY = jsonBody(ref('V2Entity'), 'Normalized ({type, value, metadata} per attribute) or, with options=keyValues, plain values');
const ATTRS_BODY = jsonBody(ref('V2Attributes'), 'Attributes by name (normalized, or plain values with options=keyValues)');
const V2_ANY = { anyOf: [ref('V2Entity'), { type: 'object', description: 'keyValues' }, { type: 'array', description: 'values' }] };

export const NGSIV2_OPERATIONS: Operation[] = [
  { method: 'GET', path: `${V}/entities`, tag: 'NGSIv2', summary: 'List entities (q, mq, geo-query, attrs, options, paging)', access: 'read', headers: H, query: LIST, answer: json({ type: 'array', items: V2_ANY }), answerHeaders: COUNT, errors: [501] },
  { method: 'POST', path: `${V}/entities`, tag: 'NGSIv2', summary: 'Create an entity (options=upsert: create or update, 204)', access: 'write', headers: H, query: [options(['keyValues', 'upsert'])], body: ENTITY_BODY, ok: 201, alsoOk: [204], answerHeaders: { Location: 'The entity\'s URL' }, errors: [415, 422] },
  { method: 'GET', path: `${V}/entities/{entityId}`, tag: 'NGSIv2', summary: 'Retrieve an entity', access: 'read', headers: H, pathParams: ENTITY, query: [TYPE, ATTRS, METADATA, options(['keyValues', 'values', 'unique', 'sysAttrs'])], answer: json(V2_ANY) },
  { method: 'DELETE', path: `${V}/entities/{entityId}`, tag: 'NGSIv2', summary: 'Remove an entity', access: 'write', headers: H, pathParams: ENTITY, query: [TYPE], ok: 204 },
  { method: 'GET', path: `${V}/entities/{entityId}/attrs`, tag: 'NGSIv2', summary: 'Retrieve an entity\'s attributes (without id and type)', access: 'read', headers: H, pathParams: ENTITY, query: [TYPE, ATTRS, METADATA, options(['keyValues', 'values', 'unique', 'sysAttrs'])], answer: json({ anyOf: [ref('V2Attributes'), { type: 'array', description: 'values' }] }) },
  { method: 'PUT', path: `${V}/entities/{entityId}/attrs`, tag: 'NGSIv2', summary: 'Replace all attributes of an entity', access: 'write', headers: H, pathParams: ENTITY, query: [TYPE, options(['keyValues'])], body: ATTRS_BODY, ok: 204, errors: [415] },
  { method: 'POST', path: `${V}/entities/{entityId}/attrs`, tag: 'NGSIv2', summary: 'Update or append attributes (options=append: only new ones, 422 for existing)', access: 'write', headers: H, pathParams: ENTITY, query: [TYPE, options(['keyValues', 'append'])], body: ATTRS_BODY, ok: 204, errors: [415, 422] },
  { method: 'PATCH', path: `${V}/entities/{entityId}/attrs`, tag: 'NGSIv2', summary: 'Update existing attributes (422 when none exists)', access: 'write', headers: H, pathParams: ENTITY, query: [TYPE, options(['keyValues'])], body: ATTRS_BODY, ok: 204, errors: [415, 422] },
  { method: 'GET', path: `${V}/entities/{entityId}/attrs/{attrName}`, tag: 'NGSIv2', summary: 'Get an attribute ({type, value, metadata})', access: 'read', headers: H, pathParams: ATTR, query: [TYPE, METADATA], answer: json(ref('V2Attribute')) },
  { method: 'PUT', path: `${V}/entities/{entityId}/attrs/{attrName}`, tag: 'NGSIv2', summary: 'Update an attribute', access: 'write', headers: H, pathParams: ATTR, query: [TYPE], body: jsonBody(ref('V2Attribute')), ok: 204, errors: [415] },
  { method: 'DELETE', path: `${V}/entities/{entityId}/attrs/{attrName}`, tag: 'NGSIv2', summary: 'Remove an attribute', access: 'write', headers: H, pathParams: ATTR, query: [TYPE], ok: 204 },
  { method: 'GET', path: `${V}/entities/{entityId}/attrs/{attrName}/value`, tag: 'NGSIv2', summary: 'Get an attribute\'s value (objects and arrays as JSON, other values as text/plain)', access: 'read', headers: H, pathParams: ATTR, query: [TYPE], answer: { 'application/json': { type: ['object', 'array'] }, 'text/plain': { type: 'string', description: 'A number, boolean, null or a quoted string' } } },
  { method: 'PUT', path: `${V}/entities/{entityId}/attrs/{attrName}/value`, tag: 'NGSIv2', summary: 'Update an attribute\'s value (JSON, or text/plain for numbers, booleans, null and quoted strings)', access: 'write', headers: H, pathParams: ATTR, query: [TYPE], body: { required: true, content: { 'application/json': {}, 'text/plain': { type: 'string' } } }, ok: 204, errors: [415] },
  { method: 'GET', path: `${V}/types`, tag: 'NGSIv2', summary: 'Entity types with their attributes and counts (options=values: names only)', access: 'read', headers: H, query: [options(['count', 'values', 'noAttrDetail']), LIMIT, OFFSET], answer: json({ type: 'array', items: { oneOf: [ref('V2Type'), { type: 'string' }] } }), answerHeaders: COUNT },
  { method: 'GET', path: `${V}/types/{typeName}`, tag: 'NGSIv2', summary: 'One entity type', access: 'read', headers: H, pathParams: { typeName: { description: 'The type' } }, query: [options(['noAttrDetail'])], answer: json(ref('V2TypeDetail')) },
  { method: 'POST', path: `${V}/op/update`, tag: 'NGSIv2', summary: 'Batch update: append, appendStrict, update, delete or replace entities', access: 'write', headers: H, query: [options(['keyValues', 'flowControl'])], body: jsonBody(ref('V2BatchUpdate')), ok: 204, errors: [415, 422] },
  { method: 'POST', path: `${V}/op/query`, tag: 'NGSIv2', summary: 'Query with a body (entities, attrs, expression, metadata)', access: 'read', headers: H, query: [options(['keyValues', 'values', 'unique', 'count', 'sysAttrs']), LIMIT, OFFSET], body: jsonBody(ref('V2Query')), answer: json({ type: 'array', items: V2_ANY }), answerHeaders: COUNT, errors: [415, 501] },
  { method: 'GET', path: `${V}/subscriptions`, tag: 'NGSIv2', summary: 'List subscriptions (the caller\'s own; all for the tenant\'s operator)', access: 'subscriptions', headers: ['FiwareService'], query: [options(['count']), LIMIT, OFFSET], answer: json({ type: 'array', items: ref('V2Subscription') }), answerHeaders: COUNT },
  { method: 'POST', path: `${V}/subscriptions`, tag: 'NGSIv2', summary: 'Create a subscription (HTTP notifications in normalized, keyValues or values)', access: 'subscriptions', headers: ['FiwareService'], body: jsonBody(ref('V2Subscription')), ok: 201, answerHeaders: { Location: 'The subscription\'s URL' }, errors: [415, 501] },
  { method: 'GET', path: `${V}/subscriptions/{subscriptionId}`, tag: 'NGSIv2', summary: 'Retrieve a subscription with its notification counters', access: 'subscriptions', headers: ['FiwareService'], pathParams: { subscriptionId: { description: 'The subscription\'s id' } }, answer: json(ref('V2Subscription')) },
  { method: 'PATCH', path: `${V}/subscriptions/{subscriptionId}`, tag: 'NGSIv2', summary: 'Update a subscription (a notification given replaces the whole notification)', access: 'subscriptions', headers: ['FiwareService'], pathParams: { subscriptionId: { description: 'The subscription\'s id' } }, body: jsonBody(ref('V2Subscription')), ok: 204, errors: [415, 501] },
  { method: 'DELETE', path: `${V}/subscriptions/{subscriptionId}`, tag: 'NGSIv2', summary: 'Delete a subscription', access: 'subscriptions', headers: ['FiwareService'], pathParams: { subscriptionId: { description: 'The subscription\'s id' } }, ok: 204 },
];

const EXPRESSION: Schema = { type: 'object', additionalProperties: false, properties: { q: { type: 'string' }, mq: { type: 'string' }, georel: { type: 'string' }, geometry: { type: 'string' }, coords: { type: 'string' } } };
const SELECTOR: Schema = { type: 'object', properties: { id: { type: 'string' }, idPattern: { type: 'string' }, type: { type: 'string' } }, description: 'id or idPattern, not both; typePattern is not supported (501)' };

export const NGSIV2_SCHEMAS: Record<string, Schema> = {
  V2Attribute: { type: 'object', properties: { type: { type: 'string', examples: ['Number', 'Text', 'geo:json', 'Relationship', 'DateTime'] }, value: {}, metadata: { type: 'object', additionalProperties: { type: 'object', properties: { type: { type: 'string' }, value: {} } } } } },
  V2Attributes: { type: 'object', additionalProperties: { anyOf: [ref('V2Attribute'), { description: 'keyValues: the plain value' }] } },
  V2Entity: { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 256 }, type: { type: 'string', description: 'Default: Thing' } }, additionalProperties: { anyOf: [ref('V2Attribute'), { description: 'keyValues: the plain value' }] } },
  V2Type: { type: 'object', required: ['type'], properties: { type: { type: 'string' }, attrs: { type: 'object', additionalProperties: { type: 'object', properties: { types: { type: 'array', items: { type: 'string' } } } } }, count: { type: 'integer' } } },
  V2TypeDetail: { type: 'object', properties: { attrs: { type: 'object' }, count: { type: 'integer' } } },
  V2BatchUpdate: {
    type: 'object', required: ['actionType', 'entities'],
    properties: { actionType: { enum: ['append', 'appendStrict', 'update', 'delete', 'replace'] }, entities: { type: 'array', minItems: 1, items: ref('V2Entity') } },
  },
  V2Query: {
    type: 'object', additionalProperties: false,
    properties: { entities: { type: 'array', minItems: 1, items: SELECTOR }, attrs: { type: 'array', items: { type: 'string' } }, expression: EXPRESSION, metadata: { type: 'array', items: { type: 'string' } } },
  },
  V2Subscription: {
    type: 'object', description: 'Create: subject and notification are required; id is given by the broker. Read: with id, status and the notification counters.',
    properties: {
      id: { type: 'string', readOnly: true }, description: { type: 'string' },
      subject: {
        type: 'object', required: ['entities'], additionalProperties: false,
        properties: {
          entities: { type: 'array', minItems: 1, items: SELECTOR },
          condition: { type: 'object', additionalProperties: false, properties: { attrs: { type: 'array', items: { type: 'string' } }, expression: EXPRESSION, alterationTypes: { type: 'array', minItems: 1, items: { enum: ['entityCreate', 'entityUpdate', 'entityChange', 'entityDelete'] } }, notifyOnMetadataChange: { type: 'boolean' } } },
        },
      },
      notification: {
        type: 'object', description: 'http or httpCustom (not both); exceptAttrs, onlyChangedAttrs and covered are not supported (501)',
        properties: {
          http: { type: 'object', required: ['url'], properties: { url: { type: 'string', format: 'uri', pattern: '^https?:' }, timeout: { type: 'integer' } } },
          httpCustom: { type: 'object', required: ['url'], properties: { url: { type: 'string', format: 'uri' }, headers: { type: 'object', additionalProperties: { type: 'string' } }, qs: { type: 'object', additionalProperties: { type: 'string' } }, method: { type: 'string' }, timeout: { type: 'integer' } } },
          attrs: { type: 'array', items: { type: 'string' } }, attrsFormat: { enum: ['normalized', 'keyValues', 'values'] }, metadata: { type: 'array', items: { type: 'string' } },
          timesSent: { type: 'integer', readOnly: true }, lastNotification: { type: 'string', readOnly: true }, lastSuccess: { type: 'string', readOnly: true }, lastFailure: { type: 'string', readOnly: true },
        },
      },
      expires: { type: 'string', format: 'date-time' }, throttling: { type: 'number', minimum: 0, description: 'Seconds between notifications' }, status: { enum: ['active', 'inactive', 'expired', 'failed'] },
    },
  },
  V2Error: { type: 'object', required: ['error', 'description'], properties: { error: { type: 'string', examples: ['BadRequest', 'NotFound', 'Unprocessable', 'ParseError', 'NotImplemented'] }, description: { type: 'string' } } },
};
