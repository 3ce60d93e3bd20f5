// Parser for the NGSI-LD query language `q` (GS CIM 009 v1.8 clause 4.9) into the tree of storage/query-ast.ts.
// Hand-written; the boolean structure is parsed iteratively (bool.expr.ts) so no input can hang it.

import type { AttrPath, CmpOp, QLiteral, QNode, QValue } from '../../storage/query-ast.ts';
import { compileRegex, UnsafeRegexError } from '../../storage/regex.ts';
import { isIriChar, isNameChar, isWs, parseBoolExpr, quote, resolveLimits, Src, type ParseLimits } from './bool.expr.ts';

export type QParseOptions = ParseLimits;

/**
 * Parse a `q` parameter (already URL-decoded). Throws InvalidRequest on syntax errors (message names
 * the 1-based position) and TooComplexQuery when maxLength (4096), maxDepth (16) or maxTerms (100) is exceeded.
 */
export function parseQ(input: string, opts?: QParseOptions): QNode {
  const src = new Src(String(input), 'q');
  return parseBoolExpr<QNode>(src, resolveLimits(opts), {
    orChars: '|',
    operand: 'an attribute name',
    parseOperand: (pos) => parseTerm(src, pos),
  });
}

type Op = CmpOp | '~=' | '!~=';
// Longest first, so that '>=' is not read as '>' followed by '='.
const OPS: Op[] = ['!~=', '==', '!=', '~=', '>=', '<=', '>', '<'];
const OP_LIST = '==, !=, >, >=, <, <=, ~=, !~=';

const isEnd = (c: string | undefined) => c === undefined || c === ';' || c === '|' || c === ')';

/** term := Attribute | Attribute op value (clause 4.9). */
function parseTerm(src: Src, start: number): { node: QNode; end: number } {
  const s = src.input;
  const { path, end: pathEnd } = parsePath(src, start);
  const i = src.skipWs(pathEnd);
  if (isEnd(s[i])) return { node: { kind: 'exists', path }, end: pathEnd };

  const op = OPS.find((o) => s.startsWith(o, i));
  const written = quote(s.slice(start, pathEnd));
  if (!op) {
    if (s[i] === '=') throw src.fail(i, `'=' is not an operator; use '==' to compare ${written} with a value`);
    throw src.fail(i, `expected an operator (${OP_LIST}) or ';', '|', ')' after ${written}`);
  }
  const v = src.skipWs(i + op.length);
  if (op === '~=' || op === '!~=') {
    const p = parsePattern(src, v, op);
    return { node: { kind: 'pattern', path, negated: op === '!~=', pattern: p.pattern, flags: p.flags }, end: p.end };
  }
  const val = parseValue(src, v, op);
  return { node: { kind: 'cmp', path, op, value: val.value }, end: val.end };
}

/**
 * Attribute := AttrName ('.' AttrName)* ('[' member ('.' member)* ']')*   (clause 4.9)
 *   temperature.observedAt → sub ['observedAt']; address[city.district] and address[city][district]
 *   → compound ['city','district']; a.b[c] → sub ['b'], compound ['c'].
 * Limitation: a name containing "://" is an absolute IRI whose host and path may contain dots, so it is
 * taken whole up to the first operator character, '[' or separator and never split into sub-attributes.
 * Sub-attributes of such attributes must be queried via a short name or prefixed name from the @context.
 */
function parsePath(src: Src, start: number): { path: AttrPath; end: number } {
  const s = src.input;
  let i = start;
  while (i < s.length && (isNameChar(s[i]) || s[i] === '.')) i++;
  let name = s.slice(start, i);
  const iri = name.includes('://');
  if (iri) {
    while (i < s.length && isIriChar(s[i], true)) i++;
    name = s.slice(start, i);
  }
  if (name === '') {
    throw src.fail(start, `expected an attribute name but found ${quote(s[start])}; names may contain letters, digits and _ : / # @ - .`);
  }
  const parts = iri ? [name] : splitNames(src, name, start, 'attribute path', 'sub-attribute');
  const compound: string[] = [];
  // `name[*]` (v1.9.1 clause 4.9): a LanguageProperty in any language — the same target as the
  // attribute without a language, so it leaves the path as `name`.
  if (s.startsWith('[*]', i)) {
    i += 3;
    if (s[i] === '[' || isNameChar(s[i]) || s[i] === '.') throw src.fail(i, `nothing may follow '[*]' (any language of a LanguageProperty)`);
    return { path: { attr: parts[0], sub: parts.slice(1), compound }, end: i };
  }
  while (s[i] === '[') {
    const m = ++i;
    while (i < s.length && (isNameChar(s[i]) || s[i] === '.')) i++;
    if (s[i] !== ']') {
      throw src.fail(i, `expected ']' to close the compound path started at position ${m}`);
    }
    if (i === m) throw src.fail(m, `empty compound path '[]': put a member name inside, e.g. address[city]`);
    compound.push(...splitNames(src, s.slice(m, i), m, 'compound path', 'member'));
    i++;
  }
  if (compound.length > 0 && (isNameChar(s[i]) || s[i] === '.')) {
    throw src.fail(i, `sub-attribute names ('.') must come before the compound path ('[...]')`);
  }
  return { path: { attr: parts[0], sub: parts.slice(1), compound }, end: i };
}

