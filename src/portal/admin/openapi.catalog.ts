// OpenAPI rows and schemas of the open-data catalogue: the JSON API (/api/catalog), the DCAT-AP.de
// RDF for harvesters (/catalog) and the read-only CKAN Action API (/api/3/action). The schemas follow
// src/catalog/catalog.validate.ts; patterns and vocabularies are taken from the catalogue module.
import {
  DATASET_ID, DATASET_STATES, DEFAULT_LIMITS, DISTRIBUTION_ID, DISTRIBUTION_KINDS, FACETS, FILE_TYPES, FILE_TYPE_BASE, FREQUENCIES, FREQUENCY_BASE,
  LICENCE_BASE, LIVE_KINDS, SORTS, THEME_BASE, licenceList, themeList,
} from '../../catalog/index.ts';
import { json, jsonBody, oneOfValues, pattern, ref, type Operation, type Param, type Schema } from './openapi.model.ts';

const C = '/api/catalog';
const TENANT = '^[A-Za-z0-9_-]{0,64}$';
const ISO_DATE = '^\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|[+-]\\d{2}:\\d{2}))?$';
const HTTP_URL = { type: 'string', format: 'uri', pattern: '^https?://', maxLength: 2000 };

/** A vocabulary's codes and their IRIs: the validation accepts both. */
const codeOrIri = (codes: string[], base: string, description: string): Schema => ({ type: 'string', enum: [...codes, ...codes.map((c) => base + c)], description });
const themeCodes = () => themeList().map((t) => t.code);
const licenceIds = () => licenceList().map((l) => l.id);

const SEARCH: Param[] = [
  { name: 'q', description: 'Free text (German full-text: folded, stemmed, prefix match; every term must match)', schema: { type: 'string', maxLength: 500 } },
  { name: 'theme', description: 'EU data themes, comma-separated (any of them)', schema: { type: 'string' } },
  { name: 'publisher', description: 'Publishing organisations (ids), comma-separated', schema: { type: 'string' } },
  { name: 'format', description: 'EU file types, comma-separated (e.g. CSV,GEOJSON)', schema: { type: 'string' } },
  { name: 'licence', description: 'Licences of the DCAT-AP.de vocabulary, comma-separated', schema: { type: 'string' } },
  { name: 'keyword', description: 'Keywords, comma-separated', schema: { type: 'string' } },
  { name: 'project', description: 'Strategy projects (slugs), comma-separated', schema: { type: 'string' } },
  { name: 'bbox', description: 'west,south,east,north in WGS 84 degrees: datasets whose geometry\'s bounding box intersects it', schema: { type: 'string', examples: ['7.1,51.5,7.3,51.6'] } },
  { name: 'sort', description: 'Order of the hits', schema: oneOfValues(SORTS) },
  { name: 'limit', description: 'Page size', schema: { type: 'integer', minimum: 0, maximum: 1000 } },
  { name: 'offset', description: 'Page start', schema: { type: 'integer', minimum: 0, maximum: 1_000_000 } },
  { name: 'facets', description: `Facet counts to compute, comma-separated (${FACETS.join(', ')})`, schema: { type: 'string' } },
  { name: 'modifiedSince', description: 'Only datasets modified at or after this time (ISO 8601)', schema: { type: 'string', format: 'date-time' } },
];
const PERIOD: Param[] = [
  { name: 'from', description: 'History distributions: start of the period (ISO 8601 date or date-time; default: the dataset\'s historyDays before to)', schema: { type: 'string' } },
  { name: 'to', description: 'History distributions: end of the period, exclusive (default: now)', schema: { type: 'string' } },
];
const ID = { id: { description: 'The dataset\'s id', schema: { type: 'string', pattern: pattern(DATASET_ID) } } };
const DIST = { ...ID, dist: { description: 'The distribution\'s id', schema: { type: 'string', pattern: pattern(DISTRIBUTION_ID) } } };

const DOWNLOAD = { '*/*': { description: 'The file as uploaded, or the live data generated now (CSV, GeoJSON); Content-Disposition names the file' } };
const STEWARD = 'Needs the steward or operator role in the dataset\'s tenant (the credential is checked for write access to the request\'s tenant, NGSILD-Tenant).';

