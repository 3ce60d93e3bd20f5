// The catalogue search as SQL, for both adapters (imported by them only): the index tables and
// comparisons are the same on SQLite and PostgreSQL (text compared byte-wise: SQLite's BINARY,
// PostgreSQL's COLLATE "C" columns), so both return the same hits. Only placeholders differ.
import type { FacetName } from '../catalog.model.ts';
import type { StoreSearch } from '../catalog.port.ts';

/** Upper bound of a prefix range: every term starting with the prefix sorts below it. */
export const prefixEnd = (p: string) => p + '\uffff';

export interface CompiledSearch {
  /** The datasets and, per query word, the matching index terms joined in (a derived table per word). */
  from: string;
  where: string;
  /** ORDER BY of the matches (no parameters). */
  order: string;
  /** The sort keys as columns (id, k1, k2, …) of a page query, and the same order over them from its alias p. */
  keys: string;
  keyOrder: string;
  /** Every parameter of from and where, in order. */
  params: unknown[];
  /** Builds another placeholder continuing the numbering. */
  param(v: unknown): string;
}

/**
 * A page of matches as documents, and (n) how many match in all: the page is cut on the narrow sort
 * keys, then only its documents are read. An empty page has no n: count with countSql.
 */
export function pageSql(c: CompiledSearch, limit: string, offset: string): string {
  return `SELECT d.doc, p.n FROM (SELECT ${c.keys}, COUNT(*) OVER () AS n FROM ${c.from} ${c.where} ORDER BY ${c.order} LIMIT ${limit} OFFSET ${offset}) p JOIN catalog_datasets d ON d.id = p.id ORDER BY ${c.keyOrder}`;
}

export function countSql(c: CompiledSearch): string {
  return `SELECT COUNT(*) AS n FROM ${c.from} ${c.where}`;
}

export function compileSearch(q: StoreSearch, placeholder: (n: number) => string): CompiledSearch {
  const params: unknown[] = [];
  const param = (v: unknown) => { params.push(v); return placeholder(params.length); };
  // Text first: its joins precede WHERE in the statement, and so do their parameters. Each query word
  // is a derived table of the datasets having a term that starts with one of its prefixes (one range
  // scan of the term index per prefix, UNION ALL: an OR of ranges makes SQLite scan the whole term
  // table), with s = 1 when one of those terms comes from the title or keywords (sort=relevance).
  // The engine starts from these few rows instead of testing every dataset against them.
  const joins: string[] = [];
  const scores: string[] = [];
  q.prefixes.forEach((group, i) => {
    const ranges = group.map((p) => `SELECT dataset_id, title FROM catalog_terms WHERE term >= ${param(p)} AND term < ${param(prefixEnd(p))}`).join(' UNION ALL ');
    joins.push(`(SELECT u.dataset_id AS id, max(u.title) AS s FROM (${ranges}) u GROUP BY u.dataset_id) g${i}`);
    scores.push(`g${i}.s`);
  });
  const conds: string[] = joins.map((_, i) => (i === 0 ? 'd.id = g0.id' : `g${i}.id = g0.id`));
  if (q.draftTenants === undefined) conds.push(`d.state = 'published'`);
  else if (!q.draftTenants.includes('*')) {
    conds.push(q.draftTenants.length ? `(d.state = 'published' OR d.tenant IN (${q.draftTenants.map(param).join(', ')}))` : `d.state = 'published'`);
  }
  const facet = (name: FacetName, values: string[] | undefined) => {
    if (!values || values.length === 0) return;
    conds.push(`d.id IN (SELECT f.dataset_id FROM catalog_facets f WHERE f.facet = ${param(name)} AND f.value IN (${values.map(param).join(', ')}))`);
  };
  facet('theme', q.themes);
  facet('publisher', q.publishers);
  facet('format', q.formats);
  facet('licence', q.licences);
  facet('keyword', q.keywords);
  facet('project', q.projects);
  if (q.tenants?.length) conds.push(`d.tenant IN (${q.tenants.map(param).join(', ')})`);
  if (q.bbox) {
    const [w, s, e, n] = q.bbox;
    conds.push(`d.max_lon >= ${param(w)} AND d.min_lon <= ${param(e)} AND d.max_lat >= ${param(s)} AND d.min_lat <= ${param(n)}`);
  }
  if (q.modifiedSince) conds.push(`d.modified >= ${param(q.modifiedSince)}`);
  if (q.modifiedUntil) conds.push(`d.modified <= ${param(q.modifiedUntil)}`);
  const where = conds.length ? `WHERE ${conds.join(' AND ')}` : '';
  // Sort keys, each [expression, descending]; the id last, so the order is total.
  let sort: Array<[string, boolean]>;
  switch (q.sort ?? 'title') {
    case 'title': sort = [['d.title_sort', false], ['d.id', false]]; break;
    case '-title': sort = [['d.title_sort', true], ['d.id', true]]; break;
    case 'modified': sort = [['d.modified', false], ['d.id', false]]; break;
    case '-modified': sort = [['d.modified', true], ['d.id', false]]; break;
    case 'issued': sort = [[`COALESCE(d.issued, '')`, false], ['d.id', false]]; break;
    case '-issued': sort = [[`COALESCE(d.issued, '')`, true], ['d.id', false]]; break;
    case 'relevance':
      // Query words found in title or keywords count; ties: newest first.
      sort = [...(scores.length ? [[scores.join(' + '), true] as [string, boolean]] : []), ['d.modified', true], ['d.id', false]];
      break;
  }
  const dir = (desc: boolean) => (desc ? ' DESC' : '');
  const keyed = sort.map(([e, desc], i) => ({ e, desc, name: e === 'd.id' ? 'id' : `k${i}` }));
  return {
    // CROSS JOIN: SQLite then loops over the words' matches first (it keeps the order of a CROSS JOIN)
    // and looks each dataset up by id; PostgreSQL plans it as any inner join.
    from: [...joins, 'catalog_datasets d'].join(' CROSS JOIN '),
    where,
    order: keyed.map((k) => `${k.e}${dir(k.desc)}`).join(', '),
    keys: keyed.map((k) => `${k.e} AS ${k.name}`).join(', '),
    keyOrder: keyed.map((k) => `p.${k.name}${dir(k.desc)}`).join(', '),
    params,
    param,
  };
}
