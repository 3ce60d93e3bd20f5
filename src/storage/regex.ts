// Regular expressions for q's ~= and idPattern: rejected up front when they could backtrack
// catastrophically (nested quantifiers), then compiled once and cached.
import safeRegex from 'safe-regex2';

const MAX_PATTERN = 512;
const cache = new Map<string, RegExp>();

export class UnsafeRegexError extends Error {}

/** Pattern text may start with (?i) for case-insensitive matching (as Orion-LD accepts). */
export function compileRegex(pattern: string): RegExp {
  let re = cache.get(pattern);
  if (re) return re;
  if (pattern.length > MAX_PATTERN) throw new UnsafeRegexError(`the regular expression is longer than ${MAX_PATTERN} characters`);
  let flags = '';
  let body = pattern;
  if (body.startsWith('(?i)')) { flags = 'i'; body = body.slice(4); }
  try {
    re = new RegExp(body, flags);
  } catch (e) {
    throw new UnsafeRegexError(`invalid regular expression: ${(e as Error).message}`);
  }
  if (!safeRegex(re)) throw new UnsafeRegexError(`the regular expression "${pattern}" could take exponential time (nested quantifiers); simplify it`);
  if (cache.size > 1000) cache.clear();
  cache.set(pattern, re);
  return re;
}
