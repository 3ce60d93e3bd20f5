// Which kept entity count answers a filter's count=true (issue #19): both engines keep one count per
// (tenant, type) and one per tenant (type ''), updated in the transaction of every entity write.
import type { EntityFilter } from './port.ts';
import type { TypeNode } from './query-ast.ts';

/** The count row of all entities of a tenant (no NGSI-LD type is empty). */
export const ALL_TYPES = '';

function singleType(t: TypeNode): string | undefined {
  if (t.kind === 'type') return t.name;
  return t.items.length === 1 ? singleType(t.items[0]) : undefined;
}

/**
 * The type whose kept count is the filter's number of matches (ALL_TYPES: every entity of the
 * tenant), or undefined when the matches must be counted: anything besides at most one type
 * narrows, and a type-level read restriction may hide entities having other types too.
 */
export function countedType(f: EntityFilter): string | undefined {
  if (f.ids?.length || f.idPattern !== undefined || f.q || f.scopeQ || f.geo || f.anyAttrs?.length || f.readable || f.aliveAt) return undefined;
  return f.types ? singleType(f.types) : ALL_TYPES;
}
