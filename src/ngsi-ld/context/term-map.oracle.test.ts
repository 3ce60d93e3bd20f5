// Oracle tests: the cached term map must expand and compact names exactly as a JSON-LD 1.1 processor (the
// jsonld library) does, for the core @context (annex B), Smart Data Models contexts and user contexts (5.5.7).
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { CORE_CONTEXT_URL, SMART_DATA_MODELS_CONTEXTS, coreContextValue, smartDataModelsContextUrl } from './builtin-contexts.ts';
import { ContextService } from './context.resolver.ts';
import type { TermMap } from './term-map.ts';
import { jsonldOracle, memoryFetch, shippedDocuments } from './test-support.ts';

const docs = shippedDocuments();
const ENV_URL = smartDataModelsContextUrl('dataModel.Environment');
const USER = {
  '@vocab': 'https://example.org/vocab/',
  schema: 'https://schema.org/',
  ex: 'http://example.com/ns#',
  name: 'schema:name',
  Vehicle: 'ex:Vehicle',
  brand: { '@id': 'schema:brand', '@type': '@id' },
  speed: { '@id': 'ex:speed', '@type': 'http://www.w3.org/2001/XMLSchema#double' },
  'schema:foo': 'https://schema.org/foo',
  alias: 'name',
  relative: 'ex:rel/',
  expandedNoPrefix: { '@id': 'http://example.com/np/' },
  explicitPrefix: { '@id': 'http://example.com/xp#', '@prefix': true },
  dropped: null,
};
const EXTRA_NAMES = ['temperature', 'ngsi-ld:foo', 'geojson:bar', 'schema:address', 'ex:thing', 'relative:x', 'explicitPrefix:y',
  'expandedNoPrefix:z', 'http://example.com/absolute', 'urn:ngsi-ld:Thing:1', 'location', 'observedAt', 'unknownThing'];

let oracle: Awaited<ReturnType<typeof jsonldOracle>>;
let service: ContextService;

before(async () => {
  oracle = await jsonldOracle(docs);
  service = new ContextService({
    fetchTimeoutMs: 1000, maxBytes: 1 << 20, publicBaseUrl: 'http://127.0.0.1:1026', ...memoryFetch(docs),
  });
});

/** Raw definition of a term in the given context objects (later ones win: pass the core last), for explaining deviations. */
function rawDefinition(contexts: Record<string, unknown>[], term: string): unknown {
  let def: unknown;
  for (const c of contexts) if (Object.hasOwn(c, term)) def = c[term];
  return def;
}

/**
 * Compares all four directions for every name. One documented deviation: JSON-LD term selection skips a term
 * whose @type (other than @id) or @container does not fit a node value, e.g. "observedAt" ({"@type": "DateTime"})
 * and renders "ngsi-ld:observedAt"; NGSI-LD compacts names, not values (5.5.7), so we still use the term.
 */
async function compareWithOracle(tm: TermMap, oracleCtx: unknown, names: string[], rawContexts: Record<string, unknown>[]) {
  let deviations = 0;
  for (const name of names) {
    if (name.startsWith('@') || name === 'id' || name === 'type') continue;
    const iri = await oracle.expandAttr(oracleCtx, name);
    if (iri === undefined) {
      assert.equal(tm.expandAttr(name), name, `${name}: JSON-LD drops it, so it stays unexpanded`);
      continue;
    }
    assert.equal(tm.expandAttr(name), iri, `expandAttr(${name})`);
    assert.equal(tm.expandType(name), await oracle.expandType(oracleCtx, name), `expandType(${name})`);
    for (const [mine, theirs, what] of [
      [tm.compactAttr(iri), await oracle.compactAttr(oracleCtx, iri), 'compactAttr'],
      [tm.compactType(iri), await oracle.compactType(oracleCtx, iri), 'compactType'],
    ] as const) {
      if (mine === theirs) continue;
      deviations++;
      const def = rawDefinition(rawContexts, mine) as Record<string, unknown> | undefined;
      const unfit = typeof def === 'object' && def !== null
        && (('@type' in def && def['@type'] !== '@id') || ('@container' in def && def['@container'] !== '@set'));
      assert.ok(unfit, `${what}(${iri}): oracle "${theirs}", ours "${mine}" (${JSON.stringify(def)})`);
      assert.equal(tm.expandAttr(mine), iri, `${what}(${iri}) must round-trip`);
      assert.equal(tm.expandAttr(theirs), iri, `the oracle's "${theirs}" expands to the same IRI`);
    }
  }
  return deviations;
}

