// User regular expressions (q's ~= and !~=, idPattern) in one syntax, RE2's (regex.syntax.ts), run
// in linear time: in process by re2js (SQLite's REGEXP, the subscription matcher), and translated
// exactly for PostgreSQL. Compiled patterns are cached; the pattern length is bounded.
import { RE2JS, RE2JSException } from 're2js';
import { parseRegex, RegexSyntaxError, type RegexNode } from './regex.syntax.ts';
import { emitRegex } from './regex.emit.ts';

export class UnsafeRegexError extends Error {
  /** unsupported: valid in other dialects (backreferences, lookaround, \p, long patterns), not in ours; else a syntax error. */
  constructor(message: string, readonly unsupported = true) { super(message); }
}

/** What an in-process match needs. */
export interface CompiledRegex { test(s: string): boolean }

const limits = { maxLength: 512 };
const CACHE_MAX = 1000;
interface Entry { re: CompiledRegex; pg?: string; error?: UnsafeRegexError }
const cache = new Map<string, Entry>();
const NEVER: CompiledRegex = { test: () => false };

/** Set once at start-up from the config (DREHSCHEIBE_MAX_REGEX_LENGTH). */
export function configureRegex(opts: { maxLength: number }): void {
  limits.maxLength = opts.maxLength;
  cache.clear();
}

export function maxRegexLength(): number { return limits.maxLength; }

/** RE2's own messages name the construct ("invalid or unsupported Perl syntax: `(?<`"); these are clearer. */
function explain(pattern: string, e: RE2JSException): UnsafeRegexError {
  const bad = (what: string) => new UnsafeRegexError(`invalid regular expression "${pattern}": ${what} (patterns use the RE2 syntax)`);
  if (/\(\?[=!]/.test(pattern)) return bad('lookahead (?= and (?! is not supported');
  if (/\(\?<[=!]/.test(pattern)) return bad('lookbehind (?<= and (?<! is not supported');
  const backref = /\\[1-9]|\\k<|\(\?P=/.exec(pattern);
  if (backref) return bad(`backreferences (${backref[0]}) are not supported`);
  const err = bad(e.message.replace(/^error parsing regexp: /, ''));
  return new UnsafeRegexError(err.message, false);
}

function entry(pattern: string): { re: CompiledRegex; pg?: string; tree: ReturnType<typeof parseRegex> | undefined } {
  if (pattern.length > limits.maxLength) {
    throw new UnsafeRegexError(`the regular expression is longer than ${limits.maxLength} characters (DREHSCHEIBE_MAX_REGEX_LENGTH)`);
  }
  let re: RE2JS;
  try {
    re = RE2JS.compile(pattern);
  } catch (e) {
    if (e instanceof RE2JSException) throw explain(pattern, e);
    throw e;
  }
  // RE2 accepts a little more than every engine can run the same way (\p classes, counts above 255).
  let tree;
  try {
    tree = parseRegex(pattern);
  } catch (e) {
    if (e instanceof RegexSyntaxError) throw new UnsafeRegexError(`invalid regular expression "${pattern}": ${e.message}`);
    throw e;
  }
  return { re, tree };
}

/** Compiled once per pattern (refusals too), so the per-row and per-event paths never recompile. */
/**
 * A plain text, optionally anchored (`Herne`, `^urn:x:`, `-42$`), is matched with string search:
 * the common case, several times faster than the automaton.
 */
function literal(tree: RegexNode): CompiledRegex | undefined {
  const items = tree.k === 'cat' ? tree.items : [tree];
  const start = items[0]?.k === 'assert' && items[0].a === 'bot';
  const last = items[items.length - 1];
  const end = items.length > (start ? 1 : 0) && last.k === 'assert' && last.a === 'eot';
  let text = '';
  for (const n of items.slice(start ? 1 : 0, end ? -1 : undefined)) {
    if (n.k !== 'set' || n.r.length !== 2 || n.r[0] !== n.r[1]) return undefined;
    text += String.fromCodePoint(n.r[0]);
  }
  if (start && end) return { test: (s) => s === text };
  if (start) return { test: (s) => s.startsWith(text) };
  if (end) return { test: (s) => s.endsWith(text) };
  return { test: (s) => s.includes(text) };
}

function cached(pattern: string): Entry {
  let hit = cache.get(pattern);
  if (!hit) {
    try {
      const { re, tree } = entry(pattern);
      hit = { re: (tree && literal(tree)) || re, pg: tree ? emitRegex(tree, 'postgres') : undefined };
    } catch (e) {
      if (!(e instanceof UnsafeRegexError)) throw e;
      hit = { re: NEVER, error: e };
    }
    if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value!);
    cache.set(pattern, hit);
  }
  if (hit.error) throw hit.error;
  return hit;
}

/**
 * Compiles a user pattern (RE2 syntax; `(?i)` anywhere makes the rest case-insensitive, as the
 * NGSI-LD q syntax allows at the start). Throws UnsafeRegexError for patterns outside the syntax.
 */
export function compileRegex(pattern: string): CompiledRegex {
  return cached(pattern).re;
}

/**
 * For patterns that were accepted earlier (stored subscriptions, SQL functions): one outside the
 * syntax (stored before it, or above a since lowered limit) matches nothing instead of failing.
 */
export function storedRegex(pattern: string): CompiledRegex {
  try {
    return cached(pattern).re;
  } catch (e) {
    if (e instanceof UnsafeRegexError) return NEVER;
    throw e;
  }
}

/** The same pattern in PostgreSQL's ARE dialect, to be used with the case-sensitive `~` operator. */
export function postgresRegex(pattern: string): string {
  return cached(pattern).pg!;
}
