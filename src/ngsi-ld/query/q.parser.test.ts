// Unit tests of the q parser (GS CIM 009 v1.8 clause 4.9): operators, literals, paths, grouping, errors, limits.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidRequest, TooComplexQuery } from '../../core/errors.ts';
import type { AttrPath, QLiteral, QNode } from '../../storage/query-ast.ts';
import { parseQ } from './q.parser.ts';

const P = (attr: string, sub: string[] = [], compound: string[] = []): AttrPath => ({ attr, sub, compound });
const ex = (attr: string): QNode => ({ kind: 'exists', path: P(attr) });
const num = (v: number): QLiteral => ({ t: 'number', v });
const str = (v: string): QLiteral => ({ t: 'string', v });
/** The value of a single comparison term. */
const valueOf = (q: string) => {
  const n = parseQ(q);
  assert.equal(n.kind, 'cmp');
  return (n as Extract<QNode, { kind: 'cmp' }>).value;
};

/** Asserts InvalidRequest whose message names the given 1-based position (and matches `re` if given). */
function invalid(q: string, pos: number, re?: RegExp, opts?: Parameters<typeof parseQ>[1]) {
  assert.throws(
    () => parseQ(q, opts),
    (e: unknown) => {
      assert.ok(e instanceof InvalidRequest, `expected InvalidRequest for ${JSON.stringify(q)}, got ${String(e)}`);
      assert.match(e.message, new RegExp(`^Invalid q at position ${pos}\\b`), e.message);
      if (re) assert.match(e.message, re);
      return true;
    },
  );
}

describe('parseQ: operators [4.9]', () => {
  for (const op of ['==', '!=', '>', '>=', '<', '<='] as const) {
    test(`[4.9] comparison operator ${op}`, () => {
      assert.deepEqual(parseQ(`temperature${op}20`), { kind: 'cmp', path: P('temperature'), op, value: num(20) });
    });
  }
  test('[4.9] ~= is a pattern match', () => {
    assert.deepEqual(parseQ('name~=^Bar'), { kind: 'pattern', path: P('name'), negated: false, pattern: '^Bar', flags: '' });
  });
  test('[4.9] !~= is a negated pattern match', () => {
    assert.deepEqual(parseQ('name!~=^Bar'), { kind: 'pattern', path: P('name'), negated: true, pattern: '^Bar', flags: '' });
  });
  test('[4.9] an attribute alone tests existence', () => {
    assert.deepEqual(parseQ('temperature'), ex('temperature'));
  });
  test('[4.9] >= is not read as > followed by =', () => {
    assert.deepEqual(parseQ('a>=-1'), { kind: 'cmp', path: P('a'), op: '>=', value: num(-1) });
  });
});

describe('parseQ: literals [4.9]', () => {
  test('[4.9] integers, decimals, negatives and exponents are numbers', () => {
    assert.deepEqual(valueOf('a==42'), num(42));
    assert.deepEqual(valueOf('a==3.25'), num(3.25));
    assert.deepEqual(valueOf('a==-7'), num(-7));
    assert.deepEqual(valueOf('a==-1.5e3'), num(-1500));
    assert.deepEqual(valueOf('a==2E-2'), num(0.02));
  });
  test('[4.9] double-quoted strings unescape \\" and \\\\', () => {
    assert.deepEqual(valueOf('a=="Main St"'), str('Main St'));
    assert.deepEqual(valueOf('a=="say \\"hi\\""'), str('say "hi"'));
    assert.deepEqual(valueOf('a=="back\\\\slash"'), str('back\\slash'));
    assert.deepEqual(valueOf('a==""'), str(''));
  });
  test('[4.9] strings keep separators and parentheses literally', () => {
    assert.deepEqual(valueOf('a=="x;y|z(1)..,"'), str('x;y|z(1)..,'));
  });
  test('[4.9] true and false are booleans', () => {
    assert.deepEqual(valueOf('a==true'), { t: 'boolean', v: true });
    assert.deepEqual(valueOf('a!=false'), { t: 'boolean', v: false });
  });
  test('[4.9] DateTime with Z, fractional seconds or offset', () => {
    assert.deepEqual(valueOf('a>2026-01-01T10:00:00Z'), { t: 'datetime', v: '2026-01-01T10:00:00Z' });
    assert.deepEqual(valueOf('a>2026-01-01T10:00:00.123Z'), { t: 'datetime', v: '2026-01-01T10:00:00.123Z' });
    assert.deepEqual(valueOf('a>2026-01-01T10:00:00+01:00'), { t: 'datetime', v: '2026-01-01T10:00:00+01:00' });
    assert.deepEqual(valueOf('a>2026-01-01T10:00:00-05:30'), { t: 'datetime', v: '2026-01-01T10:00:00-05:30' });
  });
  test('[4.9] Date and Time literals', () => {
    assert.deepEqual(valueOf('a<2026-01-01'), { t: 'date', v: '2026-01-01' });
    assert.deepEqual(valueOf('a<10:00:00Z'), { t: 'time', v: '10:00:00Z' });
    assert.deepEqual(valueOf('a<10:00:00'), { t: 'time', v: '10:00:00' });
  });
  test('[4.9] an unquoted scheme:rest value is a URI', () => {
    assert.deepEqual(valueOf('refBuilding==urn:ngsi-ld:Building:1'), { t: 'uri', v: 'urn:ngsi-ld:Building:1' });
    assert.deepEqual(valueOf('a==https://example.org/x?y=1'), { t: 'uri', v: 'https://example.org/x?y=1' });
  });
});

