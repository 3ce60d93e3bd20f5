// Issue #13.2: user regular expressions (q ~= / !~=, idPattern) run in linear time (RE2 syntax,
// re2js in process, an exact translation on PostgreSQL), so a pathological pattern neither stalls
// the event loop nor answers differently per engine. Runs on SQLite, and on PostgreSQL with
// TEST_ENGINE=postgres (node scripts/run-tests.mjs --engine=postgres adversarial).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RE2JS } from 're2js';
import { JSON_HEADERS, TEST_ENGINE, testApp, type TestApp } from '../support/app.ts';
import { parseQ } from '../../src/ngsi-ld/query/q.parser.ts';
import { expandQ } from '../../src/ngsi-ld/entities/entities.query.ts';
import { evaluateQ } from '../../src/ngsi-ld/subscriptions/q.evaluate.ts';
import type { Terms } from '../../src/ngsi-ld/context/term-map.ts';
import type { EntityRecord } from '../../src/storage/port.ts';

const ETSI = 'https://uri.etsi.org/ngsi-ld/errors/';
const V = 'https://uri.etsi.org/ngsi-ld/default-context/';
const EVIL = '(.|.)*Q'; // exponential for a backtracking engine: seconds at 28 characters, minutes at 36 (issue #13)

/** Runs fn and returns its result with the longest event-loop stall seen meanwhile (ms). */
async function stallOf<T>(fn: () => Promise<T>): Promise<{ result: T; stallMs: number; ms: number }> {
  // The longest gap between ticks of a 10 ms timer, up to a last tick after fn: a blocked loop shows as a gap.
  let last = performance.now();
  let stallMs = 0;
  const tick = () => { const now = performance.now(); stallMs = Math.max(stallMs, now - last); last = now; };
  const timer = setInterval(tick, 10);
  const t0 = performance.now();
  const result = await fn();
  const ms = performance.now() - t0;
  await new Promise((resolve) => setTimeout(resolve, 15));
  tick();
  clearInterval(timer);
  return { result, stallMs, ms };
}

/** q with the pattern as a quoted string (only \ and " need escaping there). */
const qs = (attr: string, op: string, pattern: string) => encodeURIComponent(`${attr}${op}"${pattern.replace(/["\\]/g, '\\$&')}"`);

// Names chosen to tell the dialects apart: case folding beyond ASCII, newlines and '.', \w and \d
// being ASCII-only in RE2, code points outside the BMP, word boundaries.
const NAMES = [
  'Bahnhofstraße', 'BAHNHOFSTRASSE', 'Straße 12', 'line1\nline2', 'Über', 'über', 'ok-42', '😀x',
  'Kelvin', 'ſtadt', 'a_b', 'x'.repeat(28), 'x'.repeat(28) + 'Q', 'Dorf[1]', 'Ünïcödé 3', 'tab\there',
];
const PATTERNS = [
  '^B', '(?i)^b', '(?i)straße', '(?i)STADT', '\\d+$', '^[A-Z]+$', '[[:digit:]]', '^\\w+$', '\\bline2', '(?m)^line2$',
  '^line1$', 'line1.line2', '(?s)line1.line2', '^[^a-z]', '^.{2}$', '(?i)ÜBER', '^Ü', 'x{2,3}Q', 'a(?i:_B)', '\\x{1F600}',
  '\\[1\\]$', '[\\s]', '\\S+ \\d', '^(?:ok|Dorf)\\b', 'ß|ss', '(?i)k', '\\Bx$', '\\t', '^$|^a', '[a-c]{1,2}_', EVIL,
];
const idOf = (i: number) => `urn:ngsi-ld:Street:s${i}`;

