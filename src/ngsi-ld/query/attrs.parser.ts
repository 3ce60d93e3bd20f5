// Parser for comma-separated attribute name lists: the attrs query parameter, the v1.8 projection
// parameters pick/omit and watchedAttributes of subscriptions (GS CIM 009 v1.8, clause 5.2.12).

import { InvalidRequest } from '../../core/errors.ts';
import { excerpt, isIriChar, isNameChar, quote } from './bool.expr.ts';

/**
 * Split `input` (URL-decoded) into attribute names: trimmed, no empties, duplicates removed (first
 * occurrence kept). `param` names the parameter in errors. `id` and `type` pass as ordinary names, as
 * pick/omit allow them. Nested projections of pick/omit (`address{city}`) are not supported and rejected.
 * pick and omit may also separate names with '|' (v1.9.1 clause 4.21: "either a comma or a pipe").
 */
export function parseAttrList(input: string, param: string): string[] {
  const pipe = param === 'pick' || param === 'omit';
  const s = String(input);
  const fail = (pos: number, msg: string) =>
    new InvalidRequest(`Invalid ${param} at position ${pos + 1}: ${msg} (${excerpt(s, pos)})`);
  if (s.trim() === '') throw new InvalidRequest(`Invalid ${param}: the list is empty; give comma-separated attribute names`);
  const brace = s.search(/[{}]/);
  if (brace >= 0) {
    throw fail(brace, `projection of compound members (e.g. address{city}) is not supported; list whole attributes instead`);
  }
  const out = new Set<string>();
  let pos = 0;
  for (const raw of pipe ? s.split(/[,|]/) : s.split(',')) {
    const name = raw.trim();
    const lead = name === '' ? 0 : raw.length - raw.trimStart().length;
    if (name === '') throw fail(pos + lead, `empty attribute name; remove the extra ${pipe ? "',' or '|'" : "','"}`);
    const iri = name.includes('://');
    for (let k = 0; k < name.length; k++) {
      const c = name[k];
      if (!(isNameChar(c) || c === '.' || (iri && isIriChar(c)))) {
        throw fail(pos + lead + k, `${quote(c)} is not allowed in attribute name ${quote(name)}`);
      }
    }
    out.add(name);
    pos += raw.length + 1;
  }
  return [...out];
}
