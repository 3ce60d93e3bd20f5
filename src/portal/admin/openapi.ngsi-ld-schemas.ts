// Answer schemas of the NGSI-LD API beyond the entity itself: batch results, partial updates, the
// discovery data types, @context metadata and the broker's information, written after the data types
// of ETSI GS CIM 009 V1.9.1 (clause named at each) as src/ngsi-ld/ answers them;
// test/portal-admin/openapi.answers-ngsi-ld.test.ts holds real answers against them.
import { ref, type Schema } from './openapi.model.ts';

const str: Schema = { type: 'string' };
const uri: Schema = { type: 'string', description: 'A URI' };
const time: Schema = { type: 'string', format: 'date-time' };
const count: Schema = { type: 'integer', minimum: 0 };
const strings: Schema = { type: 'array', items: str };
/** In JSON-LD answers the @context is a member too (a URL, or a list of them). */
const context: Schema = { description: 'The @context (application/ld+json answers only; JSON answers name it in the Link header)' };

export const NGSI_LD_SCHEMAS: Record<string, Schema> = {
  EntityIds: { type: 'array', items: uri, description: 'Ids of the entities created (clause 6.14.3.1, 6.15.3.1)' },
  BatchOperationResult: {
    type: 'object', required: ['success', 'errors'], additionalProperties: false, description: 'BatchOperationResult (clause 5.2.16): what succeeded and why each other entity failed',
    properties: {
      success: { type: 'array', items: uri, description: 'Ids of the entities the operation succeeded for' },
      errors: {
        type: 'array', items: {
          type: 'object', required: ['entityId', 'error'], additionalProperties: false, description: 'BatchEntityError (clause 5.2.17)',
          properties: { entityId: str, error: ref('ProblemDetails') },
        },
      },
    },
  },
  UpdateResult: {
    type: 'object', required: ['updated', 'notUpdated'], additionalProperties: false, description: 'UpdateResult (clause 5.2.18): the attributes updated and the ones not, with the reason',
    properties: {
      updated: strings,
      notUpdated: { type: 'array', items: { type: 'object', required: ['attributeName', 'reason'], additionalProperties: false, description: 'NotUpdatedDetails (clause 5.2.19)', properties: { attributeName: str, reason: str } } },
    },
  },
  EntityTypeList: {
    type: 'object', required: ['id', 'type', 'typeList'], description: 'EntityTypeList (clause 5.2.24)',
    properties: { '@context': context, id: uri, type: { const: 'EntityTypeList' }, typeList: strings },
  },
  EntityType: {
    type: 'object', required: ['id', 'type', 'typeName'], description: 'EntityType (clause 5.2.25): a type with the names of its attributes',
    properties: { '@context': context, id: uri, type: { const: 'EntityType' }, typeName: str, attributeNames: strings },
  },
  EntityTypeInfo: {
    type: 'object', required: ['id', 'type', 'typeName', 'entityCount', 'attributeDetails'], description: 'EntityTypeInfo (clause 5.2.26)',
    properties: {
      '@context': context, id: uri, type: { const: 'EntityTypeInfo' }, typeName: str, entityCount: count,
      attributeDetails: { type: 'array', items: ref('Attribute') },
    },
  },
  AttributeList: {
    type: 'object', required: ['id', 'type', 'attributeList'], description: 'AttributeList (clause 5.2.27)',
    properties: { '@context': context, id: uri, type: { const: 'AttributeList' }, attributeList: strings },
  },
  Attribute: {
    type: 'object', required: ['id', 'type', 'attributeName'], description: 'Attribute (clause 5.2.28)',
    properties: { '@context': context, id: uri, type: { const: 'Attribute' }, attributeName: str, attributeCount: count, attributeTypes: strings, typeNames: strings },
  },
  ContextDetails: {
    type: 'object', required: ['URL', 'localId', 'kind'], description: 'Metadata of a stored @context (clause 5.13.3.5); creation time as createdAt (V1.9) and timestamp (earlier versions)',
    properties: {
      URL: str, localId: str, kind: { enum: ['Hosted', 'Cached', 'ImplicitlyCreated'] }, createdAt: time, timestamp: time, expiresAt: time, lastUsage: time, numberOfHits: count,
      extraInfo: { type: 'object', properties: { origin: { type: 'string', description: 'builtin: preloaded with the broker' } } },
    },
  },
  ContextDocument: {
    type: 'object', required: ['@context'], description: 'A served @context (clause 5.13.4): the stored context under @context',
    properties: { '@context': { oneOf: [{ type: 'object' }, { type: 'array' }, { type: 'string' }] } },
  },
  ContextSourceIdentity: {
    type: 'object', required: ['id', 'type', 'contextSourceAlias', 'contextSourceUptime', 'contextSourceTimeAt'], description: 'ContextSourceIdentity (clause 5.2.40)',
    properties: {
      '@context': context, id: uri, type: { const: 'ContextSourceIdentity' },
      contextSourceAlias: { type: 'string', description: 'The authority of the public URL; with a tenant, <tenant>.<authority>' },
      contextSourceUptime: { type: 'string', pattern: '^P(\\d+D)?T(\\d+H)?(\\d+M)?\\d+S$', description: 'ISO 8601 duration since start-up' },
      contextSourceTimeAt: time,
      contextSourceExtras: { type: 'object', description: 'Raw JSON, never expanded', properties: { name: str, version: str, ngsiLdVersions: strings } },
    },
  },
  Conformance: {
    type: 'object', required: ['id', 'type', 'specification', 'ngsiLdVersions', 'notSupported'], description: 'This broker\'s own conformance summary (docs/conformance.md)',
    properties: { '@context': context, id: uri, type: { const: 'Conformance' }, specification: str, ngsiLdVersions: strings, notSupported: strings, details: str },
  },
};
