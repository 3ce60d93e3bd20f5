// The pattern parser checked against RE2 itself: a pattern and its re-emitted canonical form
// (explicit code-point sets, the tree PostgreSQL's translation is written from) match the same strings.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RE2JS } from 're2js';
import { parseRegex } from './regex.syntax.ts';
import { emitRegex } from './regex.emit.ts';
import { compileRegex, postgresRegex, UnsafeRegexError } from './regex.ts';

const canonical = (p: string) => RE2JS.compile(emitRegex(parseRegex(p), 're2'));

const ATOMS = ['a', 'B', 'k', 'ß', 'Ü', '.', '\\d', '\\W', '\\s', '[a-c]', '[^b]', '[[:upper:]]', '[[:^alpha:]]', '\\x{1F600}',
  '\\.', '\\n', '^', '$', '\\b', '\\B', '\\A', '\\z', '(?i:k)', '\\Qa.\\E', '[\\]x-]', '[\\d_]', '\\141', '\\x41'];
const pattern: fc.Arbitrary<string> = fc.letrec<{ re: string }>((tie) => ({
  re: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(...ATOMS),
    fc.tuple(tie('re'), tie('re')).map(([a, b]) => a + b),
    fc.tuple(tie('re'), tie('re')).map(([a, b]) => `(?:${a}|${b})`),
    fc.tuple(tie('re'), fc.constantFrom('*', '+', '?', '{2}', '{1,3}', '*?', '{0,}')).map(([a, q]) => `(${a})${q}`),
    fc.tuple(fc.constantFrom('(?i)', '(?m)', '(?s)', '(?i-s)', ''), tie('re')).map(([f, a]) => `(?:${f}${a})`),
  ),
})).re;
const subject = fc.array(fc.constantFrom('a', 'A', 'b', 'k', 'K', '\u212a', 'ß', 'ẞ', 'ü', 'Ü', '\n', ' ', '1', '_', '.', '😀', 'x', 'ſ', 's', 'S'), { maxLength: 8 }).map((a) => a.join(''));

describe('user regular expressions: one RE2 syntax (#13.2)', () => {
  test('a pattern and its canonical form (the tree behind the PostgreSQL translation) match the same strings', () => {
    fc.assert(fc.property(pattern, fc.array(subject, { minLength: 1, maxLength: 8 }), (p, subjects) => {
      const re = RE2JS.compile(p);
      const twin = canonical(p);
      const ours = compileRegex(p); // with its string-search fast path for plain text
      for (const s of subjects) {
        assert.equal(twin.test(s), re.test(s), `${JSON.stringify(p)} on ${JSON.stringify(s)}: ${emitRegex(parseRegex(p), 're2')}`);
        assert.equal(ours.test(s), re.test(s), `compileRegex(${JSON.stringify(p)}) on ${JSON.stringify(s)}`);
      }
    }), { numRuns: 400 });
  });

  test('plain text, anchored or not, is matched by string search with RE2\'s answers', () => {
    for (const [p, s, want] of [['Herne', 'Luft Herne 1', true], ['^urn:x:', 'urn:x:1', true], ['^urn:x:', 'a urn:x:1', false], ['-42$', 'ok-42', true], ['-42$', 'ok-42\n', false], ['^ab$', 'ab', true], ['^ab$', 'abc', false], ['\\.', 'a.b', true], ['a\\.b', 'axb', false], ['', 'x', true], ['^$', '', true], ['😀x', 'a😀x', true]] as const) {
      assert.equal(compileRegex(p).test(s), want, `${p} on ${JSON.stringify(s)}`);
      assert.equal(RE2JS.compile(p).test(s), want, `RE2: ${p} on ${JSON.stringify(s)}`);
    }
  });

  test('(?i) folds beyond ASCII as RE2 does (k, K, Kelvin sign; s, ſ; ß, ẞ), and not dotless i', () => {
    for (const [p, yes, no] of [['(?i)k', ['k', 'K', '\u212a'], ['x']], ['(?i)s', ['s', 'S', 'ſ'], ['ß']], ['(?i)ß', ['ß', 'ẞ'], ['ss']], ['(?i)i', ['i', 'I'], ['ı', 'İ']]] as const) {
      for (const s of yes) assert.ok(canonical(`^${p}$`).test(s) && RE2JS.compile(`^${p}$`).test(s), `${p} matches ${s}`);
      for (const s of no) assert.ok(!canonical(`^${p}$`).test(s) && !RE2JS.compile(`^${p}$`).test(s), `${p} does not match ${s}`);
    }
  });

  test('matching is linear: (.|.)*Q over 100,000 characters answers in well under a second', () => {
    const t0 = performance.now();
    assert.equal(compileRegex('(.|.)*Q').test('x'.repeat(100_000)), false);
    assert.equal(compileRegex('(a+)+$').test('a'.repeat(100_000) + '!'), false);
    assert.ok(performance.now() - t0 < 1000, `${performance.now() - t0} ms`);
  });

  test('the PostgreSQL translation spells out classes, so the locale cannot change \\w, \\d or "."', () => {
    assert.equal(postgresRegex('^a\\d$'), '^a[\\u0030-\\u0039]$');
    assert.equal(postgresRegex('(?i)k'), '[\\u004b\\u006b\\u212a]');
    assert.equal(postgresRegex('.'), '[\\u0000-\\u0009\\u000b-\\U0010ffff]');
  });

  test('constructs outside the syntax are refused naming the construct; syntax errors are told apart', () => {
    const refused = (p: string, re: RegExp, unsupported = true) => assert.throws(() => compileRegex(p), (e: unknown) => e instanceof UnsafeRegexError && re.test(e.message) && e.unsupported === unsupported);
    refused('(a)\\1', /backreferences \(\\1\)/);
    refused('(?P<x>a)(?P=x)', /backreferences/);
    refused('a(?=b)', /lookahead/);
    refused('(?<!a)b', /lookbehind/);
    refused('\\pL', /Unicode classes/);
    refused('a{256}', /above 255/);
    refused('x{2,1}', /invalid repeat count/, false);
    refused('[a', /missing closing \]/, false);
  });
});