describe('parseQ: ranges and lists [4.9]', () => {
  test('[4.9] numeric range a..b', () => {
    assert.deepEqual(valueOf('a==1..5'), { t: 'range', from: num(1), to: num(5) });
    assert.deepEqual(valueOf('a!=-2.5..2.5'), { t: 'range', from: num(-2.5), to: num(2.5) });
  });
  test('[4.9] date, date-time and string ranges', () => {
    assert.deepEqual(valueOf('a==2026-01-01..2026-02-01'), { t: 'range', from: { t: 'date', v: '2026-01-01' }, to: { t: 'date', v: '2026-02-01' } });
    assert.deepEqual(valueOf('a==2026-01-01T00:00:00Z..2026-01-02T00:00:00.5Z'), {
      t: 'range',
      from: { t: 'datetime', v: '2026-01-01T00:00:00Z' },
      to: { t: 'datetime', v: '2026-01-02T00:00:00.5Z' },
    });
    assert.deepEqual(valueOf('a=="a".."m"'), { t: 'range', from: str('a'), to: str('m') });
  });
  test('[4.9] lists of numbers, strings and URIs', () => {
    assert.deepEqual(valueOf('a==1,2,3'), { t: 'list', items: [num(1), num(2), num(3)] });
    assert.deepEqual(valueOf('a!="x","y"'), { t: 'list', items: [str('x'), str('y')] });
    assert.deepEqual(valueOf('a==urn:a:1,urn:a:2'), { t: 'list', items: [{ t: 'uri', v: 'urn:a:1' }, { t: 'uri', v: 'urn:a:2' }] });
  });
  test('[4.9] ranges and lists are only allowed with == and !=', () => {
    invalid('a>1..5', 4, /only allowed with == or !=/);
    invalid('a<=1,2', 5, /only allowed with == or !=/);
  });
  test('[4.9] range ends must be of one comparable kind', () => {
    invalid('a==1..2026-01-01', 4, /same kind/);
    invalid('a==true..false', 4, /range ends must be/);
  });
  test('[4.9] a range has two ends and does not mix with lists', () => {
    invalid('a==1..2..3', 8, /exactly two ends/);
    invalid('a==1,2..3', 7, /cannot contain ranges/);
  });
});

