// Compiles an EntityFilter (q, types, ids, idPattern, attrs, geo window) into SQL over the JSONB
// documents, with the semantics of the embedded engine's compiler (clause 4.9). What SQL cannot
// decide exactly — the geo predicate and scopeQ — is returned as a residual test run in process.
import type { OrderKey, EntityFilter } from '../port.ts';
import { postgresRegex } from '../regex.ts';
import { scopeMatches, type AttrPath, type QLiteral, type QNode, type TypeNode } from '../query-ast.ts';

/** Attribute members that are stored under their short core names, never as sub-attributes. */
const CORE_MEMBERS = new Set(['observedAt', 'unitCode', 'datasetId', 'createdAt', 'modifiedAt', 'deletedAt']);

/** A row as the residual test sees it. */
export interface ResidualRow { scopes: string[] | null; geo: unknown }

export interface CompiledQuery {
  where: string;
  params: unknown[];
  /** In-process test on candidate rows (geo predicate, scopeQ); undefined when SQL decides alone. */
  residual?: (row: ResidualRow) => boolean;
  /** SQL expression of the geometry the residual needs (select it AS geo). */
  geoSelect?: string;
  /**
   * Disjoint conditions whose union is `where`, each answerable from one index in pk order: a page
   * is the merge of the first rows of each (set for an equality on an indexed attribute at the top
   * level of q).
   */
  branches?: string[];
  /** ORDER BY terms when the filter asks for an order (clause 4.23); absent: pk order. */
  order?: string;
  /** Order by distance (clause 4.23): the geometry to select (AS dgeo) and the in-process distance. */
  distance?: { select: string; meters: (geometry: unknown) => number | undefined; desc: boolean };
  /**
   * A geo-query without orderBy: its window, and `where` with the window's condition replaced by
   * another (`whereWith`), whose parameters follow the filter's own ($n from `params.length + 1`),
   * so that a page can be read a key range at a time from the entity_geo_key index (migration 013).
   */
  geoWindow?: { attr: string; bbox: [number, number, number, number]; whereWith: (cond: string) => string };
}

/**
 * The geometry with the entity key as z (the expression of the entity_geo_key index, migration
 * 013, character for character) and the scale of the key (as the SQLite engine's R*Tree).
 */
export const GEO_KEY_EXPR = 'ST_Translate(ST_Force3DZ(g.geom), 0, 0, g.pk::float8 * 1e-6)';
export const GEO_KEY_SCALE = 1e-6;

/** The index alternatives of an indexed equality, and the exact test they narrow. */
interface Narrowing { alts: string[]; exact: string }