describe('term map vs jsonld oracle (clause 4.4, annex B, clause 5.5.7)', () => {
  test('core @context alone: every annex B term and some free names expand and compact as JSON-LD does', async () => {
    const tm = await service.resolve(undefined);
    const core = coreContextValue() as Record<string, unknown>;
    const deviations = await compareWithOracle(tm, CORE_CONTEXT_URL, [...Object.keys(core), ...EXTRA_NAMES], [core]);
    assert.ok(deviations > 0 && deviations < 150, `typed/container terms only, got ${deviations}`); // v1.9: 130 of its 212 terms
    assert.equal(tm.expandAttr('temperature'), 'https://uri.etsi.org/ngsi-ld/default-context/temperature');
    assert.equal(tm.compactAttr('https://uri.etsi.org/ngsi-ld/default-context/temperature'), 'temperature');
    assert.equal(tm.expandType('Property'), 'https://uri.etsi.org/ngsi-ld/Property');
    assert.equal(tm.compactType('https://uri.etsi.org/ngsi-ld/GeoProperty'), 'GeoProperty');
    assert.equal(tm.compactAttr('https://uri.etsi.org/ngsi-ld/observedAt'), 'observedAt');
    assert.equal(tm.compactAttr('@id'), 'id');
    assert.equal(tm.compactAttr('@type'), 'type');
  });

  test('Smart Data Models dataModel.Environment (core last, as clause C.9 recommends) matches the oracle', async () => {
    const tm = await service.resolve(ENV_URL);
    const env = (docs.get(ENV_URL) as { '@context': Record<string, unknown> })['@context'];
    const deviations = await compareWithOracle(tm, [ENV_URL, CORE_CONTEXT_URL], [...Object.keys(env), ...EXTRA_NAMES], [env, coreContextValue() as Record<string, unknown>]);
    assert.equal(deviations, 2, 'only "observedAt", typed DateTime in the core');
    assert.equal(tm.expandAttr('no2'), 'https://smartdatamodels.org/dataModel.Environment/no2');
    assert.equal(tm.compactAttr('https://smartdatamodels.org/dataModel.Environment/no2'), 'no2');
  });

  test('every other shipped Smart Data Models context expands every term as the oracle does', async () => {
    for (const url of SMART_DATA_MODELS_CONTEXTS.keys()) {
      // dataModel.IssueTracking is not valid JSON-LD 1.1 ("open311:type" without an "open311" prefix, see
      // context.semantics.test.ts); DCAT-AP redefines the core term "dataset", hence core last in the oracle.
      // The general context merged from the domain contexts (smartdatamodels.org) carries IssueTracking's terms.
      if (url === ENV_URL || url.includes('IssueTracking') || url.includes('//smartdatamodels.org/')) continue;
      const tm = await service.resolve(url);
      const ctx = (docs.get(url) as { '@context': Record<string, unknown> })['@context'];
      await compareWithOracle(tm, [url, CORE_CONTEXT_URL], Object.keys(ctx), [ctx, coreContextValue() as Record<string, unknown>]);
    }
  });

  test('user @context with prefixes, compact-IRI terms, aliases, @vocab and null terms matches the oracle', async () => {
    const tm = await service.resolve(USER);
    const deviations = await compareWithOracle(tm, [CORE_CONTEXT_URL, USER], [...Object.keys(USER), ...EXTRA_NAMES], [USER, coreContextValue() as Record<string, unknown>]);
    assert.equal(deviations, 4, '"speed" (xsd:double) and "observedAt" (DateTime), attr and type each');
    assert.equal(tm.expandAttr('schema:address'), 'https://schema.org/address');
    assert.equal(tm.compactAttr('https://schema.org/address'), 'schema:address');
    assert.equal(tm.expandAttr('unknownThing'), 'https://example.org/vocab/unknownThing', '@vocab override');
    assert.equal(tm.compactAttr('https://example.org/vocab/unknownThing'), 'unknownThing');
    assert.equal(tm.expandAttr('expandedNoPrefix:z'), 'expandedNoPrefix:z', 'an expanded term definition is no prefix (JSON-LD 1.1)');
    assert.equal(tm.expandAttr('explicitPrefix:y'), 'http://example.com/xp#y', '"@prefix": true makes it one');
    assert.equal(tm.expandAttr('dropped'), 'dropped', 'a term mapped to null is left as it is');
    assert.equal(tm.compactAttr('https://schema.org/name'), 'name', 'shortest term wins over the longer alias');
    assert.equal(tm.vocab, 'https://example.org/vocab/');
  });

  test('two terms for one IRI: JSON-LD picks the shortest, then the lexicographically least, whatever the order', async () => {
    for (const ctx of [{ long: 'http://x.org/p', a: 'http://x.org/p' }, { a: 'http://x.org/p', long: 'http://x.org/p' }, [{ b: 'http://x.org/p' }, { a: 'http://x.org/p' }]]) {
      const tm = await service.resolve(ctx);
      const expected = await oracle.compactAttr([CORE_CONTEXT_URL, ...(Array.isArray(ctx) ? ctx : [ctx])], 'http://x.org/p');
      assert.equal(tm.compactAttr('http://x.org/p'), expected);
      assert.equal(expected, 'a');
    }
  });

  test('a term with "@type": "@id" is preferred for attribute names, as JSON-LD prefers it for node values', async () => {
    const ctx = { r: 'http://x.org/rel', relationshipName: { '@id': 'http://x.org/rel', '@type': '@id' } };
    const tm = await service.resolve(ctx);
    assert.equal(tm.compactAttr('http://x.org/rel'), await oracle.compactAttr([CORE_CONTEXT_URL, ctx], 'http://x.org/rel'));
    assert.equal(tm.compactAttr('http://x.org/rel'), 'relationshipName');
  });

  test('arrays of contexts merge in order: a later definition of a user term replaces an earlier one', async () => {
    const a = { speed: 'http://a.org/speed', only: 'http://a.org/only' };
    const b = { speed: 'http://b.org/speed' };
    const tm = await service.resolve([a, b]);
    for (const name of ['speed', 'only']) assert.equal(tm.expandAttr(name), await oracle.expandAttr([CORE_CONTEXT_URL, a, b], name));
    assert.equal(tm.expandAttr('speed'), 'http://b.org/speed');
    assert.equal(tm.compactAttr('http://a.org/speed'), 'http://a.org/speed', 'no term left for the old IRI');
  });

  test('a user context redefining core terms: the core wins, as the oracle with the core last (clauses 4.4, C.9)', async () => {
    const user = { location: 'https://schema.org/location', observedAt: 'http://example.org/seen', schema: 'https://schema.org/', own: 'http://example.org/own' };
    const tm = await service.resolve(user);
    for (const name of ['location', 'observedAt', 'own', 'schema:location']) {
      assert.equal(tm.expandAttr(name), await oracle.expandAttr([user, CORE_CONTEXT_URL], name), name);
    }
    assert.equal(tm.expandAttr('location'), 'https://uri.etsi.org/ngsi-ld/location');
    assert.equal(tm.expandAttr('schema:location'), 'https://schema.org/location', 'prefixing reaches the user IRI (C.9)');
    // JSON-LD itself would reject this with the core first: "protected term redefinition".
    await assert.rejects(oracle.process([CORE_CONTEXT_URL, user]), /protected term/);
  });

  test('the core @context named explicitly last in the array restores the core @vocab, as JSON-LD does', async () => {
    const user = { '@vocab': 'https://example.org/vocab/', t: 'http://x.org/t' };
    const tm = await service.resolve([user, 'https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.7.jsonld']);
    assert.equal(tm.expandAttr('free'), await oracle.expandAttr([user, CORE_CONTEXT_URL], 'free'));
    assert.equal(tm.expandAttr('free'), 'https://uri.etsi.org/ngsi-ld/default-context/free');
    assert.equal(tm.expandAttr('t'), 'http://x.org/t');
  });
});
