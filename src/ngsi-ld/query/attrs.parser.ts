// Parser for comma-separated attribute name lists: the attrs query parameter, the v1.8 projection
// parameters pick/omit and watchedAttributes of subscriptions (GS CIM 009 v1.8, clause 5.2.12).

import { InvalidRequest } from '../../core/errors.ts';
import { excerpt, isIriChar, isNameChar, quote } from './bool.expr.ts';

/**
 * Split `input` (URL-decoded) into attribute names: trimmed, no empties, duplicates removed (first
 * occurrence kept). `param` names the parameter in errors. `id` and `type` pass as ordinary names, as
 * pick/omit allow them. Nested projections of pick/omit (`owner{name}`) are parsed by parseProjection.
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
    throw fail(brace, pipe ? `nested projections (e.g. owner{name}) apply to linked entities, which this operation does not join` : `nested projections (e.g. owner{name}) are only allowed in pick and omit of entity retrieval and queries, with join=inline or join=flat`);
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

/** A pick/omit projection (v1.9.1 clause 4.21): each name, with the projection of the entities linked through it (`a{b,c}`). */
export interface ProjectionItem {
  name: string;
  nested?: ProjectionItem[];
}

/** Deepest nesting of `{}` accepted in pick/omit (one level per joinLevel at most). */
export const MAX_PROJECTION_DEPTH = 10;

/**
 * Parses pick/omit with nested projections (clause 4.21): names separated by ',' or '|', each
 * optionally followed by `{...}` with the projection of the linked entity (`pick=name,owner{name,address}`).
 * Names are checked as in parseAttrList.
 */
export function parseProjection(input: string, param: string): ProjectionItem[] {
  const s = String(input);
  const fail = (pos: number, msg: string) =>
    new InvalidRequest(`Invalid ${param} at position ${pos + 1}: ${msg} (${excerpt(s, pos)})`);
  if (s.trim() === '') throw new InvalidRequest(`Invalid ${param}: the list is empty; give comma-separated attribute names`);
  let i = 0;
  const skip = () => { while (i < s.length && s[i] === ' ') i++; };
  const list = (depth: number): ProjectionItem[] => {
    if (depth > MAX_PROJECTION_DEPTH) throw fail(i, `projections nest at most ${MAX_PROJECTION_DEPTH} levels deep`);
    const out: ProjectionItem[] = [];
    const seen = new Set<string>();
    for (;;) {
      skip();
      const start = i;
      while (i < s.length && !',|{}'.includes(s[i])) i++;
      const name = s.slice(start, i).trim();
      if (name === '') throw fail(start, `empty attribute name; remove the extra separator`);
      const iri = name.includes('://');
      for (let k = 0; k < name.length; k++) {
        const c = name[k];
        if (!(isNameChar(c) || c === '.' || (iri && isIriChar(c)))) throw fail(start + k, `${quote(c)} is not allowed in attribute name ${quote(name)}`);
      }
      const item: ProjectionItem = { name };
      if (s[i] === '{') {
        i++;
        item.nested = list(depth + 1);
        if (s[i] !== '}') throw fail(i, `'}' expected to close the projection of ${quote(name)}`);
        i++;
        skip();
      }
      if (!seen.has(name)) { seen.add(name); out.push(item); }
      if (i >= s.length || s[i] === '}') return out;
      if (s[i] !== ',' && s[i] !== '|') throw fail(i, `',' or '|' expected`);
      i++;
    }
  };
  const out = list(0);
  if (i < s.length) throw fail(i, `unbalanced '}'`);
  return out;
}
