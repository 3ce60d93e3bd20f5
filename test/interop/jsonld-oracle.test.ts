// JSON-LD round trip against the jsonld library as oracle: every Smart Data Models example
// (test/fixtures/smart-data-models, CC BY 4.0 / Apache-2.0, see each SOURCE.txt) is stored with
// its domain @context and read back; both documents must expand to the same RDF-level JSON-LD.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { testApp, type TestApp, CORE } from '../support/app.ts';
import { shippedDocuments } from '../../src/ngsi-ld/context/test-support.ts';

const DIR = 'test/fixtures/smart-data-models';
const summary = JSON.parse(readFileSync(join(DIR, 'summary.json'), 'utf8')) as Record<string, { context: string[] }>;
const models = readdirSync(DIR).filter((d) => statSync(join(DIR, d)).isDirectory());

type Loader = (url: string) => Promise<{ contextUrl?: string; document: unknown; documentUrl: string }>;

/** DateTimes are stored normalised (ISO 8601 with milliseconds, UTC); compare instants, not spellings. */
function normaliseTimes(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(normaliseTimes);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normaliseTimes(x)]));
  if (typeof v === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/.test(v)) return new Date(v).toISOString();
  return v;
}

describe('JSON-LD round trip of Smart Data Models examples (jsonld oracle)', () => {
  let t: TestApp;
  let expand: (doc: unknown) => Promise<unknown>;
  before(async () => {
    t = await testApp();
    const docs = shippedDocuments();
    const jsonld = (await import('jsonld')).default as unknown as { expand(input: unknown, opts: { documentLoader: Loader }): Promise<unknown> };
    const documentLoader: Loader = async (url) => {
      const document = docs.get(url);
      if (document === undefined) throw new Error(`no network in tests: ${url}`);
      return { document: structuredClone(document), documentUrl: url };
    };
    expand = (doc) => jsonld.expand(doc, { documentLoader });
  });
  after(async () => { await t.close(); });

  // Upstream examples that are not valid NGSI-LD, and why the broker refuses them.
  const INVALID: Record<string, RegExp> = {
    AccessPoint: /id must be a URI/, // "id": "ap_542"
    PhotovoltaicDevice: /Relationship needs its object/, // a Relationship with "value"
    PhotovoltaicMeasurement: /Relationship needs its object/,
    SolarEnergy: /Point coordinates must be a position/, // a Point with [[lon, lat]]
    WifiPointOfInterest: /id must be a URI/, // "id": "poi_226"
  };
  // A context that JSON-LD 1.1 processors reject ("open311:type" without an open311 prefix): the
  // broker accepts it, so it can only be checked without the oracle.
  const NO_ORACLE = new Set(['IssueReporting']);

  for (const model of models) {
    test(`[4.4, 5.5.7] ${model}: stored and retrieved representations expand identically`, async () => {
      const example = JSON.parse(readFileSync(join(DIR, model, 'example-normalized.jsonld'), 'utf8')) as Record<string, unknown>;
      const own = (summary[model]?.context ?? []).filter((u) => !u.startsWith('https://uri.etsi.org/'));
      const body = { ...example, '@context': [...own, CORE] };
      const r = await t.app.inject({ method: 'POST', url: '/ngsi-ld/v1/entities', headers: { 'content-type': 'application/ld+json' }, payload: body });
      if (INVALID[model]) {
        assert.equal(r.statusCode, 400, r.body);
        assert.match(r.json().detail, INVALID[model]);
        return;
      }
      assert.equal(r.statusCode, 201, r.body);
      const g = await t.app.inject({
        method: 'GET', url: `/ngsi-ld/v1/entities/${encodeURIComponent(String(example.id))}`,
        headers: { accept: 'application/ld+json', ...(own[0] ? { link: `<${own[0]}>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"` } : {}) },
      });
      assert.equal(g.statusCode, 200, g.body);
      const got = g.json();
      assert.deepEqual(got['@context'], own[0] ? [own[0], CORE] : CORE, 'the response @context names the core @context too');
      if (NO_ORACLE.has(model)) {
        assert.equal(got.id, example.id);
        assert.deepEqual(Object.keys(got).sort(), Object.keys(body).sort());
        return;
      }
      assert.deepEqual(normaliseTimes(await expand(got)), normaliseTimes(await expand(body)));
    });
  }
});
