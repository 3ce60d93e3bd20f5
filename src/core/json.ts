// Checks a parsed JSON document before anything walks it recursively: nesting depth (a 10,000-level
// array would overflow the stack of every recursive walker after it) and numbers JSON.parse turned
// into ±Infinity (`1e999`, which JSON.stringify would store as null). Iterative, one pass.

/** The first reason `value` is unacceptable, or undefined. Depth counts objects and arrays: `{}` is 1, `{"a":[1]}` 2. */
export function jsonProblem(value: unknown, maxDepth: number): string | undefined {
  if (typeof value !== 'object' || value === null) {
    return typeof value === 'number' && !Number.isFinite(value) ? NON_FINITE : undefined;
  }
  const values: unknown[] = [value];
  const depths: number[] = [1];
  while (values.length > 0) {
    const v = values.pop();
    const d = depths.pop()!;
    if (d > maxDepth) return `The JSON document is nested deeper than ${maxDepth} levels (the limit DREHSCHEIBE_MAX_JSON_DEPTH)`;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const x = v[i];
        if (typeof x === 'object' && x !== null) { values.push(x); depths.push(d + 1); } else if (typeof x === 'number' && !Number.isFinite(x)) return NON_FINITE;
      }
    } else {
      const o = v as Record<string, unknown>;
      for (const k in o) {
        const x = o[k];
        if (typeof x === 'object' && x !== null) { values.push(x); depths.push(d + 1); } else if (typeof x === 'number' && !Number.isFinite(x)) return NON_FINITE;
      }
    }
  }
  return undefined;
}

const NON_FINITE = 'The JSON document contains a number outside the range of a double (such as 1e999), which cannot be stored';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Whether a string is Unicode text: JSON's "\ud800" escape yields a lone UTF-16 surrogate, which
 * cannot be encoded as UTF-8 or in a URL (an id with one would be stored and then fail every answer).
 */
export function isWellFormed(s: string): boolean {
  return !LONE_SURROGATE.test(s);
}