/** Literal SQL text of a string (IRIs and keys), for expressions that must match index definitions. */
export function lit(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/**
 * A value as an SQL constant that means the same whatever standard_conforming_strings says
 * (E'' strings, backslashes doubled); undefined for what must travel as a parameter (a string
 * with NUL, which PostgreSQL text cannot hold and would cut the statement; a non-finite number).
 */
export function constant(v: unknown): string | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? `'${String(v)}'` : undefined;
  if (typeof v === 'string') return v.includes('\0') ? undefined : `E'${v.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
  if (Array.isArray(v)) {
    const items = v.map((x) => (typeof x === 'string' ? constant(x) : undefined));
    if (items.some((x) => x === undefined)) return undefined;
    return items.length ? `ARRAY[${items.join(', ')}]` : "'{}'";
  }
  return undefined;
}

/**
 * The expressions of the per-attribute indexes (ensureAttributeIndexes): the scalar value (a
 * Property's value or a Relationship's object) as text, and `other`: the value or object is an
 * array, or the instance holds what equality also looks into (vocab, json, valueList, languageMap)
 * — entities the scalar cannot decide, candidates of their own from a partial index. The compiler
 * emits exactly these texts (over `doc` qualified as the query needs) so that PostgreSQL matches
 * them to the indexes.
 */
export function indexExpressions(iri: string, doc = 'doc'): { scalar: string; other: string } {
  const a = `(${doc} -> ${lit(iri)} -> 0)`;
  return {
    scalar: `COALESCE(${a} ->> 'value', ${a} ->> 'object')`,
    other: `(jsonb_typeof(${a} -> 'value') = 'array' OR jsonb_typeof(${a} -> 'object') = 'array' OR ${a} ?| ARRAY['vocab', 'json', 'valueList', 'languageMap'])`,
  };
}

/** How a literal tests a JSON value: which JSON values are comparable, and as what SQL type. */
interface Kind {
  /** SQL true when the jsonb expression x may be compared with the literal. */
  ok: (x: string) => string;
  /** The SQL scalar of x to compare (float8 for numbers, text in byte order for strings). */
  val: (x: string) => string;
  /** The jsonb_typeof that ok tests for, when ok is exactly that test. */
  type?: string;
}
const NUMBER: Kind = { ok: (x) => `jsonb_typeof(${x}) = 'number'`, val: (x) => `(${x})::float8`, type: 'number' };
const STRING: Kind = { ok: (x) => `jsonb_typeof(${x}) = 'string'`, val: (x) => `((${x}) #>> '{}') COLLATE "C"`, type: 'string' };
const TRUE: Kind = { ok: (x) => `(${x}) = 'true'::jsonb`, val: () => 'true' };
const FALSE: Kind = { ok: (x) => `(${x}) = 'false'::jsonb`, val: () => 'true' };
const ANY: Kind = { ok: (x) => `jsonb_typeof(${x}) <> 'null'`, val: () => 'true' };

export class PgCompiler {
  readonly params: unknown[] = [];
  constructor(private readonly indexed: ReadonlySet<string> = new Set()) {}

  /**
   * A value in the SQL text: as a constant where possible, else as a parameter. A statement
   * without parameters is planned once per connection when prepared (qs) and its plan reused;
   * with parameters, the pool's plan_cache_mode=force_custom_plan plans it on every execution,
   * which cost as much as running a page query (0.2–0.4 ms of 0.7–1.2 ms for limit=10). The
   * plan is as good as a custom plan, since it sees the values.
   */
  p(v: unknown, cast = ''): string {
    const c = constant(v);
    if (c !== undefined) return `${c}${cast}`;
    this.params.push(v);
    return `$${this.params.length}${cast}`;
  }

  /** Path of the attribute instance a path points at: [attribute, '0' (the default instance), sub-attributes…]. */
  private instancePath(path: AttrPath): { base: string[]; member?: string } {
    const base = [path.attr, '0'];
    for (let i = 0; i < path.sub.length; i++) {
      if (i === path.sub.length - 1 && CORE_MEMBERS.has(path.sub[i])) return { base, member: path.sub[i] };
      base.push(path.sub[i]);
    }
    return { base };
  }

  /**
   * ORDER BY terms of clause 4.23 (port.ts OrderKey), the same ranks and columns as the embedded
   * compiler's orderBy: type rank, numeric, text (code point order), then the id.
   */
  orderBy(keys: OrderKey[]): string {
    const out: string[] = [];
    for (const k of keys) {
      if (!k.path) { out.push(`e.id COLLATE "C" ${k.desc ? 'DESC' : 'ASC'}`); continue; }
      const { base, member } = this.instancePath(k.path);
      const cands = member ? [this.at([...base, member])] : ['value', 'object', 'vocab'].map((m) => this.at([...base, m, ...k.path!.compound]));
      const x = cands.length === 1 ? cands[0] : `COALESCE(${cands.join(', ')})`;
      const ty = `jsonb_typeof(${x})`;
      const rank = `(CASE ${ty} WHEN 'number' THEN 0 WHEN 'string' THEN 1 WHEN 'object' THEN `
        + `(CASE ${x} ->> '@type' WHEN 'Time' THEN 5 WHEN 'Date' THEN 6 WHEN 'DateTime' THEN 7 ELSE 2 END) `
        + `WHEN 'array' THEN 3 WHEN 'boolean' THEN 4 WHEN 'null' THEN 8 ELSE 9 END)`;
      const num = `(CASE ${ty} WHEN 'number' THEN (${x} #>> '{}')::float8 WHEN 'boolean' THEN (CASE WHEN (${x} #>> '{}') = 'true' THEN 1 ELSE 0 END) END)`;
      const txt = `((CASE ${ty} WHEN 'string' THEN ${x} #>> '{}' WHEN 'object' THEN ${x} ->> '@value' END) COLLATE "C")`;
      if (k.desc) out.push(`${rank} >= 8`, `${rank} DESC`, `${num} DESC NULLS LAST`, `${txt} DESC NULLS LAST`);
      else out.push(rank, `${num} NULLS LAST`, `${txt} NULLS LAST`);
    }
    out.push('e.id COLLATE "C"');
    return out.join(', ');
  }

  /**
   * The jsonb at a path from instancePath (attribute, instance index '0', keys below it). One ->
   * per step, keys as object keys only, like the embedded engine's JSON paths ($."attr"[0]."key");
   * #> with a text[] would read a numeric key as an array index, and costs a third more per row.
   */
  private at(parts: string[]): string {
    const [attr, , ...keys] = parts;
    return this.step(`e.doc -> ${this.p(attr, '::text')} -> 0`, keys);
  }

  /** The jsonb below `from` at the object keys `keys`. */
  private step(from: string, keys: string[]): string {
    return `(${from}${keys.map((k) => ` -> ${this.p(k, '::text')}`).join('')})`;
  }

  /**
   * Mirrors the embedded compiler: scalar of the literal's kind, array → any element, else other
   * members. Every access to e.doc decompresses the whole document again (PostgreSQL keeps no
   * detoasted copy between expressions), so the attribute instance is read once per row, in a
   * subquery kept apart by OFFSET 0 (else the planner would inline the expression into each use),
   * and the tests read the small instance. One jsonb_typeof picks the branch; the fallback appears
   * once (each subquery in the text costs planning time).
   */
  test(path: AttrPath, kind: Kind, cond: (x: string) => string): string {
    const { base, member } = this.instancePath(path);
    return `(SELECT ${this.testOn('x.i', path, member, kind, cond)} FROM (SELECT ${this.at(base)} OFFSET 0) x(i))`;
  }

  private testOn(inst: string, path: AttrPath, member: string | undefined, kind: Kind, cond: (x: string) => string): string {
    if (member) {
      const x = this.step(inst, [member]);
      return `(CASE WHEN ${kind.ok(x)} THEN ${cond(x)} ELSE false END)`;
    }
    const v = this.step(inst, ['value', ...path.compound]);
    // CASE, not AND: PostgreSQL may evaluate either side of AND first, and cond casts (a string of a
    // mixed array cast to float8 is an error).
    const elem = `EXISTS (SELECT 1 FROM jsonb_array_elements(${v}) j(v) WHERE CASE WHEN ${kind.ok('j.v')} THEN ${cond('j.v')} ELSE false END)`;
    const fallback = this.fallback(inst, path, kind, cond);
    // A missing value (jsonb_typeof NULL) and scalars of another kind go to the fallback.
    if (kind.type) {
      return `(CASE jsonb_typeof(${v}) WHEN '${kind.type}' THEN ${cond(v)} WHEN 'array' THEN ${elem} `
        + `WHEN 'object' THEN false WHEN 'null' THEN false ELSE ${fallback} END)`;
    }
    // ok(NULL) is NULL for every kind, so a missing value falls through to the fallback too.
    return `(CASE WHEN ${kind.ok(v)} THEN ${cond(v)} WHEN jsonb_typeof(${v}) = 'array' THEN ${elem} `
      + `WHEN jsonb_typeof(${v}) IN ('object', 'null') THEN false ELSE ${fallback} END)`;
  }

  /**
   * Attributes without a `value` member: object, vocab, json, valueList, languageMap (clause 4.9).
   * Of each member, an array is tested by its elements, an object by its member values, anything
   * else as itself — one subquery over all members (strict jsonpath enumerates exactly that).
   */
  private fallback(inst: string, path: AttrPath, kind: Kind, cond: (x: string) => string): string {
    const members = ['object', 'vocab', 'json', 'valueList'].map((m) => this.step(inst, [m, ...path.compound]));
    if (path.compound.length <= 1) members.push(this.step(inst, ['languageMap', ...path.compound]));
    const each = "CASE jsonb_typeof(u.m) WHEN 'array' THEN 'strict $[*]'::jsonpath WHEN 'object' THEN 'strict $.*'::jsonpath ELSE 'strict $'::jsonpath END";
    return `EXISTS (SELECT 1 FROM unnest(ARRAY[${members.join(', ')}]) u(m), jsonb_path_query(u.m, ${each}) j(v) `
      + `WHERE CASE WHEN ${kind.ok('j.v')} THEN ${cond('j.v')} ELSE false END)`;
  }

  exists(path: AttrPath): string {
    const { base, member } = this.instancePath(path);
    if (member) return `${this.at([...base, member])} IS NOT NULL`;
    if (path.compound.length === 0) return `${this.at(base)} IS NOT NULL`;
    return this.test(path, ANY, () => 'true');
  }

  literal(l: QLiteral): unknown {
    if (l.t === 'datetime') {
      const d = new Date(l.v);
      return Number.isNaN(d.getTime()) ? l.v : d.toISOString();
    }
    return l.v;
  }

  kind(l: QLiteral): Kind {
    if (l.t === 'number') return NUMBER;
    if (l.t === 'boolean') return l.v ? TRUE : FALSE;
    return STRING;
  }

  /** Parameter of a literal, typed like the kind compares. */
  private lp(l: QLiteral): string {
    return l.t === 'number' ? this.p(l.v, '::float8') : this.p(String(this.literal(l)), '::text COLLATE "C"');
  }

  node(n: QNode): string {
    switch (n.kind) {
      case 'and': return `(${n.items.map((i) => this.node(i)).join(' AND ')})`;
      case 'or': return `(${n.items.map((i) => this.node(i)).join(' OR ')})`;
      case 'exists': return this.exists(n.path);
      case 'pattern': {
        // The RE2 pattern translated to ARE; (?i) is part of the translation, so always `~`.
        const pat = this.p(postgresRegex((n.flags.includes('i') ? '(?i)' : '') + n.pattern), '::text');
        const hit = this.test(n.path, STRING, (x) => `((${x}) #>> '{}') ~ ${pat}`);
        return n.negated ? `(${this.exists(n.path)} AND NOT ${hit})` : hit;
      }
      case 'cmp': return this.cmp(n);
    }
  }

  cmp(n: Extract<QNode, { kind: 'cmp' }>): string {
    const nr = this.narrowing(n);
    if (nr) return `((${nr.alts.join(' OR ')}) AND ${nr.exact})`;
    const val = n.value;
    let positive: string;
    if (val.t === 'range') {
      const k = this.kind(val.from);
      const lo = this.lp(val.from);
      const hi = this.lp(val.to);
      positive = this.test(n.path, k, (x) => `${k.val(x)} BETWEEN ${lo} AND ${hi}`);
    } else if (val.t === 'list') {
      positive = `(${val.items.map((it) => this.eqTest(n.path, it)).join(' OR ')})`;
    } else if (n.op === '==' || n.op === '!=') {
      positive = this.eqTest(n.path, val);
    } else {
      const k = this.kind(val);
      const l = this.lp(val);
      return this.test(n.path, k, (x) => `${k.val(x)} ${n.op} ${l}`);
    }
    return n.op === '!=' ? `(${this.exists(n.path)} AND NOT ${positive})` : positive;
  }

  /**
   * Equality on an indexed attribute: the candidates come from the value index (one alternative
   * per value), or are entities whose value is an array to look into; the exact test decides.
   * The alternatives are disjoint, so each can walk the (tenant, value, pk) index in pk order and
   * stop after a page (CompiledQuery.branches).
   */
  narrowing(n: Extract<QNode, { kind: 'cmp' }>): Narrowing | undefined {
    const { path, value } = n;
    if (n.op !== '==' || value.t === 'range') return undefined;
    if (!this.indexed.has(path.attr) || path.sub.length || path.compound.length) return undefined;
    const items = value.t === 'list' ? value.items : [value];
    const texts: string[] = [];
    for (const i of items) {
      if (i.t === 'boolean') return undefined;
      // jsonb ->> prints numbers in its own way; only integers are certain to print as JS does.
      if (i.t === 'number' && !(Number.isSafeInteger(i.v))) return undefined;
      const t = String(this.literal(i));
      if (!texts.includes(t)) texts.push(t);
    }
    const exact = value.t === 'list' ? `(${items.map((it) => this.eqTest(path, it)).join(' OR ')})` : this.eqTest(path, value);
    const ix = indexExpressions(path.attr, 'e.doc');
    const alts = texts.map((t) => `${ix.scalar} = ${this.p(t, '::text')}`);
    alts.push(`(${ix.other} AND (${ix.scalar} = ANY(${this.p(texts, '::text[]')})) IS NOT TRUE)`);
    return { alts, exact };
  }

  eqTest(path: AttrPath, l: QLiteral): string {
    const k = this.kind(l);
    if (l.t === 'boolean') return this.test(path, k, () => 'true');
    const v = this.lp(l);
    return this.test(path, k, (x) => `${k.val(x)} = ${v}`);
  }

  types(t: TypeNode): string {
    switch (t.kind) {
      case 'and': return `(${t.items.map((i) => this.types(i)).join(' AND ')})`;
      case 'or': return `(${t.items.map((i) => this.types(i)).join(' OR ')})`;
      case 'type': return `e.types @> ARRAY[${this.p(t.name, '::text')}]`;
    }
  }
}

/** Type-level read access on a types array column: contained in `only`, disjoint from `except`. */
export function readableSql(r: NonNullable<EntityFilter['readable']>, column: string, p: (v: string[]) => string): string[] {
  const out: string[] = [];
  if (r.only) out.push(`${column} <@ ${p([...r.only])}`);
  if (r.except?.length) out.push(`NOT (${column} && ${p([...r.except])})`);
  return out;
}

/** The WHERE clause over `entities e` (plus the residual in-process test) of an entity filter. */
export function compileFilter(tenant: string, f: EntityFilter, indexed: ReadonlySet<string> = new Set(), c = new PgCompiler(indexed)): CompiledQuery {
  const where: string[] = [`e.tenant = ${c.p(tenant, '::text')}`];
  if (f.types) where.push(c.types(f.types));
  if (f.ids && f.ids.length) where.push(`e.id = ANY(${c.p(f.ids, '::text[]')})`);
  if (f.idPattern) where.push(`e.id ~ ${c.p(postgresRegex(f.idPattern), '::text')}`);
  if (f.anyAttrs && f.anyAttrs.length) where.push(`e.doc ?| ${c.p(f.anyAttrs, '::text[]')}`);
  if (f.readable) where.push(...readableSql(f.readable, 'e.types', (v) => c.p(v, '::text[]')));
  if (f.aliveAt) where.push(`(e.expires_at IS NULL OR e.expires_at > ${c.p(f.aliveAt, '::text')})`);
  // An indexed equality among the top-level conjuncts of q drives the query from its index.
  let narrowed: { at: number; nr: Narrowing } | undefined;
  if (f.q) {
    const items = f.q.kind === 'and' ? f.q.items : [f.q];
    for (const item of items) {
      const nr = !narrowed && item.kind === 'cmp' ? c.narrowing(item) : undefined;
      if (nr) {
        narrowed = { at: where.length, nr };
        where.push(`((${nr.alts.join(' OR ')}) AND ${nr.exact})`);
      } else {
        where.push(c.node(item));
      }
    }
  }
  const tests: Array<(r: ResidualRow) => boolean> = [];
  let geoSelect: string | undefined;
  let geoWindow: CompiledQuery['geoWindow'];
  if (f.scopeQ) {
    const sq = f.scopeQ;
    where.push('e.scopes IS NOT NULL');
    tests.push((r) => r.scopes !== null && scopeMatches(sq, r.scopes));
  }
  if (f.geo) {
    const g = f.geo;
    const prop = c.p(g.property, '::text');
    if (g.bbox) {
      const [minX, minY, maxX, maxY] = g.bbox;
      if (!f.order?.length) {
        const at = where.length;
        geoWindow = { attr: g.property, bbox: g.bbox, whereWith: (cond) => where.map((w, i) => (i === at ? cond : w)).join(' AND ') };
      }
      where.push(`EXISTS (SELECT 1 FROM entity_geo g WHERE g.pk = e.pk AND g.attr = ${prop} AND g.geom && ST_MakeEnvelope(${c.p(minX, '::float8')}, ${c.p(minY, '::float8')}, ${c.p(maxX, '::float8')}, ${c.p(maxY, '::float8')}, 4326))`);
    } else {
      where.push(`e.doc ? ${prop}`);
    }
    geoSelect = `e.doc -> ${prop} -> 0 -> 'value'`;
    tests.push((r) => r.geo !== null && r.geo !== undefined && g.predicate(r.geo));
  }
  // Ordered by distance (clause 4.23): every match is read and sorted in process by the same
  // distance function as on SQLite (residualHits), so both engines give one order.
  const dist = f.order?.find((k) => k.distance);
  if (dist) {
    const prop = c.p(dist.distance!.property, '::text');
    const pass = tests.slice();
    tests.length = 0;
    tests.push((r) => pass.every((t) => t(r)));
    const distance = { select: `e.doc -> ${prop} -> 0 -> 'value'`, meters: dist.distance!.meters, desc: dist.desc };
    return {
      where: where.join(' AND '), params: c.params, residual: tests[0], geoSelect, order: 'e.pk', distance,
    };
  }
  // Ordered queries sort every match (clause 4.23): no index walk in pk order to merge.
  const order = f.order?.length ? c.orderBy(f.order) : undefined;
  const branches = order ? undefined : narrowed?.nr.alts.map((alt) => where.map((w, i) => (i === narrowed!.at ? `(${alt} AND ${narrowed!.nr.exact})` : w)).join(' AND '));
  return {
    where: where.join(' AND '),
    params: c.params,
    residual: tests.length ? (r) => tests.every((t) => t(r)) : undefined,
    geoSelect,
    branches,
    order,
    geoWindow,
  };
}
