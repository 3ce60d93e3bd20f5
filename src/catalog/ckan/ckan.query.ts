// The part of Solr's query syntax CKAN clients send in fq (and sometimes q): space-separated
// clauses field:value, field:"quoted value", optional leading +, and metadata_modified:[X TO Y]
// ranges (X, Y an ISO date-time or *). Anything else is CKAN's "Search Query Error".

export class CkanError extends Error {
  constructor(readonly status: number, readonly type: string, message: string, readonly fields: Record<string, string[]> = {}) { super(message); }
}

export const FQ_FIELDS = ['tags', 'organization', 'res_format', 'license_id', 'groups', 'theme', 'metadata_modified', 'dataset_type', 'type', 'text'] as const;
export type FqField = (typeof FQ_FIELDS)[number];

export interface FqClause {
  field: FqField;
  value?: string;
  /** Range bounds (ISO), for metadata_modified. */
  from?: string;
  to?: string;
}

const bad = (param: string, why: string) => new CkanError(409, 'Search Query Error', `Search Query is invalid: ${param}: ${why}`);

function bound(v: string, param: string): string | undefined {
  if (v === '*') return undefined;
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw bad(param, `"${v}" is not a date (ISO 8601, e.g. 2026-01-01T00:00:00Z, or *)`);
  return new Date(t).toISOString();
}

export function parseFq(input: string, param: string): FqClause[] {
  const out: FqClause[] = [];
  const re = /\s*\+?([A-Za-z_]+):(?:"((?:[^"\\]|\\.)*)"|\[(\S+)\s+TO\s+(\S+)\]|([^\s"[\]]+))/y;
  let pos = 0;
  const text = input.trim();
  while (pos < text.length) {
    re.lastIndex = pos;
    const m = re.exec(text);
    if (!m) throw bad(param, `cannot parse "${text.slice(pos, pos + 40)}" (expected field:value, field:"value" or metadata_modified:[X TO Y])`);
    pos = re.lastIndex;
    const field = m[1] as FqField;
    if (!(FQ_FIELDS as readonly string[]).includes(field)) throw bad(param, `unknown field ${m[1]} (known: ${FQ_FIELDS.join(', ')})`);
    if (m[3] !== undefined) {
      if (field !== 'metadata_modified') throw bad(param, `ranges only on metadata_modified, not ${field}`);
      out.push({ field, from: bound(m[3], param), to: bound(m[4], param) });
    } else {
      if (field === 'metadata_modified') throw bad(param, 'metadata_modified takes a range [X TO Y]');
      const value = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[5];
      out.push({ field, value });
    }
    while (pos < text.length && /\s/.test(text[pos])) pos++;
  }
  if (!out.length) throw bad(param, 'empty');
  return out;
}
