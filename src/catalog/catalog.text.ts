// The one text normaliser of the catalogue's full-text search, used for indexing and for queries on
// both engines (so they return the same hits): lower case, German Snowball stemming, umlaut folding
// (ä→ae, ö→oe, ü→ue, ß→ss), stop words left out; query terms match indexed terms by prefix.
import * as snowball from 'snowball-stemmers';

const stemmer = snowball.newStemmer('german');

const STOP = new Set(('der die das den dem des ein eine einer eines einem einen und oder aber nicht mit von vom zu zum zur im in ins am an auf aus bei für fuer über ueber unter nach vor als wie ist sind war wird werden wurde '
  + 'es sie er wir ihr ich du auch noch nur so da dass daß sich hier dort the of and or to for on at by with a an is are').split(' '));

const FOLD: Record<string, string> = { ä: 'ae', ö: 'oe', ü: 'ue', ß: 'ss' };

/** Lower case with umlauts and ß folded to their two-letter forms; other diacritics dropped. */
export function fold(s: string): string {
  return s.toLowerCase().replace(/[äöüß]/g, (c) => FOLD[c]).normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
}

/** Words of a text (letters and digits), lower case, stop words left out. */
export function words(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((w) => !STOP.has(w) && !STOP.has(fold(w)));
}

/**
 * The forms a word is indexed and searched by: the folded word, the stem of the folded word, and the
 * stem of the word itself folded (Snowball's German stemmer turns ä into a: "Parkplätze" → "parkplatz").
 */
export function forms(word: string): string[] {
  const lower = word.toLowerCase();
  const f = fold(lower);
  return [...new Set([f, stemmer.stem(f), fold(stemmer.stem(lower))].filter((x) => x.length > 0))];
}

/** Index terms of a text. */
export function indexTerms(...texts: Array<string | undefined>): string[] {
  const out = new Set<string>();
  for (const t of texts) if (t) for (const w of words(t)) for (const x of forms(w)) out.add(x);
  return [...out].sort();
}

/**
 * A query as groups of prefixes: every group must match (AND over the query's words), a group
 * matches when one of its prefixes starts an indexed term. Words shorter than 2 letters are ignored.
 */
export function queryPrefixes(q: string): string[][] {
  const out: string[][] = [];
  const seen = new Set<string>();
  for (const w of words(q)) {
    if (w.length < 2) continue;
    const lower = w.toLowerCase();
    const f = fold(lower);
    // The stems are shorter than the word, so their prefixes also find the word and its compounds.
    const group = [...new Set([stemmer.stem(f), fold(stemmer.stem(lower))])].filter((x) => x.length >= 2);
    const key = group.join('|');
    if (group.length && !seen.has(key)) { seen.add(key); out.push(group); }
  }
  return out;
}

/** Whether an indexed term set matches prefix groups (the in-process oracle the contract tests use). */
export function matchesPrefixes(terms: readonly string[], groups: readonly string[][]): boolean {
  return groups.every((g) => g.some((p) => terms.some((t) => t.startsWith(p))));
}
