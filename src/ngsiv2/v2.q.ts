// The NGSIv2 Simple Query Language (q and mq) translated into the NGSI-LD query tree (storage/query-ast.ts), so the
// storage engines evaluate v2 queries with the same compilers. Statements are joined by ';' (and);
// `attr`, `attr==v`, `!=`, `>`, `>=`, `<`, `<=`, `~=` (pattern), ranges `a..b`, lists `a,b`, 'quoted' strings.
// `attr.key` in q addresses a key inside a structured value; in mq, `attr.meta` a metadata.
import type { AttrPath, CmpOp, QLiteral, QNode, QValue } from '../storage/query-ast.ts';
import { V2Error } from './v2.errors.ts';

const OPS: Array<CmpOp | '~=' | ':'> = ['==', '!=', '>=', '<=', '~=', '>', '<', ':'];
const NUMBER = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/;
const MAX_STATEMENTS = 100;
const CORE_META = new Set(['unitCode', 'observedAt']);

/** Splits on `sep` outside single quotes. */
function split(s: string, sep: string): string[] {
  const out: string[] = [];
  let cur = ''; let quoted = false;
  for (const c of s) {
    if (c === "'") quoted = !quoted;
    if (c === sep && !quoted) { out.push(cur); cur = ''; continue; }
    cur += c;
  }
  if (quoted) throw V2Error.badRequest(`unterminated quote in ${JSON.stringify(s.slice(0, 80))}`);
  out.push(cur);
  return out;
}

function literal(raw: string, where: string): QLiteral {
  const s = raw.trim();
  if (s.length >= 2 && s.startsWith("'") && s.endsWith("'")) return { t: 'string', v: s.slice(1, -1) };
  if (s === '') throw V2Error.badRequest(`empty value in ${where}`);
  if (NUMBER.test(s)) return { t: 'number', v: Number(s) };
  if (s === 'true' || s === 'false') return { t: 'boolean', v: s === 'true' };
  if (DATE_TIME.test(s)) {
    const d = new Date(/(Z|[+-]\d{2}:?\d{2})$/.test(s) ? s : `${s}Z`);
    if (!Number.isNaN(d.getTime())) return { t: 'datetime', v: d.toISOString() };
  }
  return { t: 'string', v: s };
}

function value(raw: string, op: CmpOp, where: string): QValue {
  if (op === '==' || op === '!=') {
    const items = split(raw, ',');
    if (items.length > 1) return { t: 'list', items: items.map((i) => literal(i, where)) };
    const r = raw.indexOf('..');
    if (r > 0 && !raw.trim().startsWith("'")) return { t: 'range', from: literal(raw.slice(0, r), where), to: literal(raw.slice(r + 2), where) };
  } else if (!raw.trim().startsWith("'") && (raw.includes('..') || raw.includes(','))) {
    throw V2Error.badRequest(`${where}: ranges and lists go with == or != only, got ${op}${raw.slice(0, 40)}`);
  }
  return literal(raw, where);
}

function path(raw: string, kind: 'q' | 'mq', where: string): AttrPath {
  const s = raw.trim();
  // A name in single quotes may contain dots ('a.b' is one attribute).
  const parts = s.startsWith("'") && s.endsWith("'") && s.length > 2 ? [s.slice(1, -1)] : s.split('.');
  if (parts.some((p) => !/^[\p{L}\p{N}_:-]+$/u.test(p))) throw V2Error.badRequest(`invalid attribute path "${s.slice(0, 80)}" in ${where}`);
  if (kind === 'q') return { attr: parts[0], sub: [], compound: parts.slice(1) };
  if (parts.length < 2) throw V2Error.badRequest(`mq needs attribute.metadata, got "${s.slice(0, 80)}"`);
  return { attr: parts[0], sub: [parts[1]], compound: parts.slice(2) };
}

function statement(st: string, kind: 'q' | 'mq'): QNode {
  const s = st.trim();
  if (s === '') throw V2Error.badRequest(`empty statement in ${kind}`);
  if (s.startsWith('!')) {
    throw V2Error.badRequest(`"${s.slice(0, 60)}": the negation of existence (!attribute) is not supported by this broker (docs/ngsiv2.md#not-supported)`);
  }
  // The first operator outside quotes.
  let at = -1; let op = '';
  let quoted = false;
  for (let i = 0; i < s.length && at < 0; i++) {
    if (s[i] === "'") quoted = !quoted;
    if (quoted) continue;
    const found = OPS.find((o) => s.startsWith(o, i));
    if (found) { at = i; op = found; }
  }
  if (at < 0) return { kind: 'exists', path: path(s, kind, kind) };
  const p = path(s.slice(0, at), kind, kind);
  const rest = s.slice(at + op.length);
  if (op === '~=') {
    const pat = rest.trim();
    return { kind: 'pattern', path: p, negated: false, pattern: pat.startsWith("'") && pat.endsWith("'") && pat.length > 1 ? pat.slice(1, -1) : pat, flags: '' };
  }
  const cmp: CmpOp = op === ':' ? '==' : (op as CmpOp);
  const v = value(rest, cmp, kind);
  if ((v.t === 'list' || v.t === 'range') && cmp !== '==' && cmp !== '!=') throw V2Error.badRequest(`${kind}: lists and ranges go with == or != only`);
  return { kind: 'cmp', path: p, op: cmp, value: v };
}

/** q or mq as an NGSI-LD query tree (names not yet expanded; entities.query's expandQ does that). */
export function parseV2Q(input: string, kind: 'q' | 'mq' = 'q'): QNode {
  const items = split(input, ';').filter((x) => x.trim() !== '').map((x) => statement(x, kind));
  if (items.length === 0) throw V2Error.badRequest(`${kind} is empty`);
  if (items.length > MAX_STATEMENTS) throw V2Error.badRequest(`${kind} has more than ${MAX_STATEMENTS} statements`);
  // Metadata names that NGSI-LD keeps as core members stay short; the others are expanded like attributes.
  if (kind === 'mq') for (const n of items) if ('path' in n && CORE_META.has(n.path.sub[0])) n.path.sub = [n.path.sub[0]];
  return items.length === 1 ? items[0] : { kind: 'and', items };
}
