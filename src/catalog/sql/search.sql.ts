// The catalogue search as SQL, for both adapters (imported by them only): the index tables and
// comparisons are the same on SQLite and PostgreSQL (text compared byte-wise: SQLite's BINARY,
// PostgreSQL's COLLATE "C" columns), so both return the same hits. Only placeholders differ.
import type { FacetName } from '../catalog.model.ts';
import type { StoreSearch } from '../catalog.port.ts';

/** Upper bound of a prefix range: every term starting with the prefix sorts below it. */
export const prefixEnd = (p: string) => p + '\uffff';

export interface CompiledSearch {
  where: string;
  /** How many of params belong to where (the count and facet queries use only those). */
  whereParams: number;
  order: string;
  params: unknown[];
  /** Builds another placeholder continuing the numbering. */
  param(v: unknown): string;
}

export function compileSearch(q: StoreSearch, placeholder: (n: number) => string): CompiledSearch {
  const params: unknown[] = [];
  const param = (v: unknown) => { params.push(v); return placeholder(params.length); };
  const conds: string[] = [];
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
  const range = (p: string, col = 't') => `(${col}.term >= ${param(p)} AND ${col}.term < ${param(prefixEnd(p))})`;
  for (const group of q.prefixes) {
    // One range scan per prefix (UNION, not OR: an OR of ranges makes SQLite scan the whole term table).
    conds.push(`d.id IN (${group.map((p) => `SELECT t.dataset_id FROM catalog_terms t WHERE ${range(p)}`).join(' UNION ')})`);
  }
  const where = conds.length ? `WHERE ${conds.join(' AND ')}` : '';
  const whereParams = params.length;
  let order: string;
  switch (q.sort ?? 'title') {
    case 'title': order = 'd.title_sort, d.id'; break;
    case '-title': order = 'd.title_sort DESC, d.id DESC'; break;
    case 'modified': order = 'd.modified, d.id'; break;
    case '-modified': order = 'd.modified DESC, d.id'; break;
    case 'issued': order = `COALESCE(d.issued, ''), d.id`; break;
    case '-issued': order = `COALESCE(d.issued, '') DESC, d.id`; break;
    case 'relevance': {
      // Query words found in title or keywords count; ties: newest first.
      const score = q.prefixes.map((g) => `(CASE WHEN EXISTS (SELECT 1 FROM catalog_terms r WHERE r.dataset_id = d.id AND r.title = 1 AND (${g.map((p) => range(p, 'r')).join(' OR ')})) THEN 1 ELSE 0 END)`).join(' + ');
      order = score ? `${score} DESC, d.modified DESC, d.id` : 'd.modified DESC, d.id';
      break;
    }
  }
  return { where, whereParams, order, params, param };
}
