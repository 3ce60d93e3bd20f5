// The one regular-expression syntax users may write (q's ~= and !~=, idPattern): RE2's, without
// Unicode classes (\p) and with repetition counts up to 255. Parsed into a small tree of code-point
// sets, so that each engine gets an exact translation (see regex.emit.ts) while the
// in-process engines run RE2 itself (re2js, linear time).
import { FOLD_ORBITS } from './regex.fold.ts';

export type RegexNode =
  | { k: 'alt'; items: RegexNode[] }
  | { k: 'cat'; items: RegexNode[] }
  | { k: 'rep'; sub: RegexNode; min: number; max: number } // max -1: unbounded
  | { k: 'set'; r: Ranges }
  | { k: 'assert'; a: 'bot' | 'eot' | 'bol' | 'eol' | 'wb' | 'nwb' };

/** Sorted, disjoint, non-adjacent inclusive code-point ranges [lo, hi, lo, hi, …]. */
export type Ranges = number[];

export class RegexSyntaxError extends Error {}

export const MAX_REPEAT = 255; // PostgreSQL's RE_DUPMAX; RE2 allows 1000
const MAX_RUNE = 0x10ffff;

const DIGIT: Ranges = [0x30, 0x39];
const SPACE: Ranges = [0x09, 0x0a, 0x0c, 0x0d, 0x20, 0x20];
const WORD: Ranges = [0x30, 0x39, 0x41, 0x5a, 0x5f, 0x5f, 0x61, 0x7a];
const POSIX: Record<string, Ranges> = {
  alnum: [0x30, 0x39, 0x41, 0x5a, 0x61, 0x7a], alpha: [0x41, 0x5a, 0x61, 0x7a], ascii: [0, 0x7f],
  blank: [0x09, 0x09, 0x20, 0x20], cntrl: [0, 0x1f, 0x7f, 0x7f], digit: DIGIT, graph: [0x21, 0x7e],
  lower: [0x61, 0x7a], print: [0x20, 0x7e], punct: [0x21, 0x2f, 0x3a, 0x40, 0x5b, 0x60, 0x7b, 0x7e],
  space: [0x09, 0x0d, 0x20, 0x20], upper: [0x41, 0x5a], word: WORD, xdigit: [0x30, 0x39, 0x41, 0x46, 0x61, 0x66],
};
const SINGLE: Record<string, number> = { a: 7, f: 12, t: 9, n: 10, r: 13, v: 11 };

export function normalize(pairs: number[]): Ranges {
  const list: Array<[number, number]> = [];
  for (let i = 0; i < pairs.length; i += 2) list.push([pairs[i], pairs[i + 1]]);
  list.sort((a, b) => a[0] - b[0]);
  const out: number[] = [];
  for (const [lo, hi] of list) {
    if (out.length && lo <= out[out.length - 1] + 1) out[out.length - 1] = Math.max(out[out.length - 1], hi);
    else out.push(lo, hi);
  }
  return out;
}

export function negate(r: Ranges): Ranges {
  const out: number[] = [];
  let next = 0;
  for (let i = 0; i < r.length; i += 2) {
    if (r[i] > next) out.push(next, r[i] - 1);
    next = r[i + 1] + 1;
  }
  if (next <= MAX_RUNE) out.push(next, MAX_RUNE);
  return out;
}

export function contains(r: Ranges, c: number): boolean {
  for (let i = 0; i < r.length; i += 2) if (c >= r[i] && c <= r[i + 1]) return true;
  return false;
}

// Case-folding orbits (RE2 uses Unicode simple case folding), generated into regex.fold.ts.
let orbits: Map<number, readonly number[]> | undefined;
function foldOrbits(): Map<number, readonly number[]> {
  if (!orbits) {
    orbits = new Map();
    for (const g of FOLD_ORBITS) for (const c of g) orbits.set(c, g);
  }
  return orbits;
}

/** The ranges plus every case variant of the code points in them. */
export function fold(r: Ranges): Ranges {
  const add: number[] = [];
  for (const [c, g] of foldOrbits()) if (contains(r, c)) for (const d of g) add.push(d, d);
  return add.length ? normalize([...r, ...add]) : r;
}

interface Flags { i: boolean; m: boolean; s: boolean }

/** Parses a pattern already accepted by RE2 (which reports its own syntax errors). */
export function parseRegex(pattern: string): RegexNode {
  const p = new Parser(Array.from(pattern, (ch) => ch.codePointAt(0)!));
  const node = p.alt({ i: false, m: false, s: false });
  if (p.pos < p.s.length) throw new RegexSyntaxError(`unexpected ')' at position ${p.pos}`);
  return node;
}

const ch = (c: number | undefined): string => (c === undefined ? '' : String.fromCodePoint(c));