const RDF_NAME = { '.ttl': 'Turtle', '.rdf': 'RDF/XML', '.jsonld': 'JSON-LD' } as const;
const RDF_TYPE = { '.ttl': 'text/turtle', '.rdf': 'application/rdf+xml', '.jsonld': 'application/ld+json' } as const;
const RDF_ANSWER: Schema = { description: 'DCAT-AP.de 3.0 (dcat:Catalog, dcat:Dataset, dcat:Distribution, foaf:Organization)' };
const RDF_ANY: Record<string, Schema> = Object.fromEntries(Object.values(RDF_TYPE).map((t) => [t, RDF_ANSWER]));
const CATALOG_PAGE: Param[] = [
  { name: 'limit', description: 'Datasets per page (default 100)', schema: { type: 'integer', minimum: 1, maximum: 1000 } },
  { name: 'after', description: 'Page token of hydra:next (stable order: a page boundary never drops or repeats a dataset)', schema: { type: 'string' } },
  { name: 'before', description: 'Page token of hydra:previous', schema: { type: 'string' } },
];

const CKAN_ACTIONS = ['status_show', 'package_list', 'package_show', 'package_search', 'organization_list', 'organization_show', 'group_list', 'tag_list', 'license_list'] as const;
const CKAN_PARAMS: Param[] = [
  { name: 'id', description: 'package_show, organization_show: the id (package_show also takes name_or_id)', schema: { type: 'string' } },
  { name: 'name_or_id', description: 'package_show: the id', schema: { type: 'string' } },
  { name: 'q', description: 'package_search: free text, or field queries as in fq ("*:*" = all)', schema: { type: 'string' } },
  { name: 'fq', description: 'package_search: Solr field queries: field:value, field:"value", metadata_modified:[X TO Y]; fields tags, organization, res_format, license_id, groups, theme, metadata_modified, dataset_type, type, text', schema: { type: 'string' } },
  { name: 'rows', description: 'package_search: page size (default 10, at most 1000)', schema: { type: 'integer', minimum: 0 } },
  { name: 'start', description: 'package_search: page start', schema: { type: 'integer', minimum: 0 } },
  { name: 'sort', description: 'package_search: "metadata_modified desc", "metadata_created asc", "title_string asc", "score desc", …', schema: { type: 'string' } },
  { name: 'facet.field', description: 'package_search: a JSON list of tags, organization, res_format, license_id, groups, theme', schema: { type: 'string', examples: ['["tags","res_format"]'] } },
  { name: 'facet.limit', description: 'package_search: values per facet (default 50)', schema: { type: 'integer', minimum: 0 } },
  { name: 'limit', description: 'package_list: how many ids', schema: { type: 'integer', minimum: 0 } },
  { name: 'offset', description: 'package_list: the first id', schema: { type: 'integer', minimum: 0 } },
  { name: 'all_fields', description: 'organization_list, group_list: true = dictionaries instead of names', schema: { type: 'string', enum: ['true', 'True', 'false', 'False'] } },
  { name: 'include_datasets', description: 'organization_show: true = with its packages', schema: { type: 'string', enum: ['true', 'True', 'false', 'False'] } },
  { name: 'query', description: 'tag_list: only tags containing this text', schema: { type: 'string' } },
];
const CKAN_DESCRIPTION = 'The read-only part of CKAN\'s Action API v3 (CKAN 2.10 shapes), for CKAN\'s harvester, the European Data Portal, QGIS and the CKAN clients. '
  + 'Every answer is CKAN\'s envelope `{help, success, result}`; errors are CKAN\'s error envelope (400 unknown action, 404 not found, 409 validation or search query error). '
  + 'Only published datasets are visible; groups are the strategy projects.';

