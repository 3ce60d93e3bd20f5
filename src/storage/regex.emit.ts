// Writes a parsed pattern (regex.syntax.ts) back as text for an engine: PostgreSQL's ARE dialect,
// or canonical RE2 (used by the tests to check the parser against RE2 itself). Every character is
// written as an explicit code-point set, so '.', \d, \w, (?i) and the anchors mean in PostgreSQL
// exactly what they mean in RE2, whatever the database's locale.
import { MAX_REPEAT, type RegexNode, type Ranges } from './regex.syntax.ts';

export type Dialect = 'postgres' | 're2';

const W = '[0-9A-Za-z_]';
const ASSERT: Record<Dialect, Record<string, string>> = {
  // ARE has lookbehind since PostgreSQL 9.6; '\b' there is a backspace, so word boundaries are spelled out.
  postgres: {
    bot: '^', eot: '$', bol: '(?:^|(?<=\\n))', eol: '(?:$|(?=\\n))',
    wb: `(?:(?<=${W})(?!${W})|(?<!${W})(?=${W}))`, nwb: `(?:(?<=${W})(?=${W})|(?<!${W})(?!${W}))`,
  },
  re2: { bot: '\\A', eot: '\\z', bol: '(?m:^)', eol: '(?m:$)', wb: '\\b', nwb: '\\B' },
};

function code(c: number, d: Dialect): string {
  if (d === 're2') return `\\x{${c.toString(16)}}`;
  return c <= 0xffff ? `\\u${c.toString(16).padStart(4, '0')}` : `\\U${c.toString(16).padStart(8, '0')}`;
}

function set(r: Ranges, d: Dialect): string {
  if (r.length === 0) return d === 'postgres' ? '[^\\u0001-\\U0010ffff]' : '[^\\x{0}-\\x{10ffff}]'; // matches nothing
  if (r.length === 2 && r[0] === r[1] && /[0-9A-Za-z]/.test(String.fromCharCode(r[0])) && r[0] < 0x80) return String.fromCharCode(r[0]);
  let out = '[';
  for (let i = 0; i < r.length; i += 2) {
    // PostgreSQL text holds no surrogates; keep them out of range ends.
    let lo = r[i], hi = r[i + 1];
    if (d === 'postgres') {
      if (lo >= 0xd800 && lo <= 0xdfff) lo = 0xe000;
      if (hi >= 0xd800 && hi <= 0xdfff) hi = 0xd7ff;
      if (lo > hi) continue;
    }
    out += lo === hi ? code(lo, d) : `${code(lo, d)}-${code(hi, d)}`;
  }
  return out === '[' ? set([], d) : `${out}]`;
}

function quant(min: number, max: number): string {
  if (min === 0 && max === -1) return '*';
  if (min === 1 && max === -1) return '+';
  if (min === 0 && max === 1) return '?';
  if (max === -1) return `{${min},}`;
  return min === max ? `{${min}}` : `{${min},${max}}`;
}

export function emitRegex(n: RegexNode, d: Dialect): string {
  switch (n.k) {
    case 'set': return set(n.r, d);
    case 'assert': return ASSERT[d][n.a];
    case 'cat': return n.items.map((i) => emitRegex(i, d)).join('');
    case 'alt': return `(?:${n.items.map((i) => emitRegex(i, d)).join('|')})`;
    case 'rep': {
      if (n.min > MAX_REPEAT || n.max > MAX_REPEAT) throw new Error('repetition count out of range');
      // An assertion repeated is the assertion (or nothing); ARE refuses a quantified anchor.
      if (n.sub.k === 'assert') return n.min === 0 ? '' : emitRegex(n.sub, d);
      const sub = emitRegex(n.sub, d);
      if (sub === '') return '';
      return `${n.sub.k === 'set' ? sub : `(?:${sub})`}${quant(n.min, n.max)}`;
    }
  }
}