function splitNames(src: Src, text: string, at: number, what: string, part: string): string[] {
  const parts = text.split('.');
  let off = at;
  for (const p of parts) {
    if (p === '') throw src.fail(off, `empty ${part} name in ${what} ${quote(text)}: '.' separates ${part} names`);
    off += p.length + 1;
  }
  return parts;
}

/** value := literal | literal '..' literal (range) | literal (',' literal)+ (list). */
function parseValue(src: Src, start: number, op: CmpOp): { value: QValue; end: number } {
  const s = src.input;
  const first = parseLiteral(src, start, op);
  let i = src.skipWs(first.end);
  let value: QValue = first.lit;
  const onlyEq = (what: string) => {
    if (op !== '==' && op !== '!=') throw src.fail(i, `${what} is only allowed with == or !=, not with ${op}`);
  };
  if (s.startsWith('..', i)) {
    onlyEq('a range (a..b)');
    const second = parseLiteral(src, src.skipWs(i + 2), op);
    checkRange(src, start, first.lit, second.lit);
    value = { t: 'range', from: first.lit, to: second.lit };
    i = src.skipWs(second.end);
    if (s.startsWith('..', i) || s[i] === ',') throw src.fail(i, `a range has exactly two ends (a..b) and cannot be part of a list`);
  } else if (s[i] === ',') {
    onlyEq('a list (a,b,c)');
    const items: QLiteral[] = [first.lit];
    while (s[i] === ',') {
      const next = parseLiteral(src, src.skipWs(i + 1), op);
      items.push(next.lit);
      i = src.skipWs(next.end);
      if (s.startsWith('..', i)) throw src.fail(i, `a list cannot contain ranges`);
    }
    value = { t: 'list', items };
  }
  if (!isEnd(s[i])) {
    const last = s.slice(start, i).trim();
    let hint = '';
    if (/\d{2}:\d{2}:\d{2}(\.\d+)?$/.test(last) && /^\d{2}:?\d{2}/.test(s.slice(i))) {
      hint = `; a '+' in a time zone offset must be sent percent-encoded as %2B, or it arrives as a space`;
    } else if (isWs(s[i - 1]) && !last.endsWith('"')) {
      hint = `; text values with spaces must be in double quotes`;
    }
    throw src.fail(i, `expected ';', '|' or ')' after the value ${quote(last)}${hint}`);
  }
  return { value, end: i };
}

const RANGE_KINDS = new Set(['number', 'string', 'date', 'datetime', 'time']);

function checkRange(src: Src, at: number, from: QLiteral, to: QLiteral): void {
  if (!RANGE_KINDS.has(from.t) || !RANGE_KINDS.has(to.t)) {
    throw src.fail(at, `range ends must be numbers, strings, dates, times or date-times, not ${from.t}..${to.t}`);
  }
  if (from.t !== to.t) throw src.fail(at, `both ends of a range must be of the same kind, not ${from.t}..${to.t}`);
}

const NUMBER = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-](\d{2}):(\d{2}))?$/;
const DATETIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-](\d{2}):(\d{2}))?$/;
const URI = /^[A-Za-z][A-Za-z0-9+.-]*:\S+$/;
const VALUE_STOP = new Set([...'";|(),']);

/** One literal (clause 4.9 ComparisonValue): "string", number, true/false, date/time/date-time or a bare URI. */
function parseLiteral(src: Src, start: number, op: string): { lit: QLiteral; end: number } {
  const s = src.input;
  const c = s[start];
  if (c === '"') {
    const str = readString(src, start);
    return { lit: { t: 'string', v: str.text }, end: str.end };
  }
  let i = start;
  while (i < s.length && !isWs(s[i]) && !VALUE_STOP.has(s[i]) && !s.startsWith('..', i)) i++;
  const tok = s.slice(start, i);
  if (tok === '') {
    const found = c === undefined ? 'the end' : quote(s.startsWith('..', start) ? '..' : c);
    throw src.fail(start, `expected a value after '${op}' but found ${found}`);
  }
  return { lit: classify(src, tok, start), end: i };
}