describe(`regular expressions in linear time, one syntax on every engine (#13.2, ${TEST_ENGINE})`, () => {
  let t: TestApp;
  before(async () => {
    t = await testApp({ DREHSCHEIBE_MAX_REGEX_LENGTH: '64' });
    const r = await t.app.inject({ method: 'POST', url: '/ngsi-ld/v1/entityOperations/create', headers: JSON_HEADERS, payload: NAMES.map((name, i) => ({ id: idOf(i), type: 'Street', name: { type: 'Property', value: name } })) });
    assert.equal(r.statusCode, 201, r.body);
  });
  after(() => t.close());

  const query = async (params: string): Promise<string[]> => {
    const r = await t.app.inject({ method: 'GET', url: `/ngsi-ld/v1/entities?type=Street&limit=1000&${params}` });
    assert.equal(r.statusCode, 200, `${params}: ${r.body}`);
    return (r.json() as Array<{ id: string }>).map((e) => e.id).sort();
  };

  test('[4.9] q=name~=(.|.)*Q over a 28-character value answers at once, without blocking the event loop', async () => {
    const { result, stallMs, ms } = await stallOf(() => query(`q=${qs('name', '~=', EVIL)}`));
    assert.deepEqual(result, [idOf(NAMES.indexOf('x'.repeat(28) + 'Q'))]);
    assert.ok(ms < 2000, `the query took ${ms.toFixed(0)} ms`);
    assert.ok(stallMs < 1000, `the event loop stalled for ${stallMs.toFixed(0)} ms`);
  });

  test('[5.8.1] a subscription with a pathological q does not stall the PATCH that it is evaluated on', async () => {
    const s = await t.app.inject({ method: 'POST', url: '/ngsi-ld/v1/subscriptions', headers: JSON_HEADERS, payload: {
      type: 'Subscription', entities: [{ type: 'Street' }], q: `name~=${EVIL}`, notification: { endpoint: { uri: 'http://127.0.0.1:9/never' } },
    } });
    assert.equal(s.statusCode, 201, s.body);
    const id = idOf(NAMES.indexOf('x'.repeat(28)));
    // The matcher may run after the answer: the window includes a moment after it and a second request.
    const { result, stallMs, ms } = await stallOf(async () => {
      const r = await t.app.inject({ method: 'PATCH', url: `/ngsi-ld/v1/entities/${id}/attrs`, headers: JSON_HEADERS, payload: { name: { type: 'Property', value: 'y'.repeat(28) } } });
      await new Promise((resolve) => setTimeout(resolve, 100));
      await t.app.inject({ method: 'GET', url: `/ngsi-ld/v1/entities/${id}` });
      return r;
    });
    assert.equal(result.statusCode, 204, result.body);
    assert.ok(stallMs < 1000 && ms < 2000, `the event loop stalled for ${stallMs.toFixed(0)} ms (${ms.toFixed(0)} ms in all)`);
    const back = await t.app.inject({ method: 'PATCH', url: `/ngsi-ld/v1/entities/${id}/attrs`, headers: JSON_HEADERS, payload: { name: { type: 'Property', value: NAMES[NAMES.indexOf('x'.repeat(28))] } } });
    assert.equal(back.statusCode, 204);
    await t.app.inject({ method: 'DELETE', url: `/ngsi-ld/v1/subscriptions/${encodeURIComponent(s.headers.location!.split('/').pop()!)}` });
  });

  test('[4.9] q ~= and !~= select exactly what RE2 selects, on this engine and in the subscription matcher', async () => {
    const terms = { expandAttr: (a: string) => V + a } as unknown as Terms;
    const records: EntityRecord[] = NAMES.map((name, i) => ({ id: idOf(i), types: [V + 'Street'], createdAt: '', modifiedAt: '', attrs: { [V + 'name']: [{ type: 'Property', value: name, createdAt: '', modifiedAt: '' }] } }));
    let nonEmpty = 0;
    for (const p of PATTERNS) {
      const re = RE2JS.compile(p);
      const expected = NAMES.map((n, i) => (re.test(n) ? idOf(i) : undefined)).filter((x): x is string => x !== undefined).sort();
      const others = NAMES.map((_, i) => idOf(i)).filter((id) => !expected.includes(id)).sort();
      if (expected.length && others.length) nonEmpty++;
      assert.deepEqual(await query(`q=${qs('name', '~=', p)}`), expected, `name~=${p}`);
      assert.deepEqual(await query(`q=${qs('name', '!~=', p)}`), others, `name!~=${p}`);
      const q = expandQ(parseQ(`name~="${p.replace(/["\\]/g, '\\$&')}"`), terms);
      assert.deepEqual(records.filter((r) => evaluateQ(q, r)).map((r) => r.id).sort(), expected, `subscription matcher: name~=${p}`);
    }
    assert.ok(nonEmpty >= PATTERNS.length - 4, 'the patterns tell matching from non-matching names');
  });

  test('[4.9] a few answers spelled out: (?i), character classes, anchors', async () => {
    const ids = (...names: string[]) => names.map((n) => idOf(NAMES.indexOf(n))).sort();
    assert.deepEqual(await query(`q=${qs('name', '~=', '(?i)^bahnhof')}`), ids('Bahnhofstraße', 'BAHNHOFSTRASSE'));
    assert.deepEqual(await query(`q=${qs('name', '~=', '(?i)^über$')}`), ids('Über', 'über'));
    assert.deepEqual(await query(`q=${qs('name', '~=', '^\\w+$')}`), ids('BAHNHOFSTRASSE', 'Kelvin', 'a_b', 'x'.repeat(28), 'x'.repeat(28) + 'Q'));
    assert.deepEqual(await query(`q=${qs('name', '~=', '^line1$')}`), []);
    assert.deepEqual(await query(`q=${qs('name', '~=', '(?m)^line1$')}`), ids('line1\nline2'));
  });

  test('[4.9] idPattern selects what RE2 selects, in queries and in the temporal API', async () => {
    for (const p of ['s1[0-5]$', '(?i)STREET:S[2-4]$', '^urn:ngsi-ld:Street:s\\d$', 's(1|2)\\b', EVIL]) {
      const re = RE2JS.compile(p);
      const expected = NAMES.map((_, i) => idOf(i)).filter((id) => re.test(id)).sort();
      assert.deepEqual(await query(`idPattern=${encodeURIComponent(p)}`), expected, `idPattern=${p}`);
      const r = await t.app.inject({ method: 'GET', url: `/ngsi-ld/v1/temporal/entities?type=Street&limit=1000&idPattern=${encodeURIComponent(p)}` });
      assert.equal(r.statusCode, 200, r.body);
      assert.deepEqual((r.json() as Array<{ id: string }>).map((e) => e.id).sort(), expected, `temporal idPattern=${p}`);
    }
  });

  test('[4.9] constructs outside the RE2 syntax answer 400 BadRequestData naming the construct', async () => {
    const cases: Array<[string, RegExp]> = [
      [`q=${qs('name', '~=', '(a)\\1')}`, /backreferences \(\\1\)/],
      [`q=${qs('name', '~=', 'x(?=y)')}`, /lookahead/],
      [`q=${qs('name', '~=', '(?<!a)b')}`, /lookbehind/],
      [`q=${qs('name', '~=', '\\p{L}+')}`, /Unicode classes/],
      [`q=${qs('name', '~=', 'a{300}')}`, /repetition count \{300\} is above 255/],
      [`idPattern=${encodeURIComponent('(?<n>s)\\k<n>')}`, /backreferences/],
      [`q=${qs('name', '~=', 'x'.repeat(65))}`, /longer than 64 characters \(DREHSCHEIBE_MAX_REGEX_LENGTH\)/],
      [`idPattern=${'x'.repeat(65)}`, /longer than 64 characters/],
    ];
    for (const [params, detail] of cases) {
      const r = await t.app.inject({ method: 'GET', url: `/ngsi-ld/v1/entities?type=Street&${params}` });
      assert.equal(r.statusCode, 400, `${params}: ${r.body}`);
      assert.equal(r.json().type, ETSI + 'BadRequestData', r.body);
      assert.match(r.json().detail, detail, params);
    }
    const sub = await t.app.inject({ method: 'POST', url: '/ngsi-ld/v1/subscriptions', headers: JSON_HEADERS, payload: {
      type: 'Subscription', entities: [{ idPattern: '(?=x)', type: 'Street' }], notification: { endpoint: { uri: 'http://127.0.0.1:9/never' } },
    } });
    assert.equal(sub.statusCode, 400, sub.body);
    assert.match(sub.json().detail, /lookahead/);
  });
});
