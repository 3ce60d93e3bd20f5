// Error hierarchy: one base error carrying an RFC 7807 ProblemDetails shape, one subclass
// per ETSI NGSI-LD error type (GS CIM 009 clause 5.5.2), and neutral storage errors.

const ETSI = 'https://uri.etsi.org/ngsi-ld/errors/';

export class ProblemError extends Error {
  readonly type: string;
  readonly status: number;
  readonly title: string;
  readonly detail: string;
  constructor(type: string, status: number, title: string, detail: string, options?: { cause?: unknown }) {
    super(detail, options);
    this.type = type;
    this.status = status;
    this.title = title;
    this.detail = detail;
  }
  toJSON(): Record<string, unknown> {
    return { type: this.type, title: this.title, status: this.status, detail: this.detail };
  }
}

function etsi(name: string, status: number, title: string) {
  return class extends ProblemError {
    constructor(detail: string, options?: { cause?: unknown }) {
      super(ETSI + name, status, title, detail, options);
      this.name = name;
    }
  };
}

export const InvalidRequest = etsi('InvalidRequest', 400, 'The request associated to the operation is syntactically invalid or includes wrong content');
export const BadRequestData = etsi('BadRequestData', 400, 'The request includes input data which does not meet the requirements of the operation');
export const AlreadyExists = etsi('AlreadyExists', 409, 'The referred element already exists');
export const OperationNotSupported = etsi('OperationNotSupported', 422, 'The operation is not supported');
export const ResourceNotFound = etsi('ResourceNotFound', 404, 'The referred resource has not been found');
export const InternalError = etsi('InternalError', 500, 'There has been an error during the operation execution');
export const TooComplexQuery = etsi('TooComplexQuery', 403, 'The query is too complex and cannot be resolved');
export const TooManyResults = etsi('TooManyResults', 403, 'The query leads to too many results');
export const LdContextNotAvailable = etsi('LdContextNotAvailable', 503, 'A remote JSON-LD @context has not been retrieved');
export const NoMultiTenantSupport = etsi('NoMultiTenantSupport', 501, 'Multi-tenancy is not supported');
export const NonexistentTenant = etsi('NonexistentTenant', 404, 'The addressed tenant does not exist');
export const UnsupportedMediaType = etsi('UnsupportedMediaType', 415, 'The request content type is not supported');
export const NotAcceptable = etsi('NotAcceptable', 406, 'None of the requested representations can be produced');
export const PayloadTooLarge = etsi('PayloadTooLarge', 413, 'The request body exceeds the configured limit');
export const PreconditionFailed = etsi('PreconditionFailed', 412, 'A precondition of the request is not met');
export const MethodNotAllowed = etsi('MethodNotAllowed', 405, 'The method is not allowed for this resource');
export const Unavailable = etsi('ServiceUnavailable', 503, 'The service is temporarily unavailable');

/** Neutral storage errors: adapters throw these; services translate them to API errors. */
export class StorageNotFound extends Error {
  constructor(message: string, options?: { cause?: unknown }) { super(message, options); this.name = 'StorageNotFound'; }
}
export class StorageConflict extends Error {
  constructor(message: string, options?: { cause?: unknown }) { super(message, options); this.name = 'StorageConflict'; }
}
/** The database cannot be reached (connection lost, server restarting): answered with 503, the client may retry. */
export class StorageUnavailable extends Error {
  constructor(message: string, options?: { cause?: unknown }) { super(message, options); this.name = 'StorageUnavailable'; }
}

/**
 * Access control errors. NGSI-LD (GS CIM 009 v1.8) names no error types for authentication,
 * authorisation or rate limiting, so these carry Drehscheibe's own type URIs (docs/security.md).
 */
export const DREHSCHEIBE_ERRORS = 'https://drehscheibe.dev/errors/';
export class Unauthorized extends ProblemError {
  constructor(detail: string) { super(`${DREHSCHEIBE_ERRORS}Unauthorized`, 401, 'Authentication is required or has failed', detail); this.name = 'Unauthorized'; }
}
export class Forbidden extends ProblemError {
  constructor(detail: string) { super(`${DREHSCHEIBE_ERRORS}Forbidden`, 403, 'The principal may not perform this operation', detail); this.name = 'Forbidden'; }
}
export class TooManyRequests extends ProblemError {
  constructor(detail: string, readonly retryAfterS: number) { super(`${DREHSCHEIBE_ERRORS}TooManyRequests`, 429, 'Too many requests', detail); this.name = 'TooManyRequests'; }
}