function classify(src: Src, tok: string, at: number): QLiteral {
  if (NUMBER.test(tok)) {
    const v = Number(tok);
    if (!Number.isFinite(v)) throw src.fail(at, `number ${quote(tok)} is out of range`);
    return { t: 'number', v };
  }
  if (tok === 'true' || tok === 'false') return { t: 'boolean', v: tok === 'true' };
  let m = DATETIME.exec(tok);
  if (m) {
    checkDate(src, at, tok, m[1], m[2], m[3]);
    checkTime(src, at, tok, m[4], m[5], m[6], m[9], m[10]);
    return { t: 'datetime', v: tok };
  }
  if ((m = DATE.exec(tok))) {
    checkDate(src, at, tok, m[1], m[2], m[3]);
    return { t: 'date', v: tok };
  }
  if ((m = TIME.exec(tok))) {
    checkTime(src, at, tok, m[1], m[2], m[3], m[6], m[7]);
    return { t: 'time', v: tok };
  }
  if (/^\d{4}-\d{2}-\d{2}/.test(tok) || /^\d{2}:\d{2}/.test(tok)) {
    throw src.fail(at, `${quote(tok)} is not a valid date, time or date-time; write e.g. 2026-01-01, 10:00:00Z or 2026-01-01T10:00:00Z`);
  }
  if (URI.test(tok)) return { t: 'uri', v: tok };
  throw src.fail(
    at,
    `unquoted value ${quote(tok)} is not a number, true/false, date, time, date-time or URI; put text in double quotes, e.g. ${quote(tok.replace(/["\\]/g, '\\$&'))}`,
  );
}

function checkDate(src: Src, at: number, tok: string, y: string, mo: string, d: string): void {
  const month = Number(mo);
  const day = Number(d);
  const days = new Date(Date.UTC(Number(y), month, 0)).getUTCDate(); // last day of that month
  if (month < 1 || month > 12 || day < 1 || day > days) throw src.fail(at, `${quote(tok)} is not a valid calendar date`);
}

function checkTime(src: Src, at: number, tok: string, h: string, mi: string, sec: string, oh?: string, om?: string): void {
  const bad = Number(h) > 23 || Number(mi) > 59 || Number(sec) > 59 || (oh !== undefined && (Number(oh) > 23 || Number(om) > 59));
  if (bad) throw src.fail(at, `${quote(tok)} is not a valid time of day`);
}

/**
 * A double-quoted string. `\"` and `\\` are unescaped; any other backslash is kept as written, so that
 * patterns like "\d+" reach the regex engine unchanged.
 */
function readString(src: Src, start: number): { text: string; end: number } {
  const s = src.input;
  let out = '';
  let i = start + 1;
  while (i < s.length) {
    const c = s[i];
    if (c === '"') return { text: out, end: i + 1 };
    if (c === '\\' && i + 1 < s.length) {
      const d = s[i + 1];
      out += d === '"' || d === '\\' ? d : c + d;
      i += 2;
      continue;
    }
    out += c;
    i++;
  }
  throw src.fail(start, `the string starting here is never closed; add '"' (write \\" for a quote inside it)`);
}

/**
 * Pattern after ~= / !~= (clause 4.9): a quoted string, or raw text up to the next ';' or '|' outside
 * parentheses or the ')' closing an outer group. Parentheses and character classes of the regex are
 * tracked so that `name~=^(a|b)[;)]$` stays one pattern; a backslash escapes the next character.
 * A leading "(?i)" becomes flags 'i'. Patterns use the RE2 syntax (storage/regex.ts).
 */
function parsePattern(src: Src, start: number, op: string): { pattern: string; flags: string; end: number } {
  const s = src.input;
  let raw: string;
  let end: number;
  if (s[start] === '"') {
    const str = readString(src, start);
    raw = str.text;
    end = src.skipWs(str.end);
    if (!isEnd(s[end])) throw src.fail(end, `expected ';', '|' or ')' after the quoted pattern`);
  } else {
    let i = start;
    let depth = 0;
    let inClass = false;
    const opens: number[] = [];
    while (i < s.length) {
      const c = s[i];
      if (c === '\\') {
        i = Math.min(i + 2, s.length);
        continue;
      }
      if (inClass) {
        if (c === ']') inClass = false;
      } else if (c === '[') {
        inClass = true;
        if (s[i + 1] === '^') i++;
        if (s[i + 1] === ']') i++; // a ']' right after '[' or '[^' is a literal
      } else if (c === '(') {
        depth++;
        opens.push(i);
      } else if (c === ')') {
        if (depth === 0) break;
        depth--;
        opens.pop();
      } else if ((c === ';' || c === '|') && depth === 0) break;
      i++;
    }
    if (inClass) throw src.fail(i, `the pattern has a '[' that is never closed; escape it as \\[ or quote the pattern`);
    if (depth > 0) throw src.fail(opens[opens.length - 1], `the pattern has a '(' that is never closed; escape it as \\( or quote the pattern`);
    raw = s.slice(start, i).trimEnd();
    end = i;
  }
  let pattern = raw;
  let flags = '';
  if (pattern.startsWith('(?i)')) {
    pattern = pattern.slice(4);
    flags = 'i';
  }
  if (pattern === '') throw src.fail(start, `expected a regular expression after '${op}'`);
  try {
    compileRegex((flags ? '(?i)' : '') + pattern);
  } catch (e) {
    // Syntax errors are the q's (InvalidRequest, with the position); constructs outside the supported
    // syntax are refused as BadRequestData when the query is built (entities.query.ts checkRegex).
    if (!(e instanceof UnsafeRegexError)) throw e;
    if (!e.unsupported) throw src.fail(start, e.message);
  }
  return { pattern, flags, end };
}
