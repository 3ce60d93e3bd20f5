// Shared machinery of the small boolean languages q (GS CIM 009 clause 4.9), type (4.17) and scopeQ (4.19):
// an iterative precedence parser (';' = AND binds tighter than '|' = OR), limits, and readable syntax errors.

import { InvalidRequest, TooComplexQuery, type ProblemError } from '../../core/errors.ts';

/** Bounds on the input; exceeding one raises TooComplexQuery (clause 5.5.2), never a hang or stack overflow. */
export interface ParseLimits {
  maxLength?: number;
  maxDepth?: number;
  maxTerms?: number;
}

export const DEFAULT_LIMITS: Required<ParseLimits> = { maxLength: 4096, maxDepth: 16, maxTerms: 100 };

export function resolveLimits(opts: ParseLimits | undefined): Required<ParseLimits> {
  const pick = (v: number | undefined, d: number) => (v !== undefined && Number.isFinite(v) && v >= 0 ? Math.floor(v) : d);
  return {
    maxLength: pick(opts?.maxLength, DEFAULT_LIMITS.maxLength),
    maxDepth: pick(opts?.maxDepth, DEFAULT_LIMITS.maxDepth),
    maxTerms: pick(opts?.maxTerms, DEFAULT_LIMITS.maxTerms),
  };
}

export function isWs(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r';
}