class Parser {
  pos = 0;
  constructor(readonly s: number[]) {}
  peek(o = 0): string { return ch(this.s[this.pos + o]); }
  fail(msg: string): never { throw new RegexSyntaxError(msg); }

  alt(flags: Flags): RegexNode {
    const items = [this.cat(flags)];
    while (this.peek() === '|') { this.pos++; items.push(this.cat(flags)); }
    return items.length === 1 ? items[0] : { k: 'alt', items };
  }

  cat(flags: Flags): RegexNode {
    const items: RegexNode[] = [];
    while (this.pos < this.s.length && this.peek() !== '|' && this.peek() !== ')') {
      const atom = this.atom(flags);
      if (!atom) continue;
      items.push(this.quantified(atom));
    }
    return items.length === 1 ? items[0] : { k: 'cat', items };
  }

  quantified(atom: RegexNode): RegexNode {
    let node = atom;
    for (;;) {
      const c = this.peek();
      let min: number, max: number;
      if (c === '*') { min = 0; max = -1; this.pos++; }
      else if (c === '+') { min = 1; max = -1; this.pos++; }
      else if (c === '?') { min = 0; max = 1; this.pos++; }
      else if (c === '{') {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(this.s.slice(this.pos, this.pos + 16).map(ch).join(''));
        if (!m) return node; // a literal '{' (RE2 reads it so)
        min = Number(m[1]);
        max = m[2] === undefined ? min : m[3] === '' ? -1 : Number(m[3]);
        if (min > MAX_REPEAT || max > MAX_REPEAT) this.fail(`repetition count ${m[0]} is above ${MAX_REPEAT}`);
        this.pos += m[0].length;
      } else return node;
      if (this.peek() === '?') this.pos++; // non-greedy: the same matches
      node = { k: 'rep', sub: node, min, max };
    }
  }

  /** One atom; undefined for a flag group such as (?i), which changes `flags` for the rest of the group. */
  atom(flags: Flags): RegexNode | undefined {
    const c = this.peek();
    this.pos++;
    switch (c) {
      case '(': return this.group(flags);
      case '.': return { k: 'set', r: flags.s ? [0, MAX_RUNE] : [0, 9, 11, MAX_RUNE] };
      case '^': return { k: 'assert', a: flags.m ? 'bol' : 'bot' };
      case '$': return { k: 'assert', a: flags.m ? 'eol' : 'eot' };
      case '[': return this.klass(flags);
      case '\\': return this.escape(flags);
      default: return this.lit(this.s[this.pos - 1], flags);
    }
  }

  lit(c: number, flags: Flags): RegexNode {
    return { k: 'set', r: flags.i ? fold([c, c]) : [c, c] };
  }

  group(outer: Flags): RegexNode | undefined {
    if (this.peek() !== '?') return this.groupBody({ ...outer });
    this.pos++;
    const rest = this.s.slice(this.pos, this.pos + 3).map(ch).join('');
    if (rest.startsWith('=') || rest.startsWith('!')) this.fail(`lookahead (?${rest[0]} is not supported`);
    if (rest.startsWith('<=') || rest.startsWith('<!')) this.fail(`lookbehind (?${rest.slice(0, 2)} is not supported`);
    if (rest.startsWith('P=') || rest.startsWith('P>')) this.fail('backreferences (?P=name) are not supported');
    if (rest.startsWith(':')) { this.pos++; return this.groupBody({ ...outer }); }
    if (rest.startsWith('P<') || rest.startsWith('<')) {
      while (this.pos < this.s.length && this.peek() !== '>') this.pos++;
      this.pos++;
      return this.groupBody({ ...outer });
    }
    // Flags: (?i) (?i-s) (?-m) … or (?i:…)
    const f = { ...outer };
    let on = true;
    for (;;) {
      const x = this.peek();
      this.pos++;
      if (x === 'i' || x === 'm' || x === 's') f[x] = on;
      else if (x === 'U') { /* ungreedy: the same matches */ }
      else if (x === '-') on = false;
      else if (x === ')') { Object.assign(outer, f); return undefined; }
      else if (x === ':') return this.groupBody(f);
      else this.fail(`unknown group flag '${x}'`);
    }
  }

  groupBody(flags: Flags): RegexNode {
    const node = this.alt(flags);
    if (this.peek() !== ')') this.fail('missing closing )');
    this.pos++;
    return node;
  }