describe('parseQ: attribute paths [4.9]', () => {
  test('[4.9] dots separate sub-attribute names', () => {
    assert.deepEqual(parseQ('temperature.observedAt'), { kind: 'exists', path: P('temperature', ['observedAt']) });
    assert.deepEqual(parseQ('a.b.c==1'), { kind: 'cmp', path: P('a', ['b', 'c']), op: '==', value: num(1) });
  });
  test('[4.9] brackets give a compound path, dotted or nested', () => {
    assert.deepEqual(parseQ('address[city]=="Berlin"').kind, 'cmp');
    assert.deepEqual((parseQ('address[city.district]') as { path: AttrPath }).path, P('address', [], ['city', 'district']));
    assert.deepEqual((parseQ('a[b][c]') as { path: AttrPath }).path, P('a', [], ['b', 'c']));
    assert.deepEqual((parseQ('name[de]~=^Haus') as { path: AttrPath }).path, P('name', [], ['de']));
  });
  test('[4.9] sub-attributes and compound path combine', () => {
    assert.deepEqual((parseQ('a.b[c]>1') as { path: AttrPath }).path, P('a', ['b'], ['c']));
    assert.deepEqual((parseQ('a.b[c.d][e]') as { path: AttrPath }).path, P('a', ['b'], ['c', 'd', 'e']));
  });
  test('[4.9] absolute IRI names are not split on dots', () => {
    assert.deepEqual(parseQ('https://uri.etsi.org/ngsi-ld/default-context/temperature>20'), {
      kind: 'cmp',
      path: P('https://uri.etsi.org/ngsi-ld/default-context/temperature'),
      op: '>',
      value: num(20),
    });
    assert.deepEqual((parseQ('https://example.org/ns#temp[x.y]') as { path: AttrPath }).path, P('https://example.org/ns#temp', [], ['x', 'y']));
  });
  test('[4.9] prefixed names and names with _ - @ # are accepted', () => {
    assert.deepEqual(parseQ('schema:name=="x"'), { kind: 'cmp', path: P('schema:name'), op: '==', value: str('x') });
    assert.deepEqual((parseQ('schema:address.observedAt') as { path: AttrPath }).path, P('schema:address', ['observedAt']));
    assert.deepEqual(parseQ('my_attr-2@x#y'), ex('my_attr-2@x#y'));
    assert.deepEqual(parseQ('Temperatür'), ex('Temperatür'));
  });
  test('[4.9] malformed paths are rejected with their position', () => {
    invalid('a..b==1', 3, /empty sub-attribute name/);
    invalid('.a', 1, /empty sub-attribute name/);
    invalid('a.==1', 3, /empty sub-attribute name/);
    invalid('a[]==1', 3, /empty compound path/);
    invalid('a[b==1', 4, /expected '\]'/);
    invalid('a[b].c', 5, /must come before the compound path/);
    invalid('a[b c]', 4, /expected '\]'/);
  });
});

describe('parseQ: boolean structure [4.9]', () => {
  test('[4.9] ; is AND', () => {
    assert.deepEqual(parseQ('a;b'), { kind: 'and', items: [ex('a'), ex('b')] });
  });
  test('[4.9] | is OR', () => {
    assert.deepEqual(parseQ('a|b'), { kind: 'or', items: [ex('a'), ex('b')] });
  });
  test('[4.9] ; binds tighter than |', () => {
    assert.deepEqual(parseQ('a;b|c;d'), {
      kind: 'or',
      items: [{ kind: 'and', items: [ex('a'), ex('b')] }, { kind: 'and', items: [ex('c'), ex('d')] }],
    });
    assert.deepEqual(parseQ('a|b;c'), { kind: 'or', items: [ex('a'), { kind: 'and', items: [ex('b'), ex('c')] }] });
  });
  test('[4.9] parentheses override precedence', () => {
    assert.deepEqual(parseQ('(a|b);c'), { kind: 'and', items: [{ kind: 'or', items: [ex('a'), ex('b')] }, ex('c')] });
  });
  test('[4.9] nested groups of the same kind are flattened', () => {
    assert.deepEqual(parseQ('(a;b);(c;(d))'), { kind: 'and', items: [ex('a'), ex('b'), ex('c'), ex('d')] });
    assert.deepEqual(parseQ('a|(b|(c|d))'), { kind: 'or', items: [ex('a'), ex('b'), ex('c'), ex('d')] });
  });
  test('[4.9] a single term, even in parentheses, is returned unwrapped', () => {
    assert.deepEqual(parseQ('(((a)))'), ex('a'));
  });
  test('[4.9] whitespace around operators, terms and parentheses is ignored', () => {
    assert.deepEqual(parseQ('  ( a == 1 ; b >= "x" ) |  c  '), parseQ('(a==1;b>="x")|c'));
    assert.deepEqual(valueOf('a == 1 .. 5'), { t: 'range', from: num(1), to: num(5) });
    assert.deepEqual(valueOf('a == 1 , 2'), { t: 'list', items: [num(1), num(2)] });
    assert.deepEqual(parseQ('\ta\n;\r\nb'), { kind: 'and', items: [ex('a'), ex('b')] });
  });
  test('[4.9] unbalanced or empty groups are rejected', () => {
    invalid('(a;b', 1, /never closed/);
    invalid('a;b)', 4, /no matching/);
    invalid('()', 2, /empty parentheses/);
    invalid('a;;b', 3, /expected an attribute name/);
    invalid('a;', 3, /after ';'/);
    invalid('|a', 1, /expected an attribute name/);
    invalid('(a)b', 4, /expected ';', '\|' or '\)' after "\)"/);
  });
});

