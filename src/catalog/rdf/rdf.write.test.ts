// The Turtle writer: n3's parser reads back exactly the triples written, whatever the strings hold.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import n3 from 'n3';
import { PREFIXES, toTurtle } from './rdf.write.ts';

const { namedNode: iri, literal, blankNode, quad } = n3.DataFactory;

test('toTurtle round-trips IRIs, prefixed names, blank nodes and escaped literals through n3', () => {
  const ds = iri('https://data.example/catalog/datasets/a.b');
  const b = blankNode('b0');
  const odd = ['plain', 'with "quotes" and \\ backslash', 'line\nbreak\r\ttab', 'ümlaut ß €', 'emoji 😀 pair', 'nul \u0000 and \u0019 and \u007f', '', 'trailing space ', 'lone \ud800 high'];
  const quads = [
    quad(ds, iri(`${PREFIXES.rdf}type`), iri(`${PREFIXES.dcat}Dataset`)),
    quad(ds, iri(`${PREFIXES.dct}identifier`), literal('a.b')),
    ...odd.map((s) => quad(ds, iri(`${PREFIXES.dct}description`), literal(s, 'de'))),
    ...odd.map((s) => quad(ds, iri(`${PREFIXES.dct}title`), literal(s))),
    quad(ds, iri(`${PREFIXES.dct}modified`), literal('2026-12-01T10:00:00.000Z', iri(`${PREFIXES.xsd}dateTime`))),
    quad(ds, iri(`${PREFIXES.dcat}byteSize`), literal('12', iri('http://example.org/my#type'))),
    quad(ds, iri(`${PREFIXES.dcat}theme`), iri('http://publications.europa.eu/resource/authority/data-theme/ENVI')),
    // Local names a prefixed name must not carry (dot, leading digit, empty, slash, percent) stay full IRIs.
    quad(ds, iri(`${PREFIXES.dct}spatial`), iri(`${PREFIXES.dct}1x`)),
    quad(ds, iri(`${PREFIXES.dct}spatial`), iri(`${PREFIXES.dct}x.y`)),
    quad(ds, iri(`${PREFIXES.dct}spatial`), iri(PREFIXES.dct)),
    quad(ds, iri(`${PREFIXES.dct}spatial`), iri(`${PREFIXES.dct}a%20b`)),
    quad(ds, iri(`${PREFIXES.dcat}contactPoint`), b),
    quad(b, iri(`${PREFIXES.rdf}type`), iri(`${PREFIXES.vcard}Kind`)),
    quad(b, iri(`${PREFIXES.vcard}hasEmail`), iri('mailto:a@b.example')),
    quad(ds, iri(`${PREFIXES.dct}publisher`), iri('https://data.example/catalog/organisations/stadt-herne')),
  ];
  const text = toTurtle(quads);
  const back = new n3.Parser({ blankNodePrefix: '' }).parse(text);
  assert.equal(back.length, quads.length, text);
  quads.forEach((q, i) => assert.ok(back[i].equals(q), `triple ${i}: ${JSON.stringify(back[i].toJSON())} vs ${JSON.stringify(q.toJSON())}`));
  assert.match(text, /dcat:Dataset/, 'known namespaces are prefixed');
  assert.equal(toTurtle([]).includes('@prefix dcat:'), true);
  assert.equal(new n3.Parser().parse(toTurtle([])).length, 0);
});
