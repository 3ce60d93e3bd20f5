// Syntax tree of the NGSI-LD query language (GS CIM 009 clause 4.9) and of scopeQ (4.19), and the scope
// matcher. The storage port speaks this tree, so it lives beside the port; the parsers that build it are in
// src/ngsi-ld/query/. Knows nothing of SQL: each storage adapter compiles it on its own.

/** A literal as written in the query. Dates/times keep their text; adapters compare them as ISO strings. */
export type QLiteral =
  | { t: 'number'; v: number }
  | { t: 'string'; v: string }
  | { t: 'boolean'; v: boolean }
  | { t: 'datetime'; v: string } // e.g. 2026-01-01T10:00:00Z
  | { t: 'date'; v: string } // e.g. 2026-01-01
  | { t: 'time'; v: string } // e.g. 10:00:00Z
  | { t: 'uri'; v: string }; // an unquoted URI, e.g. urn:ngsi-ld:Building:1

export type QValue =
  | QLiteral
  | { t: 'range'; from: QLiteral; to: QLiteral }
  | { t: 'list'; items: QLiteral[] };

/**
 * Where a term looks. `attr` is the attribute name as written (not yet expanded).
 * `sub` is the dotted chain of sub-attribute names (`temperature.observedAt` → sub ['observedAt']).
 * `compound` is the bracketed path into a compound value (`address[city.district]` → ['city','district'];
 * for a LanguageProperty `name[de]` → ['de']).
 */
export interface AttrPath {
  attr: string;
  sub: string[];
  compound: string[];
}

export type CmpOp = '==' | '!=' | '>' | '>=' | '<' | '<=';

export type QNode =
  | { kind: 'and'; items: QNode[] }
  | { kind: 'or'; items: QNode[] }
  | { kind: 'exists'; path: AttrPath }
  /** For == and != the value may be a range or a list; for ordering operators it is a literal. */
  | { kind: 'cmp'; path: AttrPath; op: CmpOp; value: QValue }
  /** `~=` (negated false) and `!~=` (negated true). `flags` is '' or 'i' (from a leading `(?i)`). */
  | { kind: 'pattern'; path: AttrPath; negated: boolean; pattern: string; flags: string };

/** scopeQ: a boolean expression over scope patterns like /Madrid/Gardens, /Madrid/#, /+/Gardens. */
export type ScopeNode =
  | { kind: 'and'; items: ScopeNode[] }
  | { kind: 'or'; items: ScopeNode[] }
  /** segments of the pattern; '+' matches one level, a final '#' matches the scope and everything below. */
  | { kind: 'scope'; segments: string[] };

/** Entity type selection (4.17): names as written (not yet expanded), combined with , | (or) and ; (and). */
export type TypeNode =
  | { kind: 'and'; items: TypeNode[] }
  | { kind: 'or'; items: TypeNode[] }
  | { kind: 'type'; name: string };

/**
 * Whether an entity with the given scopes satisfies the expression. A pattern matches if at least one of
 * the scopes matches it: '+' matches exactly one segment; a final '#' matches the prefix itself and
 * everything below it, so '/#' matches any entity that has at least one scope.
 */
export function scopeMatches(node: ScopeNode, scopes: string[]): boolean {
  switch (node.kind) {
    case 'and':
      return node.items.every((it) => scopeMatches(it, scopes));
    case 'or':
      return node.items.some((it) => scopeMatches(it, scopes));
    case 'scope':
      return scopes.some((sc) => patternMatches(node.segments, splitScope(sc)));
  }
}

function splitScope(scope: string): string[] {
  const parts = scope.split('/');
  if (parts[0] === '') parts.shift();
  return parts;
}

function patternMatches(pattern: string[], scope: string[]): boolean {
  const deep = pattern.length > 0 && pattern[pattern.length - 1] === '#';
  const fixed = deep ? pattern.length - 1 : pattern.length;
  if (deep ? scope.length < fixed : scope.length !== fixed) return false;
  for (let k = 0; k < fixed; k++) {
    if (pattern[k] !== '+' && pattern[k] !== scope[k]) return false;
  }
  return true;
}