const NAME_RE = /[\p{L}\p{N}\p{M}_:/#@-]/u;
/**
 * Characters of attribute and type names (clause 4.9 AttrName, 4.17): besides letters and digits,
 * ':' '/' '#' '@' '-' '_' occur in prefixed names (schema:name) and IRIs. '.' is handled by callers
 * because its meaning differs (sub-attribute separator in q, plain character in type names).
 */
export function isNameChar(c: string | undefined): boolean {
  return c !== undefined && NAME_RE.test(c);
}

const NOT_IRI = new Set([...'()[]{}";|,<>']);
const Q_OPERATOR = new Set([...'=!~']);
/**
 * Extra characters accepted once a name is known to be an absolute IRI (contains "://"), e.g. '?', '%', '&'.
 * In q (`inQ`) the operator characters '=' '!' '~' end the name, so q cannot address IRIs containing them.
 */
export function isIriChar(c: string | undefined, inQ = false): boolean {
  return c !== undefined && c > ' ' && c !== '\u007f' && !NOT_IRI.has(c) && !(inQ && Q_OPERATOR.has(c));
}

/** The input being parsed plus the parameter name used in error messages. */
export class Src {
  constructor(
    readonly input: string,
    readonly label: string,
  ) {}

  get length(): number {
    return this.input.length;
  }

  skipWs(pos: number): number {
    while (pos < this.input.length && isWs(this.input[pos])) pos++;
    return pos;
  }

  /** InvalidRequest naming the 1-based position and showing the text around it. */
  fail(pos: number, msg: string): ProblemError {
    const s = this.input;
    const p = Math.max(0, Math.min(pos, s.length));
    const where = p >= s.length ? `position ${p + 1} (end of input)` : `position ${p + 1}`;
    return new InvalidRequest(`Invalid ${this.label} at ${where}: ${msg} (${excerpt(s, p)})`);
  }

  tooComplex(msg: string): ProblemError {
    return new TooComplexQuery(`${this.label} is too complex: ${msg}`);
  }
}

export function excerpt(s: string, pos: number, radius = 20): string {
  const from = Math.max(0, pos - radius);
  const to = Math.min(s.length, pos + radius);
  const text = s.slice(from, to).replace(/[\u0000-\u001f\u007f]/g, '\uFFFD');
  return `${from > 0 ? '…' : ''}"${text}"${to < s.length ? '…' : ''}`;
}

/** Quote a piece of the input for a message, shortened when long. */
export function quote(text: string, max = 40): string {
  const t = text.length > max ? text.slice(0, max) + '…' : text;
  return `"${t.replace(/[\u0000-\u001f\u007f]/g, '\uFFFD')}"`;
}

type Junction<N> = { kind: 'and' | 'or'; items: N[] };

/** Build an and/or node, flattening children of the same kind; a single item is returned unwrapped. */
export function junction<N extends { kind: string }>(kind: 'and' | 'or', items: N[]): N {
  const flat: N[] = [];
  for (const it of items) {
    if (it.kind === kind) flat.push(...(it as unknown as Junction<N>).items);
    else flat.push(it);
  }
  if (flat.length === 1) return flat[0];
  return { kind, items: flat } as unknown as N;
}

export interface BoolExprSpec<N> {
  /** Characters meaning OR: '|' everywhere, plus ',' for the legacy type list (4.17). */
  orChars: string;
  /** What an operand is, for messages: 'an attribute name', 'a type name', 'a scope'. */
  operand: string;
  /** Parse one operand starting at a non-blank position that is not '(' ')' ';' or an OR char. */
  parseOperand(pos: number): { node: N; end: number };
}

interface Frame<N> {
  ors: N[];
  ands: N[];
  open: number;
}

/**
 * expr := and (OR and)* ; and := primary (';' primary)* ; primary := '(' expr ')' | operand.
 * Written with an explicit stack rather than recursion so the parenthesis depth is bounded only by
 * maxDepth, which is checked before each push.
 */
export function parseBoolExpr<N extends { kind: string }>(src: Src, limits: Required<ParseLimits>, spec: BoolExprSpec<N>): N {
  const s = src.input;
  const n = s.length;
  if (n > limits.maxLength) {
    throw src.tooComplex(`${n} characters exceed the limit of ${limits.maxLength}`);
  }
  if (s.trim() === '') throw src.fail(0, `${src.label} is empty; give at least one ${spec.operand.replace(/^an? /, '')}`);
  const isOr = (c: string | undefined) => c !== undefined && spec.orChars.includes(c);
  const seps = [';', ...spec.orChars].map((c) => `'${c}'`).join(', ');
  const finish = (f: Frame<N>) => junction('or', [...f.ors, junction('and', f.ands)]);

  const stack: Frame<N>[] = [{ ors: [], ands: [], open: -1 }];
  let pos = 0;
  let terms = 0;
  let prev = ''; // the last separator or '(' read, for messages
  for (;;) {
    // An operand or '(' is expected here.
    pos = src.skipWs(pos);
    const c = s[pos];
    if (c === '(') {
      if (stack.length > limits.maxDepth) {
        throw src.tooComplex(`parentheses nest deeper than ${limits.maxDepth} levels (at position ${pos + 1})`);
      }
      stack.push({ ors: [], ands: [], open: pos });
      prev = '(';
      pos++;
      continue;
    }
    if (c === undefined) throw src.fail(pos, `expected ${spec.operand} after '${prev}'`);
    if (c === ')' && prev === '(') throw src.fail(pos, `empty parentheses: expected ${spec.operand} or '(' inside`);
    if (c === ')' || c === ';' || isOr(c)) {
      throw src.fail(pos, `expected ${spec.operand} or '(' before '${c}'${prev ? ` (after '${prev}')` : ''}`);
    }
    if (++terms > limits.maxTerms) throw src.tooComplex(`more than ${limits.maxTerms} terms`);
    const r = spec.parseOperand(pos);
    stack[stack.length - 1].ands.push(r.node);
    let operandText = s.slice(pos, r.end).trim();
    pos = r.end;

    // A separator, ')' or the end is expected here.
    for (;;) {
      pos = src.skipWs(pos);
      const d = s[pos];
      const top = stack[stack.length - 1];
      if (d === undefined) {
        if (stack.length > 1) throw src.fail(top.open, `'(' is never closed; add ')'`);
        return finish(top);
      }
      if (d === ';' || isOr(d)) {
        if (d !== ';') {
          top.ors.push(junction('and', top.ands));
          top.ands = [];
        }
        prev = d;
        pos++;
        break;
      }
      if (d === ')') {
        if (stack.length === 1) throw src.fail(pos, `')' has no matching '('`);
        stack.pop();
        stack[stack.length - 1].ands.push(finish(top));
        operandText = ')';
        pos++;
        continue;
      }
      throw src.fail(pos, `expected ${seps} or ')' after ${quote(operandText)}`);
    }
  }
}
