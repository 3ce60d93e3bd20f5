// Parser for scopeQ (GS CIM 009 v1.8 clause 4.19), and validation of scope values on write
// (clause 4.18): hierarchical scopes like /Madrid/Gardens, queried with '+' (one level) and '#' (below).
// The matcher (scopeMatches) lives with the tree in storage/query-ast.ts, where the adapters use it.

import { BadRequestData } from '../../core/errors.ts';
import type { ScopeNode } from '../../storage/query-ast.ts';
import { isWs, parseBoolExpr, quote, resolveLimits, Src, type ParseLimits } from './bool.expr.ts';

const SCOPE_STOP = new Set([...';|()']);

/**
 * Parse a scopeQ expression: scope patterns combined with ';' (AND), '|' (OR) and parentheses.
 * Each pattern starts with '/', has non-empty segments without '/', ';', '|', '(', ')' or blanks;
 * '+' and '#' are only whole segments, and '#' only as the last one. Throws InvalidRequest / TooComplexQuery.
 */
export function parseScopeQ(input: string, opts?: ParseLimits): ScopeNode {
  const src = new Src(String(input), 'scopeQ');
  const s = src.input;
  return parseBoolExpr<ScopeNode>(src, resolveLimits(opts), {
    orChars: '|',
    operand: 'a scope',
    parseOperand(start) {
      if (s[start] !== '/') throw src.fail(start, `a scope must start with '/', e.g. /Madrid/Gardens`);
      let i = start;
      while (i < s.length && !isWs(s[i]) && !SCOPE_STOP.has(s[i]) && s[i] >= ' ' && s[i] !== '\u007f') i++;
      const segments = s.slice(start + 1, i).split('/');
      let at = start + 1;
      segments.forEach((seg, k) => {
        const last = k === segments.length - 1;
        if (seg === '') {
          // "/+/Gardens" sent without percent-encoding arrives as "/ /Gardens".
          const hint = last && isWs(s[i]) ? `; note that '+' must be sent percent-encoded as %2B` : '';
          throw src.fail(at, `empty segment in scope ${quote(s.slice(start, i))}: segments are separated by single '/'${hint}`);
        }
        if (seg === '#' && !last) throw src.fail(at, `'#' (this scope and everything below) may only be the last segment`);
        if (seg !== '#' && seg !== '+' && /[#+]/.test(seg)) {
          throw src.fail(at, `'+' and '#' are wildcards and must be a whole segment, not part of ${quote(seg)}`);
        }
        at += seg.length + 1;
      });
      return { node: { kind: 'scope', segments }, end: i };
    },
  });
}

/**
 * Check a scope value given on create/update (clause 4.18): '/'-separated non-empty segments without
 * the wildcards '+' and '#', the scopeQ operators ';' '|' '(' ')', blanks or control characters.
 */
export function validateScope(s: string): void {
  if (typeof s !== 'string') throw new BadRequestData(`Invalid scope: expected a string like "/Madrid/Gardens", got ${typeof s}`);
  if (!s.startsWith('/')) throw new BadRequestData(`Invalid scope ${quote(s)}: a scope must start with '/', e.g. /Madrid/Gardens`);
  const segments = s.slice(1).split('/');
  for (const seg of segments) {
    if (seg === '') throw new BadRequestData(`Invalid scope ${quote(s)}: segments must not be empty (no '//' and no trailing '/')`);
    const bad = /[#+;|()\s\u0000-\u001f\u007f]/.exec(seg);
    if (bad) {
      const what = bad[0] === '#' || bad[0] === '+' ? 'wildcards are only for scopeQ' : 'it is reserved by scopeQ';
      throw new BadRequestData(`Invalid scope ${quote(s)}: segment ${quote(seg)} contains ${quote(bad[0])}; ${what}`);
    }
  }
}