export const CATALOG_OPERATIONS: Operation[] = [
  // JSON API: public reads
  { method: 'GET', path: `${C}/datasets`, tag: 'Catalog', summary: 'Search published datasets (free text, facets, bounding box, paging)', access: 'public', query: SEARCH, answer: json(ref('SearchResult')) },
  { method: 'GET', path: `${C}/datasets/{id}`, tag: 'Catalog', summary: 'A published dataset', access: 'public', pathParams: ID, answer: json(ref('Dataset')) },
  { method: 'GET', path: `${C}/datasets/{id}/distributions/{dist}/download`, tag: 'Catalog', summary: 'Download a distribution (file, or live data streamed now)', access: 'public', pathParams: DIST, query: PERIOD, answer: DOWNLOAD },
  { method: 'GET', path: `${C}/licences`, tag: 'Catalog', summary: 'The licences of the DCAT-AP.de vocabulary', access: 'public', answer: json({ type: 'array', items: ref('Licence') }) },
  { method: 'GET', path: `${C}/themes`, tag: 'Catalog', summary: 'The EU data themes', access: 'public', answer: json({ type: 'array', items: ref('Theme') }) },
  { method: 'GET', path: `${C}/vocabularies`, tag: 'Catalog', summary: 'Licences, themes, frequencies, file types and upload limits in one answer (for editors)', access: 'public', answer: json(ref('Vocabularies')) },
  { method: 'GET', path: `${C}/organisations`, tag: 'Catalog', summary: 'The organisations that publish datasets', access: 'public', answer: json({ type: 'array', items: ref('Organisation') }) },
  // JSON API: stewards
  { method: 'GET', path: `${C}/steward/datasets`, tag: 'Catalog', summary: 'Search the datasets the caller manages, drafts included', access: 'write', description: STEWARD, headers: ['Tenant'], query: [...SEARCH, { name: 'drafts', description: 'Ignored here (drafts are always included)', schema: { type: 'string' } }], answer: json(ref('SearchResult')) },
  { method: 'GET', path: `${C}/steward/datasets/{id}`, tag: 'Catalog', summary: 'A dataset the caller manages, draft or published', access: 'write', description: STEWARD, headers: ['Tenant'], pathParams: ID, answer: json(ref('Dataset')) },
  { method: 'GET', path: `${C}/steward/datasets/{id}/distributions/{dist}/download`, tag: 'Catalog', summary: 'Download a distribution of a dataset the caller manages (drafts too)', access: 'write', description: STEWARD, headers: ['Tenant'], pathParams: DIST, query: PERIOD, answer: DOWNLOAD },
  { method: 'POST', path: `${C}/check`, tag: 'Catalog', summary: 'Check a dataset document without saving it (every problem, by field)', access: 'write', headers: ['Tenant'], body: jsonBody(ref('DatasetInput')), answer: json(ref('CheckResult')) },
  { method: 'POST', path: `${C}/datasets`, tag: 'Catalog', summary: 'Create a dataset (a draft)', access: 'write', description: STEWARD, headers: ['Tenant'], body: jsonBody(ref('DatasetInput')), ok: 201, answer: json(ref('Dataset')), answerHeaders: { Location: 'The dataset\'s URL' }, errors: [409] },
  { method: 'PUT', path: `${C}/datasets/{id}`, tag: 'Catalog', summary: 'Replace a dataset (the id in the path wins; generated live distributions may be sent back unchanged)', access: 'write', description: STEWARD, headers: ['Tenant'], pathParams: ID, body: jsonBody(ref('DatasetInput')), answer: json(ref('Dataset')) },
  { method: 'DELETE', path: `${C}/datasets/{id}`, tag: 'Catalog', summary: 'Delete a dataset with its files', access: 'write', description: STEWARD, headers: ['Tenant'], pathParams: ID, ok: 204 },
  { method: 'POST', path: `${C}/datasets/{id}/publish`, tag: 'Catalog', summary: 'Publish a dataset (400 names what stands in the way: missing files, a live query not readable anonymously)', access: 'write', description: STEWARD, headers: ['Tenant'], pathParams: ID, answer: json(ref('Dataset')) },
  { method: 'POST', path: `${C}/datasets/{id}/unpublish`, tag: 'Catalog', summary: 'Take a dataset back to draft', access: 'write', description: STEWARD, headers: ['Tenant'], pathParams: ID, answer: json(ref('Dataset')) },
  {
    method: 'PUT', path: `${C}/datasets/{id}/distributions/{dist}/file`, tag: 'Catalog', summary: 'Upload the file of a file distribution (the body is the file, Content-Type its media type)', access: 'write',
    description: `${STEWARD} At most ${DEFAULT_LIMITS.maxUploadBytes} bytes; allowed media types: ${DEFAULT_LIMITS.uploadTypes.join(', ')}.`,
    headers: ['Tenant'], pathParams: DIST, query: [{ name: 'name', description: 'The file\'s name (default: <dist>.<extension of the format>)', schema: { type: 'string' } }],
    body: { required: true, content: Object.fromEntries(DEFAULT_LIMITS.uploadTypes.map((t) => [t, { description: 'The file\'s bytes' }])) },
    answer: json(ref('Dataset')), errors: [413, 415],
  },
  // DCAT-AP.de RDF
  ...(['', '.ttl', '.rdf', '.jsonld'] as const).map((suffix): Operation => ({
    method: 'GET', path: `/catalog${suffix}`, tag: 'DCAT-AP', id: `getCatalog${suffix ? suffix.slice(1).replace(/^./, (c) => c.toUpperCase()) : ''}`,
    summary: suffix ? `The catalogue as ${RDF_NAME[suffix]} (hydra paging)` : 'The catalogue in DCAT-AP.de, format by Accept (Turtle, RDF/XML, JSON-LD), paged with hydra:PartialCollectionView',
    access: 'public', query: CATALOG_PAGE, answer: suffix ? { [RDF_TYPE[suffix]]: RDF_ANSWER } : RDF_ANY,
  })),
  { method: 'GET', path: '/catalog/datasets/{id}', tag: 'DCAT-AP', summary: 'A published dataset in DCAT-AP.de (the persistent IRI; suffix .ttl, .rdf or .jsonld, or by Accept)', access: 'public', pathParams: { id: { description: 'The dataset\'s id, optionally with .ttl, .rdf or .jsonld' } }, answer: RDF_ANY },
  { method: 'GET', path: '/catalog/datasets/{id}/distributions/{dist}', tag: 'DCAT-AP', summary: 'A distribution\'s IRI: 303 to the description of its dataset', access: 'public', pathParams: { id: { description: 'The dataset\'s id' }, dist: { description: 'The distribution\'s id, optionally with .ttl, .rdf or .jsonld' } }, ok: 303, answerHeaders: { Location: 'The dataset\'s description' } },
  { method: 'GET', path: '/catalog/organisations/{id}', tag: 'DCAT-AP', summary: 'A publishing organisation (foaf:Organization; suffix or Accept as above)', access: 'public', pathParams: { id: { description: 'The organisation\'s id, optionally with .ttl, .rdf or .jsonld' } }, answer: RDF_ANY },
  // CKAN Action API (read-only)
  ...(['GET', 'POST'] as const).map((method): Operation => ({
    method, path: '/api/3/action/{action}', tag: 'CKAN', id: `ckanAction${method === 'GET' ? 'Get' : 'Post'}`, access: 'public',
    summary: method === 'GET' ? 'A CKAN 2.10 action, parameters in the query string' : 'A CKAN 2.10 action, parameters in a JSON body (as the Python clients send them)',
    description: CKAN_DESCRIPTION,
    pathParams: { action: { description: 'The action', schema: oneOfValues(CKAN_ACTIONS) } },
    ...(method === 'GET' ? { query: CKAN_PARAMS } : { body: { required: false, content: json({ type: 'object', description: 'The action\'s parameters (as in the query string of GET); query parameters are read too', properties: Object.fromEntries(CKAN_PARAMS.map((p) => [p.name, { ...p.schema, description: p.description }])) }) } }),
    answer: json(ref('CkanSuccess')), errors: [409],
  })),
];

