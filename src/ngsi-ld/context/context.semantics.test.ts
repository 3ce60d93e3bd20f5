// @context processing rules beyond plain term lookups: nested and imported remote contexts, cycles and depth,
// invalid definitions (clause 5.5.6 BadRequestData), scoped contexts (5.5.7) and protected terms (4.4).
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { BadRequestData, LdContextNotAvailable } from '../../core/errors.ts';
import { CORE_CONTEXT_URL, CORE_CONTEXT_URLS, smartDataModelsContextUrl } from './builtin-contexts.ts';
import { ContextService, type ContextServiceOptions } from './context.resolver.ts';
import { jsonldOracle, memoryFetch, shippedDocuments } from './test-support.ts';

const X = 'http://ctx.example.org/';
const docs = shippedDocuments();
docs.set(`${X}vehicle.jsonld`, { '@context': [`${X}common.jsonld`, { Vehicle: 'common:Vehicle', speed: 'common:speed' }] });
docs.set(`${X}common.jsonld`, { '@context': ['units.jsonld', { common: 'https://common.example.org/' }] }); // relative reference
docs.set(`${X}units.jsonld`, { '@context': { unit: 'https://units.example.org/unit' } });
docs.set(`${X}cycle-a.jsonld`, { '@context': [`${X}cycle-b.jsonld`] });
docs.set(`${X}cycle-b.jsonld`, { '@context': [`${X}cycle-a.jsonld`, { b: 'http://b.org/b' }] });
for (let i = 0; i < 12; i++) docs.set(`${X}deep-${i}.jsonld`, { '@context': [`${X}deep-${i + 1}.jsonld`, { [`t${i}`]: `http://deep.org/${i}` }] });
docs.set(`${X}deep-12.jsonld`, { '@context': { end: 'http://deep.org/end' } });
docs.set(`${X}importable.jsonld`, { '@context': { imported: 'http://imp.org/imported', shared: 'http://imp.org/shared' } });
docs.set(`${X}bad-term.jsonld`, { '@context': { broken: 42 } });

function service(extra: Partial<ContextServiceOptions> = {}) {
  return new ContextService({ fetchTimeoutMs: 1000, maxBytes: 1 << 20, publicBaseUrl: 'http://127.0.0.1:1026', ...memoryFetch(docs), ...extra });
}

let oracle: Awaited<ReturnType<typeof jsonldOracle>>;
before(async () => {
  oracle = await jsonldOracle(docs);
});

async function rejectsWith(p: Promise<unknown>, type: typeof BadRequestData | typeof LdContextNotAvailable, text: RegExp) {
  await assert.rejects(p, (e: Error) => {
    assert.ok(e instanceof type, `expected ${type.name}, got ${e.name}: ${e.message}`);
    assert.match(e.message, text);
    return true;
  });
}

