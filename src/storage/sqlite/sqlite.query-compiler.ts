// Compiles an EntityFilter (q, scopeQ, types, geo) into one SQLite statement over the JSONB
// documents. Exact geo and scope tests run in process through ds_match(), after the R*Tree
// index and the SQL conditions have narrowed the candidates.
import type { EntityFilter } from '../port.ts';
import type { AttrPath, QLiteral, QNode, TypeNode } from '../../ngsi-ld/query/q.ast.ts';
import type { MatchRegistry } from './sqlite.database.ts';
import { scopeMatches } from '../../ngsi-ld/query/scope.parser.ts';

/** Attribute members that are stored under their short core names, never as sub-attributes. */
const CORE_MEMBERS = new Set(['observedAt', 'unitCode', 'datasetId', 'createdAt', 'modifiedAt', 'deletedAt']);

export interface CompiledQuery {
  from: string;
  where: string;
  params: Record<string, unknown>;
  order: string;
  handles: number[];
}

function key(k: string): string {
  // JSON path keys are double-quoted; names with " or \ are refused at the API boundary.
  return `."${k}"`;
}

/** JSON path of the attribute instance a path points at (the default instance comes first). */
function instancePath(path: AttrPath): { base: string; member?: string } {
  let base = `$${key(path.attr)}[0]`;
  const sub = path.sub;
  for (let i = 0; i < sub.length; i++) {
    if (i === sub.length - 1 && CORE_MEMBERS.has(sub[i])) return { base, member: sub[i] };
    base += key(sub[i]);
  }
  return { base };
}

function compoundSuffix(path: AttrPath): string {
  return path.compound.map(key).join('');
}

class Compiler {
  readonly params: Record<string, unknown> = {};
  private n = 0;
  readonly handles: number[] = [];
  constructor(private readonly registry: MatchRegistry) {}

  /** Named parameters, so that one compiled expression may appear several times in the SQL. */
  p(v: unknown): string {
    const name = `p${++this.n}`;
    this.params[name] = v;
    return `@${name}`;
  }

  /** SQL for the comparable value at a path: value, object, vocab or json, else a language's text. */
  valueExpr(path: AttrPath): string {
    const { base, member } = instancePath(path);
    if (member) return `e.doc ->> ${this.p(`${base}.${member}`)}`;
    const c = compoundSuffix(path);
    const alts = ['value', 'object', 'vocab', 'json'].map((m) => `e.doc ->> ${this.p(`${base}.${m}${c}`)}`);
    if (path.compound.length === 1) alts.push(`e.doc ->> ${this.p(`${base}.languageMap${c}`)}`);
    return `COALESCE(${alts.join(', ')})`;
  }

  /** JSON path whose elements are compared when the value is an array (or a language map). */
  containerPaths(path: AttrPath): string[] {
    const { base, member } = instancePath(path);
    if (member) return [];
    const c = compoundSuffix(path);
    const out = [`${base}.value${c}`, `${base}.valueList${c}`, `${base}.object${c}`];
    if (path.compound.length === 0) out.push(`${base}.languageMap`);
    return out;
  }

  literal(l: QLiteral): unknown {
    if (l.t === 'datetime') {
      const d = new Date(l.v);
      return Number.isNaN(d.getTime()) ? l.v : d.toISOString();
    }
    if (l.t === 'boolean') return l.v ? 1 : 0;
    return l.v;
  }

  typeGuard(expr: string, l: QLiteral): string {
    if (l.t === 'number') return `typeof(${expr}) IN ('integer','real')`;
    if (l.t === 'boolean') return `typeof(${expr}) = 'integer'`;
    return `typeof(${expr}) = 'text'`;
  }

  /** Element-wise test over arrays/language maps: true if any element satisfies cond(value). */
  anyElement(path: AttrPath, cond: (v: string) => string): string {
    const paths = this.containerPaths(path);
    if (paths.length === 0) return '0';
    // json_each on a scalar would yield the scalar itself, already tested by valueExpr: only containers.
    return paths.map((jp) => `(json_type(e.doc, ${this.p(jp)}) IN ('array','object') AND EXISTS (SELECT 1 FROM json_each(e.doc, ${this.p(jp)}) j WHERE j.type NOT IN ('array','object') AND ${cond('j.value')}))`).join(' OR ');
  }

  node(n: QNode): string {
    switch (n.kind) {
      case 'and': return `(${n.items.map((i) => this.node(i)).join(' AND ')})`;
      case 'or': return `(${n.items.map((i) => this.node(i)).join(' OR ')})`;
      case 'exists': {
        const { base, member } = instancePath(n.path);
        const c = compoundSuffix(n.path);
        if (member) return `json_type(e.doc, ${this.p(`${base}.${member}`)}) IS NOT NULL`;
        if (c) return `${this.valueExpr(n.path)} IS NOT NULL`;
        return `json_type(e.doc, ${this.p(base)}) IS NOT NULL`;
      }
      case 'pattern': {
        const pat = (n.flags.includes('i') ? '(?i)' : '') + n.pattern;
        const v = this.valueExpr(n.path);
        const hit = `(${v} REGEXP ${this.p(pat)})`;
        if (!n.negated) return `(${hit} OR ${this.anyElement(n.path, (x) => `regexp(${this.p(pat)}, ${x})`)})`;
        return `(${v} IS NOT NULL AND NOT ${hit})`;
      }
      case 'cmp': return this.cmp(n);
    }
  }