  /** A single-character escape, or undefined when the escape is not one. Position is after the '\'. */
  charEscape(): number | undefined {
    const c = this.peek();
    if (c in SINGLE) { this.pos++; return SINGLE[c]; }
    if (c >= '0' && c <= '7') {
      if (c !== '0' && !(this.peek(1) >= '0' && this.peek(1) <= '7')) this.fail(`backreferences (\\${c}) are not supported`);
      let v = 0;
      for (let i = 0; i < 3 && this.peek() >= '0' && this.peek() <= '7'; i++) { v = v * 8 + Number(this.peek()); this.pos++; }
      return v;
    }
    if (c === '8' || c === '9') this.fail(`backreferences (\\${c}) are not supported`);
    if (c === 'x') {
      this.pos++;
      let hex = '';
      if (this.peek() === '{') {
        this.pos++;
        while (this.peek() !== '}' && this.pos < this.s.length) { hex += this.peek(); this.pos++; }
        this.pos++;
      } else { hex = this.peek() + this.peek(1); this.pos += 2; }
      const v = parseInt(hex, 16);
      if (!/^[0-9a-fA-F]+$/.test(hex) || v > MAX_RUNE) this.fail(`invalid escape \\x${hex}`);
      return v;
    }
    const cp = this.s[this.pos];
    if (cp !== undefined && cp < 0x80 && !/[0-9A-Za-z]/.test(c)) { this.pos++; return cp; }
    return undefined;
  }

  /** \d \s \w and their complements (folded first, as RE2 does, then negated). */
  perlClass(flags: Flags): Ranges | undefined {
    const c = this.peek();
    const base = c.toLowerCase() === 'd' ? DIGIT : c.toLowerCase() === 's' ? SPACE : c.toLowerCase() === 'w' ? WORD : undefined;
    if (!base) {
      if (c === 'p' || c === 'P') this.fail(`Unicode classes (\\${c}) are not supported; use explicit ranges such as [\\x{e0}-\\x{ff}]`);
      return undefined;
    }
    this.pos++;
    const r = flags.i ? fold(base) : base;
    return c === c.toUpperCase() ? negate(r) : r;
  }

  escape(flags: Flags): RegexNode {
    const c = this.peek();
    if (c === 'A') { this.pos++; return { k: 'assert', a: 'bot' }; }
    if (c === 'z') { this.pos++; return { k: 'assert', a: 'eot' }; }
    if (c === 'b') { this.pos++; return { k: 'assert', a: 'wb' }; }
    if (c === 'B') { this.pos++; return { k: 'assert', a: 'nwb' }; }
    if (c === 'Q') {
      this.pos++;
      const items: RegexNode[] = [];
      while (this.pos < this.s.length && !(this.peek() === '\\' && this.peek(1) === 'E')) items.push(this.lit(this.s[this.pos++], flags));
      if (this.pos < this.s.length) this.pos += 2;
      return { k: 'cat', items };
    }
    const cls = this.perlClass(flags);
    if (cls) return { k: 'set', r: cls };
    const v = this.charEscape();
    if (v === undefined) this.fail(`unsupported escape \\${c}`);
    return this.lit(v, flags);
  }

  klass(flags: Flags): RegexNode {
    const neg = this.peek() === '^';
    if (neg) this.pos++;
    const pairs: number[] = [];
    let first = true;
    while (this.pos < this.s.length && (first || this.peek() !== ']')) {
      first = false;
      const posix = /^\[:(\^?)([a-z]+):\]/.exec(this.s.slice(this.pos, this.pos + 12).map(ch).join(''));
      if (posix) {
        const base = POSIX[posix[2]];
        if (!base) this.fail(`unknown class [:${posix[2]}:]`);
        const r = flags.i ? fold(base) : base;
        pairs.push(...(posix[1] ? negate(r) : r));
        this.pos += posix[0].length;
        continue;
      }
      let escaped = false;
      if (this.peek() === '\\') {
        this.pos++;
        escaped = true;
        const cls = this.perlClass(flags);
        if (cls) { pairs.push(...cls); continue; }
      }
      const lo = this.classChar(escaped);
      let hi = lo;
      if (this.peek() === '-' && this.peek(1) !== ']' && this.pos + 1 < this.s.length) {
        this.pos++;
        const esc = this.peek() === '\\';
        if (esc) this.pos++;
        hi = this.classChar(esc);
        if (hi < lo) this.fail('invalid character class range');
      }
      pairs.push(lo, hi);
    }
    if (this.peek() !== ']') this.fail('missing closing ]');
    this.pos++;
    let r = normalize(pairs);
    if (flags.i) r = fold(r);
    return { k: 'set', r: neg ? negate(r) : r };
  }

  /** A class member; `escaped`: the position is after its '\'. */
  classChar(escaped: boolean): number {
    if (escaped) {
      const v = this.charEscape();
      if (v === undefined) this.fail(`unsupported escape \\${this.peek()} in a character class`);
      return v;
    }
    return this.s[this.pos++];
  }
}
