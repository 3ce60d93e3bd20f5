// The one string order of NGSI-LD answers (orderBy, clause 4.23, and ties by id): Unicode code point
// order, which SQLite's BINARY collation and PostgreSQL's "C" collation on a UTF-8 database give in SQL.

/**
 * Compares by code point, not by UTF-16 unit as `<` does: a character above U+FFFF (a surrogate pair,
 * e.g. an emoji) sorts after U+E000…U+FFFF (e.g. fullwidth letters), as its UTF-8 bytes do.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

/** Surrogates (U+D800…U+DFFF) moved above every other UTF-16 unit; the order within each group is kept. */
function codePointRank(u: number): number {
  if (u >= 0xd800 && u <= 0xdfff) return u + 0x2000;
  return u >= 0xe000 ? u - 0x800 : u;
}
