// The shape of one row of the hand-written OpenAPI description (openapi.ts builds the document from
// the rows of each domain file, openapi.*.ts) and small helpers those files share.

/**
 * Who may call an operation. public: anyone; read/write/subscriptions/admin: the platform's access
 * model (API key, bearer token, session); session: a logged-in person (/konto); device: the device's
 * apikey; person: a confirmed citizen account's session (participation); staff: moderator, steward or
 * operator (key, token or session); key: an API key given as api_key or X-API-Key (Open311).
 */
export type Access = 'public' | 'read' | 'write' | 'subscriptions' | 'admin' | 'session' | 'device' | 'person' | 'staff' | 'key';

export type Schema = Record<string, unknown>;

/** A query or header parameter described in place (the NGSI-LD rows name documented ones instead). */
export interface Param {
  name: string;
  in?: 'query' | 'header';
  description: string;
  schema?: Schema;
  required?: boolean;
}

export interface Body {
  required?: boolean;
  description?: string;
  /** Media type → schema. */
  content: Record<string, Schema>;
}

export type BodyKey = 'entity' | 'entities' | 'json' | 'form-or-json' | 'project' | 'ids' | 'query';

export interface Operation {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** OpenAPI path template ({param}). */
  path: string;
  tag: string;
  summary: string;
  access: Access;
  /** Longer text (CommonMark), e.g. what the service checks beyond the schema. */
  description?: string;
  /** operationId when the one derived from method and path reads badly. */
  id?: string;
  /** Query parameters: names documented in openapi.ts (NGSI-LD, IoT, admin), or described in place. */
  query?: Array<string | Param>;
  /** Header parameters: names of components.parameters (Tenant, FiwareService, …). */
  headers?: string[];
  /** Path parameters described in place (else a plain string each). */
  pathParams?: Record<string, { description: string; schema?: Schema }>;
  body?: BodyKey | Body;
  /** Success status (200 when absent). */
  ok?: number;
  /** Further success statuses (an upsert's 204, a batch's 207); their content, if any, in `answers`. */
  alsoOk?: number[];
  /** The content of further success statuses (status → media type → schema), e.g. a batch's 207 result. */
  answers?: Partial<Record<number, Record<string, Schema>>>;
  /** The success answer's content (media type → schema); absent = not described beyond the status. */
  answer?: Record<string, Schema>;
  /** Headers of the success answer (name → description). */
  answerHeaders?: Record<string, string>;
  /** Error statuses beyond the usual 400 (and 401/403 when not public, 404 with a path parameter). */
  errors?: number[];
  /** The ETSI GS CIM 009 clause, for NGSI-LD operations. */
  clause?: string;
}

/** A reference to a schema of components.schemas. */
export const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });

/** A JSON answer or body with this schema. */
export const json = (schema: Schema): Record<string, Schema> => ({ 'application/json': schema });

/** A required JSON request body. */
export const jsonBody = (schema: Schema, description?: string): Body => ({ required: true, ...(description ? { description } : {}), content: json(schema) });

/** An enumeration of the values of a constant list (kept in step with the validation code that owns it). */
export const oneOfValues = (values: readonly string[], description?: string): Schema => ({ type: 'string', enum: [...values], ...(description ? { description } : {}) });

/** A JSON Schema pattern from a validation RegExp (same source, no flags). */
export const pattern = (re: RegExp): string => re.source;
