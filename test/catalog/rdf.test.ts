// DCAT-AP.de RDF at /catalog: SHACL validation against the official shapes (zero sh:Violation for the
// demo catalogue and a dataset with every optional field), the same triples in Turtle, RDF/XML and
// JSON-LD, content negotiation, persistent IRIs, and a harvest that follows hydra:next while datasets
// are added and deleted without dropping or repeating one.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import n3 from 'n3';
import rdf from '@zazuko/env';
import SHACLValidator from 'rdf-validate-shacl';
import { RdfXmlParser } from 'rdfxml-streaming-parser';
import jsonld from 'jsonld';
import { testApp, type TestApp } from '../support/app.ts';
import { loadStarter } from '../../src/strategy/index.ts';
import { ALL_VIEWER, loadCatalogStarter } from '../../src/catalog/index.ts';

const SHAPES = ['dcat-ap-SHACL.ttl', 'dcat-ap-SHACL-DE.ttl', 'dcat-ap-spec-german-additions.ttl', 'dcat-ap-de-deprecated.ttl'];
const BASE = 'https://daten.herne.example';

function parseTurtle(text: string): n3.Quad[] {
  return new n3.Parser().parse(text);
}

async function parseRdfXml(text: string): Promise<n3.Quad[]> {
  return new Promise((resolve, reject) => {
    const out: n3.Quad[] = [];
    const p = new RdfXmlParser({ dataFactory: n3.DataFactory as never });
    p.on('data', (q: n3.Quad) => out.push(q));
    p.on('error', reject);
    p.on('end', () => resolve(out));
    p.write(text);
    p.end();
  });
}

/** Quads as N-Triples lines with blank nodes renamed canonically enough for comparing our own output (labels kept). */
const lines = (qs: n3.Quad[]) => new Set(qs.map((q) => new n3.Writer({ format: 'N-Triples' }).quadToString(q.subject, q.predicate, q.object)));

async function validate(quads: n3.Quad[]): Promise<{ violations: string[]; warnings: number }> {
  const shapes = rdf.dataset();
  for (const f of SHAPES) for (const q of parseTurtle(readFileSync(new URL(`../fixtures/dcat-ap-de/${f}`, import.meta.url), 'utf8'))) shapes.add(q as never);
  const data = rdf.dataset();
  for (const q of quads) data.add(q as never);
  const report = await new SHACLValidator(shapes, { factory: rdf }).validate(data);
  const violations: string[] = [];
  let warnings = 0;
  for (const r of report.results) {
    const sev = r.severity?.value ?? '';
    if (sev.endsWith('#Violation')) violations.push(`${r.focusNode?.value} ${r.path?.value ?? ''}: ${r.message.map((m) => m.value).join(' / ')}`);
    else warnings++;
  }
  return { violations, warnings };
}

const full = {
  id: 'alles', tenant: '', title: { de: 'Straßenbäume in Herne', en: 'Street trees in Herne' }, description: { de: 'Alle Straßenbäume mit Art und Pflanzjahr.', en: 'All street trees with species and planting year.' },
  publisherId: 'stadt-herne', contactPoint: { organisationId: 'stadt-herne', email: 'opendata@herne.example', url: 'https://www.herne.de/' },
  licence: 'dl-zero-de/2.0', themes: ['ENVI', 'REGI'], keywords: ['Bäume', 'Stadtgrün'],
  spatial: { municipalityKey: '05916000', geometry: { type: 'Polygon', coordinates: [[[7.13, 51.5], [7.28, 51.5], [7.28, 51.57], [7.13, 51.57], [7.13, 51.5]]] } },
  temporal: { start: '2020-01-01', end: '2026-12-31' }, accrualPeriodicity: 'ANNUAL', contributorIds: ['http://dcat-ap.de/def/contributors/openNRW'],
  conformsTo: ['https://example.org/schema/baeume'], landingPage: 'https://www.herne.de/baeume', projectSlug: 'umweltsensorik', issued: '2026-01-15',
  distributions: [
    { id: 'csv', kind: 'file', title: { de: 'Baumkataster (CSV)', en: 'Tree register (CSV)' }, description: { de: 'Eine Zeile je Baum' }, format: 'CSV', mediaType: 'text/csv', licence: 'cc-by/4.0' },
    { id: 'wfs', kind: 'link', accessUrl: 'https://geo.herne.example/wfs', downloadUrl: 'https://geo.herne.example/baeume.geojson', format: 'GEOJSON', mediaType: 'application/geo+json', byteSize: 12345, checksum: { algorithm: 'sha1', value: 'a'.repeat(40) } },
  ],
};

