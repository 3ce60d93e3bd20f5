// Parser and matcher for entity type selections (GS CIM 009 v1.8 clause 4.17): `A`, `A,B`, `A|B`, `A;B`,
// `(A;B)|C`. Used by the `type` query parameter and by subscriptions' entity selectors.

import type { TypeNode } from '../../storage/query-ast.ts';
import { isIriChar, isNameChar, parseBoolExpr, quote, resolveLimits, Src, type ParseLimits } from './bool.expr.ts';

/**
 * Parse a type selection. ',' is the legacy OR list of earlier versions and means the same as '|';
 * ';' (AND, for entities with several types) binds tighter. Names are kept as written (not expanded).
 * Unlike in q, '.' is an ordinary character in type names. Throws InvalidRequest / TooComplexQuery.
 */
export function parseTypeExpression(input: string, opts?: ParseLimits): TypeNode {
  const src = new Src(String(input), 'type');
  const s = src.input;
  return parseBoolExpr<TypeNode>(src, resolveLimits(opts), {
    orChars: '|,',
    operand: 'a type name',
    parseOperand(start) {
      let i = start;
      while (i < s.length && (isNameChar(s[i]) || s[i] === '.')) i++;
      // Absolute IRIs (https://example.org/ns?v=1#Building) may use further characters.
      if (s.slice(start, i).includes('://')) while (i < s.length && isIriChar(s[i])) i++;
      if (i === start) {
        throw src.fail(start, `expected a type name but found ${quote(s[start])}; names may contain letters, digits and _ : / # @ - .`);
      }
      return { node: { kind: 'type', name: s.slice(start, i) }, end: i };
    },
  });
}

/**
 * Whether an entity with the given (expanded) types is selected. `map` expands each name of the
 * expression (e.g. through the @context) before comparison; identity by default.
 */
export function typeMatches(node: TypeNode, types: Set<string>, map: (name: string) => string = (n) => n): boolean {
  switch (node.kind) {
    case 'type':
      return types.has(map(node.name));
    case 'and':
      return node.items.every((it) => typeMatches(it, types, map));
    case 'or':
      return node.items.some((it) => typeMatches(it, types, map));
  }
}

/** Every type name in the expression, once each, in order of first appearance. */
export function typeNames(node: TypeNode): string[] {
  const out = new Set<string>();
  const todo: TypeNode[] = [node];
  while (todo.length > 0) {
    const n = todo.pop()!;
    if (n.kind === 'type') out.add(n.name);
    else for (let k = n.items.length - 1; k >= 0; k--) todo.push(n.items[k]);
  }
  return [...out];
}
