// Builders of query trees (storage/query-ast.ts) for the contract suites. The suites state their queries
// as trees, the port's own language, instead of parsing q text: storage does not depend on the NGSI-LD
// parser (src/ngsi-ld/query/). Names are as written; each suite expands them like the service does.
import type { AttrPath, CmpOp, QLiteral, QNode, QValue } from '../query-ast.ts';

type Plain = number | string | boolean;

/** A literal from a plain value: numbers, strings (as if quoted) and booleans. */
export function lit(v: Plain): QLiteral {
  if (typeof v === 'number') return { t: 'number', v };
  if (typeof v === 'boolean') return { t: 'boolean', v };
  return { t: 'string', v };
}

/** `attr.sub1.sub2[c1.c2]`: sub-attribute chain and compound path, both empty by default. */
export function at(attr: string, sub: string[] = [], compound: string[] = []): AttrPath {
  return { attr, sub, compound };
}

const pathOf = (p: string | AttrPath): AttrPath => (typeof p === 'string' ? at(p) : p);

/** `from..to` */
export function range(from: Plain, to: Plain): QValue {
  return { t: 'range', from: lit(from), to: lit(to) };
}

/** `a,b,c` */
export function list(...items: Plain[]): QValue {
  return { t: 'list', items: items.map(lit) };
}

export function cmp(p: string | AttrPath, op: CmpOp, value: Plain | QValue): QNode {
  return { kind: 'cmp', path: pathOf(p), op, value: typeof value === 'object' ? value : lit(value) };
}

/** `~=` or, negated, `!~=`. */
export function pattern(p: string | AttrPath, re: string, negated = false, flags = ''): QNode {
  return { kind: 'pattern', path: pathOf(p), negated, pattern: re, flags };
}

export function exists(p: string | AttrPath): QNode {
  return { kind: 'exists', path: pathOf(p) };
}

/** `a;b` */
export function and(...items: QNode[]): QNode {
  return { kind: 'and', items };
}