describe('DCAT-AP.de RDF', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp({ DREHSCHEIBE_PUBLIC_URL: BASE });
    await loadStarter(t.app.drehscheibe.strategy);
    await loadCatalogStarter(t.app.drehscheibe.catalog, await t.app.drehscheibe.strategy.projects());
    const c = t.app.drehscheibe.catalog;
    await c.create(full, ALL_VIEWER);
    await c.upload('alles', 'csv', Buffer.from('art,jahr\r\nLinde,2021\r\n'), 'text/csv', 'baeume.csv', ALL_VIEWER);
    await c.publish('alles', ALL_VIEWER);
    // The demo's participation process, listed as a dataset of the catalogue when it is loaded.
    assert.equal(await t.app.participation!.loadStarter(), true);
  });
  after(async () => { await t.close(); });

  test('SHACL: the demo catalogue and a dataset with every optional field have zero sh:Violation', async () => {
    const r = await t.app.inject({ url: '/catalog.ttl?limit=1000' });
    assert.equal(r.statusCode, 200);
    const quads = parseTurtle(r.body);
    assert.ok(quads.length > 100);
    const { violations, warnings } = await validate(quads);
    if (warnings) console.log(`# SHACL: ${warnings} warning(s) (reported, not failed on)`);
    assert.deepEqual(violations, []);
    const one = await t.app.inject({ url: '/catalog/datasets/alles.ttl' });
    assert.deepEqual((await validate(parseTurtle(one.body))).violations, []);
    const process = await t.app.inject({ url: '/catalog/datasets/beteiligung-buergerhaushalt.ttl' });
    assert.equal(process.statusCode, 200);
    assert.ok(r.body.includes(`<${BASE}/catalog/datasets/beteiligung-buergerhaushalt>`), 'the participation process is in the harvest');
    assert.deepEqual((await validate(parseTurtle(process.body))).violations, []);
  });

  test('SHACL catches a missing licence (the test can fail)', async () => {
    const quads = parseTurtle((await t.app.inject({ url: '/catalog/datasets/alles.ttl' })).body).filter((q) => q.predicate.value !== 'http://purl.org/dc/terms/license');
    const { violations } = await validate(quads);
    assert.ok(violations.some((v) => v.includes('license')), violations.join('\n'));
  });

  test('the dataset carries identifier, modified, contributorID and every optional field', async () => {
    const quads = parseTurtle((await t.app.inject({ url: '/catalog/datasets/alles.ttl' })).body);
    const ds = `${BASE}/catalog/datasets/alles`;
    const preds = new Set(quads.filter((q) => q.subject.value === ds).map((q) => q.predicate.value.replace(/^.*[#/]/, '')));
    for (const p of ['identifier', 'title', 'description', 'publisher', 'contactPoint', 'theme', 'keyword', 'spatial', 'temporal', 'accrualPeriodicity', 'issued', 'modified', 'contributorID', 'conformsTo', 'landingPage', 'distribution', 'politicalGeocodingURI']) {
      assert.ok(preds.has(p), `dataset has ${p}`);
    }
    const dist = `${ds}/distributions/csv`;
    const dp = new Map(quads.filter((q) => q.subject.value === dist).map((q) => [q.predicate.value.replace(/^.*[#/]/, ''), q.object.value]));
    assert.equal(dp.get('license'), 'http://dcat-ap.de/def/licenses/cc-by/4.0');
    assert.equal(dp.get('accessURL'), `${BASE}/api/catalog/datasets/alles/distributions/csv/download`);
    assert.equal(dp.get('byteSize'), '22');
    assert.equal(dp.get('format'), 'http://publications.europa.eu/resource/authority/file-type/CSV');
  });

  test('Turtle, RDF/XML and JSON-LD carry the same triples; by suffix and by Accept', async () => {
    const ttl = await t.app.inject({ url: '/catalog/datasets/alles.ttl' });
    const xml = await t.app.inject({ url: '/catalog/datasets/alles.rdf' });
    const jl = await t.app.inject({ url: '/catalog/datasets/alles.jsonld' });
    assert.match(String(ttl.headers['content-type']), /^text\/turtle/);
    assert.match(String(xml.headers['content-type']), /^application\/rdf\+xml/);
    assert.match(String(jl.headers['content-type']), /^application\/ld\+json/);
    const a = lines(parseTurtle(ttl.body));
    const b = lines(await parseRdfXml(xml.body));
    const nq = await jsonld.toRDF(JSON.parse(jl.body), { format: 'application/n-quads' }) as unknown as string;
    const c = lines(new n3.Parser({ format: 'N-Triples' }).parse(nq));
    const named = (s: Set<string>) => new Set([...s].filter((l) => !l.includes('_:')));
    assert.deepEqual(named(b), named(a));
    assert.deepEqual(named(c), named(a));
    assert.equal(b.size, a.size);
    assert.equal(c.size, a.size);
    const byAccept = await t.app.inject({ url: '/catalog/datasets/alles', headers: { accept: 'application/rdf+xml' } });
    assert.match(String(byAccept.headers['content-type']), /^application\/rdf\+xml/);
    assert.equal(byAccept.headers.vary, 'Accept');
    const jsonAccept = await t.app.inject({ url: '/catalog', headers: { accept: 'application/ld+json' } });
    assert.match(String(jsonAccept.headers['content-type']), /^application\/ld\+json/);
    assert.equal((await t.app.inject({ url: '/catalog/datasets/gibtsnicht.ttl' })).statusCode, 404);
    assert.equal((await t.app.inject({ url: '/catalog/datasets/alles/distributions/csv' })).headers.location, `${BASE}/catalog/datasets/alles`);
    assert.equal((await t.app.inject({ url: '/catalog?after=kaputt' })).statusCode, 400);
  });

  test('harvest: following hydra:next while datasets are added and deleted drops or repeats nothing', async () => {
    const c = t.app.drehscheibe.catalog;
    for (let i = 0; i < 30; i++) {
      await c.create({ id: `h-${String(i).padStart(2, '0')}`, title: { de: `Harvest ${i}` }, description: { de: 'x' }, publisherId: 'stadt-herne', licence: 'dl-by-de/2.0',
        distributions: [{ id: 'l', kind: 'link', accessUrl: 'https://example.org/x', format: 'CSV', mediaType: 'text/csv' }] }, ALL_VIEWER);
      await c.publish(`h-${String(i).padStart(2, '0')}`, ALL_VIEWER);
    }
    const before = new Set((await c.page({ limit: 1000 })).datasets.map((d) => d.id));
    const seen: string[] = [];
    const deleted = new Set<string>();
    const added = new Set<string>();
    let url: string | undefined = '/catalog.ttl?limit=4';
    let round = 0;
    while (url) {
      const r: { statusCode: number; body: string } = await t.app.inject({ url: url.replace(BASE, '') });
      assert.equal(r.statusCode, 200, r.body);
      const quads = parseTurtle(r.body);
      seen.push(...quads.filter((q) => q.predicate.value === 'http://www.w3.org/ns/dcat#dataset').map((q) => q.object.value.replace(`${BASE}/catalog/datasets/`, '')));
      const next = quads.find((q) => q.predicate.value === 'http://www.w3.org/ns/hydra/core#next')?.object.value;
      const nextPage = quads.find((q) => q.predicate.value === 'http://www.w3.org/ns/hydra/core#nextPage')?.object.value;
      assert.equal(nextPage, next, 'old and new vocabulary agree');
      // Meanwhile: an edit, a deletion of a dataset not yet seen and of one seen, and a new dataset.
      round++;
      const unseen = [...before].filter((id) => !seen.includes(id) && !deleted.has(id));
      if (round % 2 === 0 && unseen.length > 1) { await c.remove(unseen[unseen.length - 1], ALL_VIEWER); deleted.add(unseen[unseen.length - 1]); }
      if (round === 3) { await c.remove(seen[0], ALL_VIEWER); deleted.add(seen[0]); }
      if (round % 3 === 0) {
        const id = `neu-${round}`;
        await c.create({ id, title: { de: 'Neu' }, description: { de: 'x' }, publisherId: 'stadt-herne', licence: 'dl-by-de/2.0', distributions: [{ id: 'l', kind: 'link', accessUrl: 'https://example.org/x', format: 'CSV', mediaType: 'text/csv' }] }, ALL_VIEWER);
        await c.publish(id, ALL_VIEWER);
        added.add(id);
      }
      if (unseen.length > 2) await c.replace(unseen[0], { ...(await c.dataset(unseen[0])), title: { de: 'Geändert' } }, ALL_VIEWER);
      url = next;
    }
    assert.equal(new Set(seen).size, seen.length, 'no dataset repeated');
    for (const id of before) if (!deleted.has(id)) assert.ok(seen.includes(id), `${id} (present throughout) was harvested`);
    assert.ok(round > 5);
  });
});