describe('parseQ: patterns [4.9]', () => {
  const pat = (q: string) => parseQ(q) as Extract<QNode, { kind: 'pattern' }>;
  test('[4.9] raw pattern keeps balanced parentheses and inner |', () => {
    assert.equal(pat('name~=^(foo|bar)+$').pattern, '^(foo|bar)+$');
  });
  test('[4.9] raw pattern ends at a top-level ; or |', () => {
    assert.deepEqual(parseQ('name~=^a.*;b==1'), {
      kind: 'and',
      items: [{ kind: 'pattern', path: P('name'), negated: false, pattern: '^a.*', flags: '' }, { kind: 'cmp', path: P('b'), op: '==', value: num(1) }],
    });
    assert.equal((parseQ('name~=x|y') as { items: QNode[] }).items.length, 2);
  });
  test('[4.9] raw pattern inside a group ends at the closing )', () => {
    assert.deepEqual(parseQ('(name~=^(a|b)$);c'), {
      kind: 'and',
      items: [{ kind: 'pattern', path: P('name'), negated: false, pattern: '^(a|b)$', flags: '' }, ex('c')],
    });
  });
  test('[4.9] character classes and escapes may contain ; ) |', () => {
    assert.equal(pat('a~=[;)|]+x').pattern, '[;)|]+x');
    assert.equal(pat('a~=\\)\\;x').pattern, '\\)\\;x');
    assert.equal(pat('a~=[]a]').pattern, '[]a]');
  });
  test('[4.9] a leading (?i) becomes flag i', () => {
    assert.deepEqual(pat('name~=(?i)^bar'), { kind: 'pattern', path: P('name'), negated: false, pattern: '^bar', flags: 'i' });
    assert.deepEqual(pat('name!~="(?i)ba\\"r"'), { kind: 'pattern', path: P('name'), negated: true, pattern: 'ba"r', flags: 'i' });
  });
  test('[4.9] quoted patterns keep unknown escapes for the regex engine', () => {
    assert.equal(pat('a~="^\\d+;x$"').pattern, '^\\d+;x$');
  });
  test('[4.9] surrounding whitespace of a raw pattern is trimmed', () => {
    assert.equal(pat('( a ~= ^x y  ) ').pattern, '^x y');
  });
  test('[4.9] invalid patterns are rejected', () => {
    invalid('a~=', 4, /expected a regular expression/);
    invalid('a~=(?i)', 4, /expected a regular expression/);
    invalid('a~=(abc', 4, /never closed/);
    invalid('a~=[abc', 8, /never closed/);
    invalid('a~=x{2,1}', 4, /invalid regular expression "x\{2,1\}": invalid repeat count/);
    invalid('a~="x"y', 7, /after the quoted pattern/);
  });
});

describe('parseQ: errors name the position [4.9]', () => {
  test('[4.9] a single = explains that == is needed', () => {
    invalid('temperature=20', 12, /'=' is not an operator; use '=='.*\("temperature=20"\)/);
  });
  test('[4.9] unknown operator after an attribute', () => {
    invalid('temperature 20', 13, /expected an operator .* after "temperature"/);
    invalid('a=>1', 2, /'=' is not an operator/);
    invalid('a!1', 2, /expected an operator/);
  });
  test('[4.9] missing or unknown values', () => {
    invalid('a==', 4, /expected a value after '=='.*end/);
    invalid('a==;b', 4, /expected a value/);
    invalid('a==1,', 6, /expected a value/);
    invalid('a==Berlin', 4, /put text in double quotes, e\.g\. "Berlin"/);
    invalid('a==null', 4, /not a number/);
    invalid('a==(1)', 4, /expected a value/);
  });
  test('[4.9] unterminated strings point at the opening quote', () => {
    invalid('a==1;b=="abc', 9, /never closed/);
    invalid('a=="abc\\"', 4, /never closed/);
  });
  test('[4.9] invalid dates and times', () => {
    invalid('a>2026-13-01', 3, /not a valid calendar date/);
    invalid('a>2026-02-30T00:00:00Z', 3, /not a valid calendar date/);
    invalid('a>2026-01-01T25:00:00Z', 3, /not a valid time/);
    invalid('a>10:61:00', 3, /not a valid time/);
    invalid('a>2026-01-01T10:00', 3, /not a valid date, time or date-time/);
  });
  test('[4.9] an unencoded + in an offset gets a hint', () => {
    invalid('a>2026-01-01T10:00:00 01:00', 23, /%2B/);
  });
  test('[4.9] text after a value', () => {
    invalid('a=="x" "y"', 8, /expected ';', '\|' or '\)' after the value/);
    invalid('a==1 2', 6, /double quotes/);
  });
  test('[4.9] bad characters in names', () => {
    invalid('a$b', 2, /expected an operator/);
    invalid('$a', 1, /expected an attribute name/);
    invalid('a==1;"b"', 6, /expected an attribute name/);
  });
  test('[4.9] empty input', () => {
    invalid('', 1, /q is empty/);
    invalid('   ', 1, /q is empty/);
  });
  test('[4.9] excerpts are shortened around the position', () => {
    const long = 'abcdefghij'.repeat(10);
    assert.throws(() => parseQ(`${long}=1;${long}`), (e: Error) => /\(…"[a-j]{20}=1;[a-j]{17}"…\)$/.test(e.message));
  });
});