describe('nested remote @contexts (JSON-LD 1.1 §4.1.2, clause 5.5.7)', () => {
  test('a context document whose @context is an array of further URLs resolves recursively, relative URLs against the document', async () => {
    const tm = await service().resolve(`${X}vehicle.jsonld`);
    for (const name of ['Vehicle', 'speed', 'unit', 'common:x']) {
      assert.equal(tm.expandAttr(name), await oracle.expandAttr([`${X}vehicle.jsonld`, CORE_CONTEXT_URL], name), name);
    }
    assert.equal(tm.expandType('Vehicle'), 'https://common.example.org/Vehicle');
    assert.equal(tm.expandAttr('unit'), 'https://units.example.org/unit');
  });

  test('a URL inside an inline array and an "@import" are loaded too', async () => {
    const tm = await service().resolve([`${X}common.jsonld`, { '@import': `${X}importable.jsonld`, shared: 'http://own.org/shared' }]);
    assert.equal(tm.expandAttr('unit'), 'https://units.example.org/unit');
    assert.equal(tm.expandAttr('imported'), 'http://imp.org/imported');
    assert.equal(tm.expandAttr('shared'), 'http://own.org/shared', 'the importing context wins');
  });

  test('an inline {"@context": …} document inside the array is unwrapped', async () => {
    const tm = await service().resolve([{ '@context': { wrapped: 'http://w.org/wrapped' } }]);
    assert.equal(tm.expandAttr('wrapped'), 'http://w.org/wrapped');
  });

  test('a cycle of context documents is rejected with BadRequestData naming the chain', async () => {
    await rejectsWith(service().resolve(`${X}cycle-a.jsonld`), BadRequestData, /Cyclic @context reference: .*cycle-a.*cycle-b.*cycle-a/);
  });

  test('nesting deeper than 10 documents is rejected with BadRequestData', async () => {
    await rejectsWith(service().resolve(`${X}deep-0.jsonld`), BadRequestData, /deeper than 10/);
    const ok = await service().resolve(`${X}deep-3.jsonld`);
    assert.equal(ok.expandAttr('end'), 'http://deep.org/end');
  });

  test('an invalid term definition in a remote document is BadRequestData naming that URL (clause 5.5.6)', async () => {
    await rejectsWith(service().resolve([{ a: 'http://a.org/a' }, `${X}bad-term.jsonld`]), BadRequestData, /"broken".*bad-term\.jsonld/);
  });

  test('a missing nested document is LdContextNotAvailable naming its URL', async () => {
    await rejectsWith(service().resolve([`${X}nowhere.jsonld`]), LdContextNotAvailable, /nowhere\.jsonld.*HTTP 404/);
  });
});

describe('core @context precedence (clauses 4.4, 5.5.5, C.9)', () => {
  test('every published core URL, any version, http or https, is the built-in core and is never fetched', async () => {
    const { fetchImpl, calls } = memoryFetch(new Map());
    const s = service({ fetchImpl });
    const core = await s.resolve(undefined);
    for (const url of CORE_CONTEXT_URLS) {
      const tm = await s.resolve(url);
      if (url === CORE_CONTEXT_URL) { assert.equal(tm, core, url); continue; }
      // Another name of the core: the same definitions, echoed as the client gave it (clause 5.5.7).
      assert.equal(Object.getPrototypeOf(tm), core, url);
      assert.equal(tm.source, url);
      assert.equal(tm.linkUrl, url);
      assert.equal(tm.expandAttr('observedAt'), core.expandAttr('observedAt'));
      assert.equal(await s.resolve(url), tm, 'kept, not built per request');
    }
    assert.equal(await s.resolve([CORE_CONTEXT_URL]), core);
    assert.equal(await s.resolve([]), core);
    assert.equal(core.source, CORE_CONTEXT_URL);
    assert.equal(core.linkUrl, CORE_CONTEXT_URL);
    assert.equal(calls.size, 0);
  });

  test('Smart Data Models contexts are preloaded under their published URLs and never fetched', async () => {
    const { fetchImpl, calls } = memoryFetch(new Map());
    const tm = await service({ fetchImpl }).resolve(smartDataModelsContextUrl('dataModel.Weather'));
    assert.equal(tm.expandAttr('precipitation'), 'https://smartdatamodels.org/dataModel.Weather/precipitation');
    assert.equal(calls.size, 0);
  });

  test('core terms cannot be redefined: location, observedAt, Property, the ngsi-ld prefix keep their core IRIs', async () => {
    const tm = await service().resolve({
      location: 'http://evil.org/location', observedAt: { '@id': 'http://evil.org/observedAt' }, Property: 'http://evil.org/P',
      'ngsi-ld': 'http://evil.org/', mine: 'ngsi-ld:mine', type: 'http://evil.org/type',
    });
    assert.equal(tm.expandAttr('location'), 'https://uri.etsi.org/ngsi-ld/location');
    assert.equal(tm.expandAttr('observedAt'), 'https://uri.etsi.org/ngsi-ld/observedAt');
    assert.equal(tm.expandType('Property'), 'https://uri.etsi.org/ngsi-ld/Property');
    assert.equal(tm.expandAttr('mine'), 'https://uri.etsi.org/ngsi-ld/mine', 'the core "ngsi-ld" prefix is used');
    assert.equal(tm.expandAttr('type'), '@type');
    assert.equal(tm.compactAttr('https://uri.etsi.org/ngsi-ld/location'), 'location');
  });

  test('a null entry would clear the protected core @context and is BadRequestData (JSON-LD "invalid context nullification")', async () => {
    await rejectsWith(service().resolve([null, { a: 'http://a.org/a' }]), BadRequestData, /null.*core @context/);
    await assert.rejects(oracle.process([CORE_CONTEXT_URL, null]), /nullify/);
  });

  test('terms a user context marks @protected cannot be redefined by a later one, as in JSON-LD', async () => {
    const first = { '@protected': true, a: 'http://x.org/a' };
    await rejectsWith(service().resolve([first, { a: 'http://y.org/a' }]), BadRequestData, /"a".*protected/);
    await assert.rejects(oracle.process([CORE_CONTEXT_URL, first, { a: 'http://y.org/a' }]), /protected term/);
    const same = await service().resolve([first, { a: 'http://x.org/a' }]);
    assert.equal(same.expandAttr('a'), 'http://x.org/a', 'an identical redefinition is allowed');
  });
});

