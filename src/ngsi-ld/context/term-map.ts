// The narrow view of a resolved @context that the hot path uses (implemented by the context service).
export interface Terms {
  readonly key: string;
  readonly source: unknown;
  readonly linkUrl: string;
  /**
   * The @context names the core @context itself: directly, or inside a context document it
   * references (at any depth). Responses then echo it unchanged (clause 5.5.7, annex C.6).
   */
  readonly namesCore?: boolean;
  expandAttr(term: string): string;
  compactAttr(iri: string): string;
  expandType(term: string): string;
  compactType(iri: string): string;
}

/**
 * A resolved @context (core @context first, then the user @context), as built once by
 * ContextService.resolve(). Every method is a Map lookup after the first call for a given name.
 */
export interface TermMap extends Terms {
  /** Stable identity: the URL for a single-URL @context, else "sha256:<hex>" of the @context's JSON text. */
  readonly key: string;
  /** The @context as given (URL string, object or array); CORE_CONTEXT_URL when none was given. */
  readonly source: unknown;
  /**
   * A URL that names this @context, for a Link header (clause 6.3.5): the URL itself for a single URL, the
   * core URL when no user @context was given, else the URL of the ImplicitlyCreated entry (clause 5.13.1).
   */
  readonly linkUrl: string;
  /** The @vocab in force (the core's default-context URI unless a user @context overrides it). */
  readonly vocab: string | null;
  /** Attribute name → IRI: term definitions, compact IRIs with defined prefixes, absolute IRIs unchanged, else @vocab + term. */
  expandAttr(term: string): string;
  /** IRI → attribute name: a term, else a @vocab-relative name, else a compact IRI, else the IRI itself. */
  compactAttr(iri: string): string;
  /** Type name → IRI (same rules as expandAttr; types are vocab-relative). */
  expandType(term: string): string;
  /** IRI → type name. */
  compactType(iri: string): string;
}
