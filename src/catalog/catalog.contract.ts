// The catalogue-store contract: one suite every adapter must pass unchanged (SQLite, PostgreSQL).
// Searches are compared with an in-process oracle over the same index (catalog.text.ts), so both
// engines return the same sets of hits, and in the same order for every sort of this corpus.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fixedClock } from '../core/clock.ts';
import { StorageConflict, StorageNotFound } from '../core/errors.ts';
import type { Dataset, SearchQuery, Sort } from './catalog.model.ts';
import type { CatalogStore } from './catalog.port.ts';
import { ALL_VIEWER, CatalogService } from './catalog.service.ts';
import { fold, matchesPrefixes, queryPrefixes } from './catalog.text.ts';

export interface CatalogStoreFactory {
  open(): Promise<CatalogStore>;
  destroy(s: CatalogStore): Promise<void>;
}

export const TEST_ORGS = [
  { id: 'stadt-herne', name: 'Stadt Herne' },
  { id: 'stadtwerke-herne', name: 'Stadtwerke Herne' },
];

/** A minimal valid dataset document (the API's input). */
export function datasetDoc(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id, title: { de: `Datensatz ${id}` }, description: { de: `Beschreibung von ${id}` }, publisherId: 'stadt-herne', licence: 'dl-by-de/2.0',
    distributions: [{ id: 'csv', kind: 'link', accessUrl: `https://example.org/${id}.csv`, format: 'CSV', mediaType: 'text/csv' }],
    ...extra,
  };
}

const CORPUS: Array<[string, Record<string, unknown>]> = [
  ['luft-1', { title: { de: 'Luftqualitätsdaten Herne' }, themes: ['ENVI'], keywords: ['Luft', 'Feinstaub'], spatial: { geometry: { type: 'Point', coordinates: [7.22, 51.54] } } }],
  ['luft-2', { title: { de: 'Messwerte Luftqualitaet' }, description: { de: 'Stündliche Werte der Messstationen' }, themes: ['ENVI', 'HEAL'], publisherId: 'stadtwerke-herne', licence: 'dl-zero-de/2.0' }],
  ['luft-3', { title: { de: 'Luft in Europa' }, description: { de: 'Nicht in Herne' }, spatial: { geometry: { type: 'Polygon', coordinates: [[[2, 48], [3, 48], [3, 49], [2, 49], [2, 48]]] } } }],
  ['park', { title: { de: 'Parkplätze in der Innenstadt' }, themes: ['TRAN'], keywords: ['Parken'], distributions: [{ id: 'geo', kind: 'link', accessUrl: 'https://example.org/p.geojson', format: 'GEOJSON', mediaType: 'application/geo+json' }] }],
  ['verkehr', { title: { de: 'Verkehrszählung 2025', en: 'Traffic count 2025' }, themes: ['TRAN'], keywords: ['Verkehr'], licence: 'cc-by/4.0', projectSlug: 'mobil' }],
  ['strasse', { title: { de: 'Straßenbäume' }, description: { de: 'Bäume an der Strasse' }, themes: ['ENVI'] }],
];

