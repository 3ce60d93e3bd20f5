// In-process evaluation of an expanded q tree (clause 4.9) against one EntityRecord, for subscriptions
// (clause 5.11). Mirrors src/storage/sqlite/sqlite.query-compiler.ts, including SQL's three-valued logic
// (null = unknown), so that a q selects the same entities here as in a query; the oracle test holds them equal.
import type { AttrInstance, EntityRecord } from '../../storage/port.ts';
import { storedRegex } from '../../storage/regex.ts';
import type { AttrPath, QLiteral, QNode } from '../../storage/query-ast.ts';

/** Members stored under their short core names, never as sub-attributes. */
const CORE_MEMBERS = new Set(['observedAt', 'unitCode', 'datasetId', 'createdAt', 'modifiedAt', 'deletedAt']);
const ANY_KIND = ['integer', 'real', 'text', 'true', 'false', 'array', 'object'];

type TV = boolean | null;
type Cond = (x: unknown) => TV;

const and3 = (a: TV, b: TV): TV => (a === false || b === false ? false : a === null || b === null ? null : true);
const or3 = (a: TV, b: TV): TV => (a === true || b === true ? true : a === null || b === null ? null : false);
const not3 = (a: TV): TV => (a === null ? null : !a);

/** JSON type as SQLite's json_type names it; undefined when the path does not exist. */
function kindOf(v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (v === null) return 'null';
  switch (typeof v) {
    case 'number': return Number.isInteger(v) ? 'integer' : 'real';
    case 'string': return 'text';
    case 'boolean': return v ? 'true' : 'false';
    default: return Array.isArray(v) ? 'array' : 'object';
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The attribute instance a path points at (default instance first), and a core member if the path ends in one. */
function locate(rec: EntityRecord, path: AttrPath): { inst?: AttrInstance; member?: string } {
  let inst: AttrInstance | undefined = rec.attrs[path.attr]?.[0];
  const sub = path.sub;
  for (let i = 0; i < sub.length && inst; i++) {
    if (i === sub.length - 1 && CORE_MEMBERS.has(sub[i])) return { inst, member: sub[i] };
    const next: unknown = inst[sub[i]];
    inst = isObject(next) ? (next as AttrInstance) : undefined;
  }
  return { inst };
}

function at(v: unknown, keys: string[]): unknown {
  for (const k of keys) {
    if (!isObject(v)) return undefined;
    v = v[k];
  }
  return v;
}

/** EXISTS over the elements (array) or member values (object) of the given kinds; SQL WHERE drops unknowns. */
function anyElement(c: unknown[] | Record<string, unknown>, kinds: readonly string[], cond: Cond): boolean {
  for (const x of Array.isArray(c) ? c : Object.values(c)) {
    const k = kindOf(x)!;
    if (kinds.includes(k) && cond(x) === true) return true;
  }
  return false;
}

/** A scalar member: json_type(..) IN (kinds) AND cond(..) — unknown when the member is missing. */
function scalar(v: unknown, kinds: readonly string[], cond: Cond): TV {
  const k = kindOf(v);
  if (k === undefined) return null;
  return kinds.includes(k) ? cond(v) : false;
}

/** Attributes without `value`: object, vocab, json, valueList, languageMap (the compiler's fallback). */
function fallback(inst: AttrInstance | undefined, path: AttrPath, kinds: readonly string[], cond: Cond): TV {
  const c = path.compound;
  const vals = ['object', 'vocab', 'json', 'valueList'].map((m) => (inst ? at(inst[m], c) : undefined));
  if (c.length === 0) vals.push(inst?.languageMap);
  else if (c.length === 1) vals.push(inst ? at(inst.languageMap, c) : undefined);
  let out: TV = false;
  for (const v of vals) {
    const k = kindOf(v);
    // An absent member is false, not unknown (as the compiler's coalesce): `!=` must still hold.
    const r: TV = k === 'array' || k === 'object' ? anyElement(v as unknown[], kinds, cond) : (scalar(v, kinds, cond) ?? false);
    out = or3(out, r);
  }
  return out;
}

/** True when the value at path satisfies cond: scalar of the literal's type, or any element of an array. */
function test(rec: EntityRecord, path: AttrPath, kinds: readonly string[], cond: Cond): TV {
  const { inst, member } = locate(rec, path);
  if (member) return scalar(inst?.[member], kinds, cond);
  const v = inst ? at(inst.value, path.compound) : undefined;
  const k = kindOf(v);
  if (k !== undefined && kinds.includes(k)) return cond(v);
  if (k === 'array') return anyElement(v as unknown[], kinds, cond);
  if (k === 'object' || k === 'null') return false;
  return fallback(inst, path, kinds, cond);
}

function exists(rec: EntityRecord, path: AttrPath): TV {
  const { inst, member } = locate(rec, path);
  if (member) return inst !== undefined && inst[member] !== undefined;
  if (path.compound.length === 0) return inst !== undefined;
  return test(rec, path, ANY_KIND, () => true);
}

function literal(l: QLiteral): string | number | boolean {
  if (l.t === 'datetime') {
    const d = new Date(l.v);
    return Number.isNaN(d.getTime()) ? l.v : d.toISOString();
  }
  return l.v;
}

/** JSON types a literal can be compared with: comparisons across types never match. */
function kinds(l: QLiteral): readonly string[] {
  if (l.t === 'number') return ['integer', 'real'];
  if (l.t === 'boolean') return l.v ? ['true'] : ['false'];
  return ['text'];
}

function cmpValues(x: unknown, op: string, y: string | number | boolean): boolean {
  const a = x as string | number;
  const b = y as string | number;
  switch (op) {
    case '>': return a > b;
    case '>=': return a >= b;
    case '<': return a < b;
    case '<=': return a <= b;
    default: return a === b;
  }
}

function eqTest(rec: EntityRecord, path: AttrPath, l: QLiteral): TV {
  if (l.t === 'boolean') return test(rec, path, kinds(l), () => true);
  const lit = literal(l);
  return test(rec, path, kinds(l), (x) => x === lit);
}

function node(n: QNode, rec: EntityRecord): TV {
  switch (n.kind) {
    case 'and': return n.items.reduce<TV>((acc, i) => (acc === false ? false : and3(acc, node(i, rec))), true);
    case 'or': return n.items.reduce<TV>((acc, i) => (acc === true ? true : or3(acc, node(i, rec))), false);
    case 'exists': return exists(rec, n.path);
    case 'pattern': {
      const re = storedRegex((n.flags.includes('i') ? '(?i)' : '') + n.pattern);
      const hit = test(rec, n.path, ['text'], (x) => re.test(String(x)));
      return n.negated ? and3(exists(rec, n.path), not3(hit)) : hit;
    }
    case 'cmp': {
      const val = n.value;
      let positive: TV;
      if (val.t === 'range') {
        const lo = literal(val.from);
        const hi = literal(val.to);
        positive = test(rec, n.path, kinds(val.from), (x) => cmpValues(x, '>=', lo) && cmpValues(x, '<=', hi));
      } else if (val.t === 'list') {
        positive = val.items.reduce<TV>((acc, it) => or3(acc, eqTest(rec, n.path, it)), false);
      } else if (n.op === '==' || n.op === '!=') {
        positive = eqTest(rec, n.path, val);
      } else {
        const lit = literal(val);
        const op = n.op;
        return test(rec, n.path, kinds(val), (x) => cmpValues(x, op, lit));
      }
      // `!=` is "exists and not ==": a value that cannot equal the literal (another type) is unequal, as in both
      // engines' compilers (storage contract).
      return n.op === '!=' ? and3(exists(rec, n.path), positive !== true) : positive;
    }
  }
}

/** Whether the entity satisfies q (unknown counts as no, as in a SQL WHERE clause). */
export function evaluateQ(n: QNode, rec: EntityRecord): boolean {
  return node(n, rec) === true;
}