describe('invalid @contexts → BadRequestData (clause 5.5.6), where JSON-LD rejects them too', () => {
  const invalid: Array<[string, unknown, RegExp]> = [
    ['a term value that is a number', { n: 5 }, /"n".*string, null or an object/],
    ['an unknown keyword in a term definition', { n: { '@id': 'http://n.org/', '@foo': 1 } }, /may not contain "@foo"/],
    ['an invalid @container', { n: { '@id': 'http://n.org/n', '@container': '@bag' } }, /invalid "@container"/],
    ['a @type that is not an IRI', { n: { '@id': 'http://n.org/n', '@type': 'not absolute' } }, /"@type"/],
    ['a redefined keyword', { '@id': 'http://n.org/id' }, /keywords cannot be redefined/],
    ['a cyclic term definition', { a: 'b:x', b: 'a:y', '@vocab': null }, /"a"|"b"/],
    ['an @vocab that is not a string', { '@vocab': 5 }, /"@vocab"/],
    ['a @version other than 1.1', { '@version': 1.0, a: 'http://a.org/a' }, /@version/],
  ];
  for (const [what, ctx, message] of invalid) {
    test(`${what}`, async () => {
      await rejectsWith(service().resolve(ctx), BadRequestData, message);
      await assert.rejects(oracle.process([CORE_CONTEXT_URL, ctx]));
    });
  }

  test('a scoped context (an "@context" inside a term definition) is BadRequestData per clause 5.5.7', async () => {
    await rejectsWith(service().resolve({ vehicle: { '@id': 'http://v.org/v', '@context': { x: 'http://v.org/x' } } }), BadRequestData, /scoped contexts.*5\.5\.7/);
  });

  test('an @context that is a number, an empty string or a relative URL is BadRequestData', async () => {
    await rejectsWith(service().resolve(42), BadRequestData, /number/);
    await rejectsWith(service().resolve(''), BadRequestData, /empty/);
    await rejectsWith(service().resolve('context.jsonld'), BadRequestData, /not an absolute URL/);
  });

  test('Smart Data Models dataModel.IssueTracking is accepted although "open311:type" breaks JSON-LD 1.1 step 14', async () => {
    const url = smartDataModelsContextUrl('dataModel.IssueTracking');
    const tm = await service().resolve(url);
    assert.equal(tm.expandAttr('open311:type'), 'https://smartdatamodels.org/dataModel.IssueTracking/open311:type');
    assert.equal(tm.compactAttr('https://smartdatamodels.org/dataModel.IssueTracking/open311:type'), 'open311:type');
    await assert.rejects(oracle.process([CORE_CONTEXT_URL, url]), /term in form of IRI/);
  });
});