export function catalogStoreContract(name: string, factory: CatalogStoreFactory): void {
  describe(`catalog store contract: ${name}`, () => {
    let s: CatalogStore;
    let svc: CatalogService;
    const clock = fixedClock('2026-12-01T10:00:00.000Z');
    before(async () => {
      s = await factory.open();
      svc = new CatalogService({ store: s, clock, organisations: async () => TEST_ORGS, baseUrl: 'https://data.example' });
      for (const [id, extra] of CORPUS) {
        clock.advance(1000);
        await svc.create(datasetDoc(id, extra), ALL_VIEWER);
        if (id !== 'strasse') await svc.publish(id, ALL_VIEWER);
      }
    });
    after(async () => { await factory.destroy(s); });

    test('a created dataset reads back unchanged', async () => {
      const d = await s.get('verkehr');
      assert.equal(d?.title.en, 'Traffic count 2025');
      assert.equal(d?.state, 'published');
      assert.equal(d?.licence, 'cc-by/4.0');
      assert.equal(await s.get('nope'), undefined);
    });

    test('create of an existing id is StorageConflict; update of a missing one StorageNotFound', async () => {
      const d = (await s.get('park'))!;
      await assert.rejects(s.create(d, svc.indexOf(d)), StorageConflict);
      await assert.rejects(s.update({ ...d, id: 'missing' }, svc.indexOf({ ...d, id: 'missing' })), StorageNotFound);
    });

    const oracle = async (q: SearchQuery & { drafts?: boolean }) => {
      const groups = q.q ? queryPrefixes(q.q) : [];
      const out: string[] = [];
      for await (const d of s.all()) {
        if (d.state !== 'published' && !q.drafts) continue;
        const ix = svc.indexOf(d);
        if (!matchesPrefixes(ix.terms, groups)) continue;
        if (q.themes && !q.themes.some((t) => d.themes.includes(t))) continue;
        if (q.publishers && !q.publishers.includes(d.publisherId)) continue;
        if (q.licences && !ix.facets.some(([f, v]) => f === 'licence' && q.licences!.includes(v))) continue;
        if (q.formats && !d.distributions.some((x) => q.formats!.includes(x.format))) continue;
        if (q.keywords && !d.keywords.some((k) => q.keywords!.map(fold).includes(fold(k)))) continue;
        if (q.projects && !q.projects.includes(d.projectSlug ?? '')) continue;
        if (q.bbox) {
          const b = ix.bbox;
          if (!b || b[2] < q.bbox[0] || b[0] > q.bbox[2] || b[3] < q.bbox[1] || b[1] > q.bbox[3]) continue;
        }
        out.push(d.id);
      }
      return out.sort();
    };
    const hits = async (q: SearchQuery) => (await svc.search({ ...q, limit: 1000 }, ALL_VIEWER)).datasets.map((d) => d.id).sort();

    const cases: Array<[string, SearchQuery, string[]]> = [
      ['"Luftqualität" finds Luftqualitätsdaten and Luftqualitaet', { q: 'Luftqualität' }, ['luft-1', 'luft-2']],
      ['"luftqualitaet" (folded spelling) finds the same', { q: 'luftqualitaet' }, ['luft-1', 'luft-2']],
      ['a prefix finds compounds', { q: 'Luft' }, ['luft-1', 'luft-2', 'luft-3']],
      ['every query word must match', { q: 'Luft Herne' }, ['luft-1', 'luft-3']],
      ['"Parkplatz" finds "Parkplätze" (stem of the umlaut form)', { q: 'Parkplatz' }, ['park']],
      ['English titles are indexed', { q: 'traffic' }, ['verkehr']],
      ['stop words alone match everything', { q: 'der' }, ['luft-1', 'luft-2', 'luft-3', 'park', 'verkehr']],
      ['theme filter', { themes: ['TRAN'] }, ['park', 'verkehr']],
      ['theme values are OR-ed', { themes: ['HEAL', 'TRAN'] }, ['luft-2', 'park', 'verkehr']],
      ['publisher filter', { publishers: ['stadtwerke-herne'] }, ['luft-2']],
      ['licence filter', { licences: ['cc-by/4.0'] }, ['verkehr']],
      ['format filter', { formats: ['GEOJSON'] }, ['park']],
      ['keyword filter (case and umlaut folded)', { keywords: ['feinstaub'] }, ['luft-1']],
      ['project filter', { projects: ['mobil'] }, ['verkehr']],
      ['bbox around Herne', { bbox: [7.1, 51.5, 7.3, 51.6] }, ['luft-1']],
      ['bbox around Paris region', { bbox: [2.5, 48.5, 2.6, 48.6] }, ['luft-3']],
      ['text and filter together', { q: 'Luft', themes: ['HEAL'] }, ['luft-2']],
      ['no match', { q: 'Schwimmbad' }, []],
    ];
    for (const [title, q, expected] of cases) {
      test(`search: ${title}`, async () => {
        const got = await hits(q);
        assert.deepEqual(got, expected);
        assert.deepEqual(got, await oracle(q), 'the engine and the oracle agree');
      });
    }

    test('drafts are left out unless asked for', async () => {
      assert.deepEqual(await hits({ q: 'Bäume' }), []);
      assert.deepEqual((await svc.search({ q: 'Baeume', includeDrafts: true, limit: 10 }, ALL_VIEWER)).datasets.map((d) => d.id), ['strasse']);
      assert.deepEqual((await svc.search({ q: 'Straße', includeDrafts: true, limit: 10 }, { id: 'x', manages: ['other'] })).datasets.map((d) => d.id), []);
    });

    test('sorting, paging and total', async () => {
      const all = await svc.search({ sort: 'title', limit: 2, offset: 0 }, ALL_VIEWER);
      assert.equal(all.total, 5);
      assert.deepEqual(all.datasets.map((d) => d.id), ['luft-3', 'luft-1']);
      const rest = await svc.search({ sort: 'title', limit: 10, offset: 2 }, ALL_VIEWER);
      assert.deepEqual(rest.datasets.map((d) => d.id), ['luft-2', 'park', 'verkehr']);
      const newest = await svc.search({ sort: '-modified', limit: 1 }, ALL_VIEWER);
      assert.equal(newest.datasets[0].id, 'verkehr');
    });

    test('relevance ranks title matches first', async () => {
      const r = await svc.search({ q: 'Herne', sort: 'relevance', limit: 10 }, ALL_VIEWER);
      assert.equal(r.datasets[0].id, 'luft-1', 'title contains Herne');
      assert.deepEqual(r.datasets.map((d) => d.id).sort(), ['luft-1', 'luft-3']);
    });

    test('every sort orders the hits as the oracle does, with and without text, on every page', async () => {
      const docs: Dataset[] = [];
      for await (const d of s.all()) if (d.state === 'published') docs.push(d);
      const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
      const expected = (text: string, sort: Sort): string[] => {
        const groups = text ? queryPrefixes(text) : [];
        const hit = docs.filter((d) => matchesPrefixes(svc.indexOf(d).terms, groups));
        const score = (d: Dataset) => groups.filter((g) => matchesPrefixes(svc.indexOf(d).titleTerms, [g])).length;
        const by: Record<Sort, (a: Dataset, b: Dataset) => number> = {
          title: (a, b) => cmp(fold(a.title.de), fold(b.title.de)) || cmp(a.id, b.id),
          '-title': (a, b) => cmp(fold(b.title.de), fold(a.title.de)) || cmp(b.id, a.id),
          modified: (a, b) => cmp(a.modified, b.modified) || cmp(a.id, b.id),
          '-modified': (a, b) => cmp(b.modified, a.modified) || cmp(a.id, b.id),
          issued: (a, b) => cmp(a.issued ?? '', b.issued ?? '') || cmp(a.id, b.id),
          '-issued': (a, b) => cmp(b.issued ?? '', a.issued ?? '') || cmp(a.id, b.id),
          relevance: (a, b) => score(b) - score(a) || cmp(b.modified, a.modified) || cmp(a.id, b.id),
        };
        return hit.sort(by[sort]).map((d) => d.id);
      };
      for (const text of ['', 'Luft', 'Herne', 'Luft Herne', 'in']) {
        for (const sort of ['title', '-title', 'modified', '-modified', 'issued', '-issued', 'relevance'] as Sort[]) {
          const want = expected(text, sort);
          const pages: string[] = [];
          for (let offset = 0; offset < want.length + 2; offset += 2) {
            const r = await svc.search({ q: text || undefined, sort, limit: 2, offset }, ALL_VIEWER);
            assert.equal(r.total, want.length, `total of "${text}" ${sort} at offset ${offset}`);
            pages.push(...r.datasets.map((d) => d.id));
          }
          assert.deepEqual(pages, want, `"${text}" sorted by ${sort}`);
        }
      }
    });

    test('facet counts over the hits', async () => {
      const r = await svc.search({ q: 'Luft', facets: ['theme', 'licence', 'publisher'], limit: 0 }, ALL_VIEWER);
      assert.equal(r.datasets.length, 0);
      assert.deepEqual(r.facets.theme, [{ value: 'ENVI', count: 2 }, { value: 'HEAL', count: 1 }]);
      assert.deepEqual(r.facets.licence, [{ value: 'dl-by-de/2.0', count: 2 }, { value: 'dl-zero-de/2.0', count: 1 }]);
      assert.deepEqual(r.facets.publisher, [{ value: 'stadt-herne', count: 2 }, { value: 'stadtwerke-herne', count: 1 }]);
    });

    test('harvest pages follow (createdAt, id) and link both ways', async () => {
      const p1 = await s.page({ limit: 2 });
      assert.equal(p1.total, 5);
      assert.deepEqual(p1.datasets.map((d) => d.id), ['luft-1', 'luft-2']);
      assert.equal(p1.previous, undefined);
      const p2 = await s.page({ after: p1.next, limit: 2 });
      assert.deepEqual(p2.datasets.map((d) => d.id), ['luft-3', 'park']);
      const p3 = await s.page({ after: p2.next, limit: 2 });
      assert.deepEqual(p3.datasets.map((d) => d.id), ['verkehr']);
      assert.equal(p3.next, undefined);
      const back = await s.page({ before: p3.previous, limit: 2 });
      assert.deepEqual(back.datasets.map((d) => d.id), ['luft-3', 'park']);
      assert.ok(back.next && back.previous);
    });

    test('files are stored with the dataset and removed with its distribution', async () => {
      const d = await svc.create(datasetDoc('mit-datei', { distributions: [{ id: 'daten', kind: 'file', format: 'CSV', mediaType: 'text/csv' }] }), ALL_VIEWER);
      assert.equal(d.distributions[0].fileName, undefined);
      const body = Buffer.from('a,b\r\n1,2\r\n');
      const up = await svc.upload('mit-datei', 'daten', body, 'text/csv', 'werte.csv', ALL_VIEWER);
      assert.equal(up.distributions[0].byteSize, body.length);
      assert.equal(up.distributions[0].checksum?.value.length, 64);
      const f = await s.openFile('mit-datei', 'daten');
      assert.ok(f);
      const chunks: Buffer[] = [];
      for await (const c of f.stream) chunks.push(c as Buffer);
      assert.equal(Buffer.concat(chunks).toString(), body.toString());
      assert.deepEqual((await s.files()).map((x) => `${x.datasetId}/${x.distributionId}/${x.fileName}`), ['mit-datei/daten/werte.csv']);
      // Replacing the metadata keeps the upload; dropping the distribution drops the file.
      await svc.replace('mit-datei', datasetDoc('mit-datei', { distributions: [{ id: 'daten', kind: 'file', format: 'CSV', mediaType: 'text/csv' }] }), ALL_VIEWER);
      assert.ok(await s.openFile('mit-datei', 'daten'));
      await svc.replace('mit-datei', datasetDoc('mit-datei'), ALL_VIEWER);
      assert.equal(await s.openFile('mit-datei', 'daten'), undefined);
      assert.equal(await s.delete('mit-datei'), true);
      assert.equal(await s.delete('mit-datei'), false);
    });

    test('an upload for a dataset deleted meanwhile leaves nothing behind', async () => {
      const d = await svc.create(datasetDoc('weg', { distributions: [{ id: 'daten', kind: 'file', format: 'CSV', mediaType: 'text/csv' }] }), ALL_VIEWER);
      await s.delete('weg');
      const ds: Dataset = { ...d, distributions: [{ ...d.distributions[0], fileName: 'x.csv' }] };
      await assert.rejects(s.updateWithFile(ds, svc.indexOf(ds), { datasetId: 'weg', distributionId: 'daten', fileName: 'x.csv', mediaType: 'text/csv', byteSize: 1, sha256: '0'.repeat(64) }, Buffer.from('x')), StorageNotFound);
      assert.equal(await s.openFile('weg', 'daten'), undefined);
      assert.deepEqual((await s.files()).filter((f) => f.datasetId === 'weg'), []);
    });
  });
}