  cmp(n: Extract<QNode, { kind: 'cmp' }>): string {
    const v = this.valueExpr(n.path);
    const val = n.value;
    if (val.t === 'range') {
      const inRange = (x: string) => `(${this.typeGuard(x, val.from)} AND ${x} BETWEEN ${this.p(this.literal(val.from))} AND ${this.p(this.literal(val.to))})`;
      if (n.op === '==') return `(${inRange(v)} OR ${this.anyElement(n.path, inRange)})`;
      return `(${v} IS NOT NULL AND NOT ${inRange(v)})`;
    }
    if (val.t === 'list') {
      const eqAny = (x: string) => `(${val.items.map((it) => this.eq(x, it)).join(' OR ')})`;
      if (n.op === '==') return `(${eqAny(v)} OR ${this.anyElement(n.path, eqAny)})`;
      return `(${v} IS NOT NULL AND NOT ${eqAny(v)})`;
    }
    if (n.op === '==') return `(${this.eq(v, val)} OR ${this.anyElement(n.path, (x) => this.eq(x, val))})`;
    if (n.op === '!=') return `(${v} IS NOT NULL AND NOT ${this.eq(v, val)})`;
    const ord = (x: string) => `(${this.typeGuard(x, val)} AND ${x} ${n.op} ${this.p(this.literal(val))})`;
    return `(${ord(v)} OR ${this.anyElement(n.path, ord)})`;
  }

  eq(x: string, l: QLiteral): string {
    if (l.t === 'boolean') return `(${x} IS ${this.p(l.v ? 1 : 0)} AND typeof(${x}) = 'integer')`;
    return `(${x} = ${this.p(this.literal(l))})`;
  }

  types(t: TypeNode): string {
    switch (t.kind) {
      case 'and': return `(${t.items.map((i) => this.types(i)).join(' AND ')})`;
      case 'or': return `(${t.items.map((i) => this.types(i)).join(' OR ')})`;
      case 'type': return `EXISTS (SELECT 1 FROM entity_types t2 WHERE t2.tenant = e.tenant AND t2.type = ${this.p(t.name)} AND t2.pk = e.pk)`;
    }
  }

  match(fn: (arg: unknown) => boolean, argSql: string): string {
    const h = this.registry.add(fn);
    this.handles.push(h);
    return `ds_match(${this.p(h)}, ${argSql})`;
  }
}

export function compileFilter(tenant: string, f: EntityFilter, registry: MatchRegistry): CompiledQuery {
  const c = new Compiler(registry);
  const where: string[] = [];
  let from = 'entities e';
  let order = 'e.pk';
  // A single type drives the query from the (tenant, type, pk) index, already in pk order.
  if (f.types && f.types.kind === 'type') {
    from = 'entity_types t JOIN entities e ON e.pk = t.pk';
    where.push(`t.tenant = ${c.p(tenant)}`, `t.type = ${c.p(f.types.name)}`);
    order = 't.pk';
  } else {
    where.push(`e.tenant = ${c.p(tenant)}`);
    if (f.types) where.push(c.types(f.types));
  }
  if (f.ids && f.ids.length) where.push(`e.id IN (${f.ids.map((i) => c.p(i)).join(', ')})`);
  if (f.idPattern) where.push(`e.id REGEXP ${c.p(f.idPattern)}`);
  if (f.anyAttrs && f.anyAttrs.length) {
    where.push(`(${f.anyAttrs.map((a) => `json_type(e.doc, ${c.p(`$${key(a)}`)}) IS NOT NULL`).join(' OR ')})`);
  }
  if (f.q) where.push(c.node(f.q));
  if (f.scopeQ) {
    const sq = f.scopeQ;
    where.push(c.match((s) => typeof s === 'string' && scopeMatches(sq, JSON.parse(s) as string[]), 'e.scopes'));
  }
  if (f.geo) {
    const g = f.geo;
    if (g.bbox) {
      const [minX, minY, maxX, maxY] = g.bbox;
      where.push(`e.pk IN (SELECT pk FROM geo_index WHERE attr = ${c.p(g.property)} AND max_x >= ${c.p(minX)} AND min_x <= ${c.p(maxX)} AND max_y >= ${c.p(minY)} AND min_y <= ${c.p(maxY)})`);
    }
    where.push(c.match((v) => typeof v === 'string' && g.predicate(JSON.parse(v)), `e.doc ->> ${c.p(`$${key(g.property)}[0].value`)}`));
  }
  return { from, where: where.join(' AND '), params: c.params, order, handles: c.handles };
}