describe('parseQ: limits [4.9, 5.5.2 TooComplexQuery]', () => {
  const tooComplex = (f: () => unknown, re: RegExp) =>
    assert.throws(f, (e: unknown) => e instanceof TooComplexQuery && re.test((e as Error).message));
  test('[4.9] input longer than maxLength (default 4096) is TooComplexQuery', () => {
    tooComplex(() => parseQ('a'.repeat(4097)), /4097 characters exceed the limit of 4096/);
    assert.doesNotThrow(() => parseQ('a'.repeat(4096)));
    tooComplex(() => parseQ('abc==1', { maxLength: 5 }), /limit of 5/);
  });
  test('[4.9] parentheses deeper than maxDepth (default 16) are TooComplexQuery', () => {
    assert.deepEqual(parseQ('('.repeat(16) + 'a' + ')'.repeat(16)), ex('a'));
    tooComplex(() => parseQ('('.repeat(17) + 'a' + ')'.repeat(17)), /deeper than 16 levels/);
    tooComplex(() => parseQ('((a))', { maxDepth: 1 }), /deeper than 1 levels/);
  });
  test('[4.9] more than maxTerms (default 100) terms is TooComplexQuery', () => {
    assert.equal((parseQ(Array(100).fill('a').join(';')) as { items: QNode[] }).items.length, 100);
    tooComplex(() => parseQ(Array(101).fill('a').join(';')), /more than 100 terms/);
    tooComplex(() => parseQ('a|b|c', { maxTerms: 2 }), /more than 2 terms/);
  });
  test('[4.9] very deep nesting with raised limits does not overflow the stack', () => {
    const depth = 200_000;
    const q = '('.repeat(depth) + 'a==1' + ')'.repeat(depth);
    assert.equal(parseQ(q, { maxLength: q.length, maxDepth: depth }).kind, 'cmp');
    tooComplex(() => parseQ(q, { maxLength: q.length }), /deeper than 16/);
  });
});

describe('parseQ: robustness [4.9]', () => {
  // Deterministic PRNG so that a failure can be reproduced.
  function rng(seed: number) {
    return () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  const CHARS = 'ab.[]()";|=!<>~,0123456789-:/#@ TZe\\?i+^$*\t';
  const TOKENS = ['a', 'b.c', 'x[y]', 'x[y.z]', 'https://e.org/a.b', '==', '!=', '>', '>=', '<', '<=', '~=', '!~=', '1', '-2.5e3', '"s"', '"a\\"b"',
    'true', '2026-01-01', '2026-01-01T10:00:00Z', '10:00:00', 'urn:x:1', '..', ',', '(', ')', ';', '|', '(?i)', '[', ']', '\\', ' ', '"', '='];

  test('[4.9] 5000 random inputs either parse or throw InvalidRequest/TooComplexQuery', () => {
    const r = rng(20260101);
    for (let k = 0; k < 5000; k++) {
      let q = '';
      const len = Math.floor(r() * 30);
      for (let j = 0; j < len; j++) {
        q += k % 2 === 0 ? CHARS[Math.floor(r() * CHARS.length)] : TOKENS[Math.floor(r() * TOKENS.length)];
      }
      try {
        parseQ(q, { maxTerms: 8, maxDepth: 4 });
      } catch (e) {
        if (!(e instanceof InvalidRequest) && !(e instanceof TooComplexQuery)) {
          assert.fail(`input ${JSON.stringify(q)} threw ${String(e)}`);
        }
        if (e instanceof InvalidRequest) assert.match((e as Error).message, /position \d+/, JSON.stringify(q));
      }
    }
  });
});