const LANG_TEXT_OUT: Schema = { type: 'object', required: ['de'], properties: { de: { type: 'string' }, en: { type: 'string' } }, additionalProperties: false };
const langIn = (max: number): Schema => ({
  description: 'German text (required) and English text; a plain string is the German text',
  oneOf: [{ type: 'string', maxLength: max }, { type: 'object', properties: { de: { type: 'string', maxLength: max }, en: { type: 'string', maxLength: max } }, additionalProperties: false }],
});
const POSITION = { type: 'array', prefixItems: [{ type: 'number', minimum: -180, maximum: 180 }, { type: 'number', minimum: -90, maximum: 90 }], minItems: 2, maxItems: 2 };
const RING = { type: 'array', items: POSITION, minItems: 4, maxItems: 10_000 };

export const CATALOG_SCHEMAS: Record<string, Schema> = {
  CatalogGeometry: {
    description: 'GeoJSON geometry, lon/lat (WGS 84)',
    oneOf: [
      { type: 'object', required: ['type', 'coordinates'], properties: { type: { const: 'Point' }, coordinates: POSITION } },
      { type: 'object', required: ['type', 'coordinates'], properties: { type: { const: 'Polygon' }, coordinates: { type: 'array', items: RING, minItems: 1 } } },
      { type: 'object', required: ['type', 'coordinates'], properties: { type: { const: 'MultiPolygon' }, coordinates: { type: 'array', items: { type: 'array', items: RING, minItems: 1 }, minItems: 1 } } },
    ],
  },
  LiveQuery: {
    type: 'object', required: ['type'], additionalProperties: false,
    description: 'The NGSI-LD query a live dataset is bound to (read anonymously): its distributions current CSV, current GeoJSON, history CSV and the NGSI-LD query are generated',
    properties: {
      tenant: { type: 'string', pattern: TENANT, description: 'NGSILD-Tenant ("" = the default tenant)' },
      type: { type: 'string', description: 'Entity type: a name of the @context, or an IRI', maxLength: 500 },
      q: { type: 'string', maxLength: 2000, description: 'NGSI-LD q expression (clause 4.9)' },
      geo: { type: 'object', required: ['georel', 'geometry', 'coordinates'], properties: { georel: { type: 'string' }, geometry: { type: 'string' }, coordinates: { oneOf: [{ type: 'string' }, { type: 'array' }] }, geoproperty: { type: 'string' } } },
      attrs: { type: 'array', maxItems: 100, items: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_.-]{0,127}$' } },
      context: { ...HTTP_URL, description: 'The @context the names are in (default: the core context)' },
      historyDays: { type: 'integer', minimum: 1, maximum: 366, description: 'Default period of the history distribution' },
    },
  },
  DistributionInput: {
    type: 'object', required: ['id', 'kind', 'format', 'mediaType'], additionalProperties: false,
    properties: {
      id: { type: 'string', pattern: pattern(DISTRIBUTION_ID) },
      kind: { enum: ['file', 'link'], description: 'file: uploaded afterwards (PUT …/file); link: accessUrl is required. Live distributions are generated' },
      title: langIn(300), description: langIn(5000),
      accessUrl: HTTP_URL, downloadUrl: HTTP_URL,
      format: codeOrIri(Object.keys(FILE_TYPES), FILE_TYPE_BASE, 'EU file type'),
      mediaType: { type: 'string', pattern: '^[A-Za-z0-9!#$&^_.+-]{1,64}/[A-Za-z0-9!#$&^_.+-]{1,128}$', examples: ['text/csv'] },
      licence: codeOrIri(licenceIds(), LICENCE_BASE, 'Licence of the distribution (default: the dataset\'s)'),
      byteSize: { type: 'integer', minimum: 0, description: 'Links only' },
      checksum: ref('Checksum'),
      fileName: { type: 'string', description: 'Read-only; ignored' }, live: { type: 'string', description: 'Read-only; ignored' }, modified: { type: 'string', description: 'Read-only; ignored' },
    },
  },
  Checksum: {
    type: 'object', required: ['algorithm', 'value'],
    properties: { algorithm: { enum: ['sha256', 'sha1', 'md5'] }, value: { type: 'string', pattern: '^[0-9a-fA-F]{32,64}$', description: 'Hex digest of the algorithm\'s length' } },
  },
  DatasetInput: {
    type: 'object', required: ['title', 'description', 'publisherId', 'licence'], additionalProperties: false,
    description: 'A dataset as stewards send it (POST /api/catalog/datasets needs id; PUT takes it from the path). The service also checks that publisher, contact organisation and project exist and that a live query is valid.',
    properties: {
      id: { type: 'string', pattern: pattern(DATASET_ID), description: 'Persistent: part of every IRI, never changes' },
      tenant: { type: 'string', pattern: TENANT, description: 'The tenant whose stewards manage it ("" = default)' },
      title: langIn(300), description: langIn(20_000),
      publisherId: { type: 'string', maxLength: 100, description: 'An organisation (GET /api/catalog/organisations)' },
      contactPoint: {
        type: 'object', required: ['organisationId'], additionalProperties: false, description: 'An e-mail address or a URL is required',
        properties: { organisationId: { type: 'string', maxLength: 100 }, email: { type: 'string', format: 'email' }, url: HTTP_URL },
      },
      licence: codeOrIri(licenceIds(), LICENCE_BASE, 'A licence of the DCAT-AP.de vocabulary (id or IRI)'),
      themes: { type: 'array', maxItems: 13, items: codeOrIri(themeCodes(), THEME_BASE, 'EU data theme') },
      keywords: { type: 'array', maxItems: 50, items: { type: 'string', minLength: 1, maxLength: 100 } },
      spatial: {
        type: 'object', additionalProperties: false,
        properties: { municipalityKey: { type: 'string', pattern: '^\\d{8}$', description: 'Amtlicher Gemeindeschlüssel, e.g. 05916000 (Herne)' }, geometry: ref('CatalogGeometry') },
      },
      temporal: { type: 'object', additionalProperties: false, properties: { start: { type: 'string', pattern: ISO_DATE }, end: { type: 'string', pattern: ISO_DATE } } },
      accrualPeriodicity: codeOrIri(Object.keys(FREQUENCIES), FREQUENCY_BASE, 'EU frequency'),
      contributorIds: { type: 'array', maxItems: 20, items: HTTP_URL },
      conformsTo: { type: 'array', maxItems: 20, items: HTTP_URL },
      landingPage: HTTP_URL,
      projectSlug: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,99}$', description: 'The strategy project it belongs to' },
      live: ref('LiveQuery'),
      distributions: { type: 'array', maxItems: 50, items: ref('DistributionInput'), description: 'Unique ids; none for a live dataset' },
      issued: { type: 'string', pattern: ISO_DATE }, modified: { type: 'string', pattern: ISO_DATE },
      state: { type: 'string', description: 'Read-only; ignored' }, createdAt: { type: 'string', description: 'Read-only; ignored' },
    },
  },
  Distribution: {
    type: 'object', required: ['id', 'kind', 'format', 'mediaType'],
    properties: {
      id: { type: 'string' }, kind: oneOfValues(DISTRIBUTION_KINDS), title: LANG_TEXT_OUT, description: LANG_TEXT_OUT,
      accessUrl: { type: 'string', format: 'uri' }, downloadUrl: { type: 'string', format: 'uri' },
      format: oneOfValues(Object.keys(FILE_TYPES)), mediaType: { type: 'string' }, licence: oneOfValues(licenceIds()),
      byteSize: { type: 'integer' }, checksum: ref('Checksum'), fileName: { type: 'string', description: 'Files: once uploaded' },
      live: oneOfValues(LIVE_KINDS, 'Live distributions: what is generated'), modified: { type: 'string', format: 'date-time' },
    },
  },
  Dataset: {
    type: 'object', required: ['id', 'tenant', 'state', 'title', 'description', 'publisherId', 'licence', 'themes', 'keywords', 'contributorIds', 'conformsTo', 'distributions', 'modified', 'createdAt'],
    properties: {
      id: { type: 'string' }, tenant: { type: 'string' }, state: oneOfValues(DATASET_STATES),
      title: LANG_TEXT_OUT, description: LANG_TEXT_OUT, publisherId: { type: 'string' },
      contactPoint: { type: 'object', properties: { organisationId: { type: 'string' }, email: { type: 'string' }, url: { type: 'string' } } },
      licence: oneOfValues(licenceIds()), themes: { type: 'array', items: oneOfValues(themeCodes()) }, keywords: { type: 'array', items: { type: 'string' } },
      spatial: { type: 'object', properties: { municipalityKey: { type: 'string' }, geometry: ref('CatalogGeometry') } },
      temporal: { type: 'object', properties: { start: { type: 'string' }, end: { type: 'string' } } },
      accrualPeriodicity: oneOfValues(Object.keys(FREQUENCIES)), contributorIds: { type: 'array', items: { type: 'string' } }, conformsTo: { type: 'array', items: { type: 'string' } },
      landingPage: { type: 'string' }, projectSlug: { type: 'string' }, live: ref('LiveQuery'),
      distributions: { type: 'array', items: ref('Distribution') },
      issued: { type: 'string', description: 'First publication' }, modified: { type: 'string', description: 'Last change (live datasets: of the data)' }, createdAt: { type: 'string', format: 'date-time' },
    },
  },
  SearchResult: {
    type: 'object', required: ['total', 'datasets', 'facets'],
    properties: {
      total: { type: 'integer' }, datasets: { type: 'array', items: ref('Dataset') },
      facets: { type: 'object', propertyNames: { enum: [...FACETS] }, additionalProperties: { type: 'array', items: { type: 'object', required: ['value', 'count'], properties: { value: { type: 'string' }, count: { type: 'integer' } } } } },
    },
  },
  CheckResult: { type: 'object', required: ['problems'], properties: { problems: { type: 'array', items: ref('FieldProblem'), description: 'Empty when the document is valid' } } },
  FieldProblem: { type: 'object', required: ['field', 'message'], properties: { field: { type: 'string', examples: ['distributions[1].format'] }, message: { type: 'string' } } },
  Licence: { type: 'object', required: ['id', 'iri', 'label', 'open'], properties: { id: { type: 'string', examples: ['dl-by-de/2.0'] }, iri: { type: 'string', format: 'uri' }, label: { type: 'string' }, url: { type: 'string' }, open: { type: 'boolean' } } },
  Theme: { type: 'object', required: ['code', 'iri', 'label'], properties: { code: oneOfValues(themeCodes()), iri: { type: 'string', format: 'uri' }, label: { type: 'object', required: ['de', 'en'], properties: { de: { type: 'string' }, en: { type: 'string' } } } } },
  Organisation: { type: 'object', required: ['id', 'name'], properties: { id: { type: 'string' }, name: { type: 'string' }, kind: { type: 'string' }, url: { type: 'string' } } },
  Vocabularies: {
    type: 'object', required: ['licences', 'themes', 'frequencies', 'fileTypes', 'limits'],
    properties: {
      licences: { type: 'array', items: ref('Licence') }, themes: { type: 'array', items: ref('Theme') },
      frequencies: { type: 'object', additionalProperties: { type: 'object', properties: { de: { type: 'string' }, en: { type: 'string' } } }, description: 'EU frequency code → labels' },
      fileTypes: { type: 'object', additionalProperties: { type: 'string' }, description: 'EU file type code → media type' },
      limits: { type: 'object', properties: { maxUploadBytes: { type: 'integer' }, uploadTypes: { type: 'array', items: { type: 'string' } } } },
    },
  },
  CkanSuccess: {
    type: 'object', required: ['help', 'success', 'result'],
    properties: { help: { type: 'string', format: 'uri' }, success: { const: true }, result: { description: 'The action\'s result: a list of names, a package, organisation or group dictionary, or package_search\'s {count, sort, facets, search_facets, results}' } },
  },
  CkanError: {
    type: 'object', required: ['help', 'success', 'error'],
    properties: {
      help: { type: 'string', format: 'uri' }, success: { const: false },
      error: { type: 'object', required: ['__type', 'message'], properties: { __type: { type: 'string', examples: ['Validation Error', 'Not Found Error', 'Search Query Error', 'Bad Request'] }, message: { type: 'string' } }, additionalProperties: { type: 'array', items: { type: 'string' }, description: 'Validation errors by parameter' } },
    },
  },
};
