// The catalogue as DCAT-AP.de 3.0 triples: catalogue, datasets, distributions, publishers and
// contact points, with persistent IRIs (built from ids only), plus hydra paging for harvesters
// (hydra:PagedCollection for CKAN's DCAT harvester and GovData, hydra:PartialCollectionView for newer clients).
import n3 from 'n3';
import type { Organisation } from '../../strategy/index.ts';
import type { Dataset, Distribution, Geometry, LangText } from '../catalog.model.ts';
import type { CatalogService } from '../catalog.service.ts';
import { CONTRIBUTOR_BASE, FILE_TYPE_BASE, FREQUENCY_BASE, LICENCE_BASE, MUNICIPALITY_BASE, THEME_BASE } from '../catalog.vocab.ts';
import { PREFIXES } from './rdf.write.ts';

const { namedNode: iri, literal, blankNode, quad } = n3.DataFactory;
const P = (prefix: keyof typeof PREFIXES, local: string) => iri(PREFIXES[prefix] + local);
const RDF_TYPE = P('rdf', 'type');
const xsd = (local: string) => P('xsd', local);

type Node = n3.Quad['subject'];
type Obj = n3.Quad['object'];

export class Graph {
  readonly quads: n3.Quad[] = [];
  private bnodes = 0;
  add(s: Node, p: string | n3.NamedNode, o: Obj): void {
    this.quads.push(quad(s, typeof p === 'string' ? iri(p) : p, o));
  }
  type(s: Node, t: n3.NamedNode): void { this.add(s, RDF_TYPE, t); }
  text(s: Node, p: n3.NamedNode, t: LangText | undefined): void {
    if (!t) return;
    this.add(s, p, literal(t.de, 'de'));
    if (t.en) this.add(s, p, literal(t.en, 'en'));
  }
  blank(): n3.BlankNode { return blankNode(`b${this.bnodes++}`); }
}

/** xsd:date for plain dates, xsd:dateTime otherwise. */
function dateLit(v: string): n3.Literal {
  return /^\d{4}-\d{2}-\d{2}$/.test(v) ? literal(v, xsd('date')) : literal(new Date(v).toISOString(), xsd('dateTime'));
}

function wkt(g: Geometry): string {
  const ring = (r: Array<[number, number]>) => `(${r.map(([x, y]) => `${x} ${y}`).join(', ')})`;
  if (g.type === 'Point') return `POINT(${g.coordinates[0]} ${g.coordinates[1]})`;
  if (g.type === 'Polygon') return `POLYGON(${g.coordinates.map(ring).join(', ')})`;
  return `MULTIPOLYGON(${g.coordinates.map((p) => `(${p.map(ring).join(', ')})`).join(', ')})`;
}

/** The bounding box of a geometry as a polygon. */
function envelope(g: Geometry): Geometry {
  const pts: Array<[number, number]> = g.type === 'Point' ? [g.coordinates] : g.type === 'Polygon' ? g.coordinates.flat() : g.coordinates.flat(2);
  const xs = pts.map((p) => p[0]);
  const ys = pts.map((p) => p[1]);
  const [w, e, s, n] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  return { type: 'Polygon', coordinates: [[[w, s], [e, s], [e, n], [w, n], [w, s]]] };
}

export interface GraphContext {
  service: CatalogService;
  organisations: Map<string, Organisation>;
}

export function organisationIri(c: GraphContext, id: string): string {
  return `${c.service.baseUrl}/catalog/organisations/${encodeURIComponent(id)}`;
}

/** The triples of a publisher (foaf:Agent with its name). */
export function organisationTriples(g: Graph, c: GraphContext, id: string): n3.NamedNode {
  const node = iri(organisationIri(c, id));
  const o = c.organisations.get(id);
  g.type(node, P('foaf', 'Agent'));
  g.type(node, P('foaf', 'Organization'));
  g.add(node, P('foaf', 'name'), literal(o?.name ?? id, 'de'));
  if (o?.url) g.add(node, P('foaf', 'homepage'), iri(o.url));
  return node;
}

function distribution(g: Graph, c: GraphContext, ds: Dataset, d: Distribution): n3.NamedNode {
  const s = c.service;
  const node = iri(s.distributionIri(ds.id, d.id));
  g.type(node, P('dcat', 'Distribution'));
  g.add(node, P('dct', 'identifier'), literal(d.id));
  g.text(node, P('dct', 'title'), d.title);
  g.text(node, P('dct', 'description'), d.description);
  g.add(node, P('dcat', 'accessURL'), iri(s.accessUrl(ds, d)));
  if (d.kind === 'link' && d.downloadUrl) g.add(node, P('dcat', 'downloadURL'), iri(d.downloadUrl));
  if (d.kind === 'file' || (d.kind === 'live' && d.live !== 'ngsi-ld')) g.add(node, P('dcat', 'downloadURL'), iri(s.downloadUrl(ds.id, d.id)));
  g.add(node, P('dct', 'format'), iri(FILE_TYPE_BASE + d.format));
  g.add(node, P('dcat', 'mediaType'), iri(`https://www.iana.org/assignments/media-types/${d.mediaType}`));
  g.add(node, P('dct', 'license'), iri(LICENCE_BASE + (d.licence ?? ds.licence)));
  if (d.byteSize !== undefined) g.add(node, P('dcat', 'byteSize'), literal(String(d.byteSize), xsd('nonNegativeInteger')));
  if (d.checksum) {
    const cs = g.blank();
    g.add(node, P('spdx', 'checksum'), cs);
    g.type(cs, P('spdx', 'Checksum'));
    g.add(cs, P('spdx', 'algorithm'), P('spdx', `checksumAlgorithm_${d.checksum.algorithm}`));
    g.add(cs, P('spdx', 'checksumValue'), literal(d.checksum.value, xsd('hexBinary')));
  }
  if (d.modified) g.add(node, P('dct', 'modified'), dateLit(d.modified));
  if (d.kind === 'live' && ds.live?.tenant && d.live === 'ngsi-ld') {
    g.add(node, P('dct', 'description'), literal(`NGSI-LD-Abfrage; Mandant (Header NGSILD-Tenant): ${ds.live.tenant}${ds.live.context ? `; @context: ${ds.live.context}` : ''}`, 'de'));
  }
  return node;
}

/** The triples of one dataset (with its distributions, publisher and contact point). `modified`: for live datasets the data's. */
export function datasetTriples(g: Graph, c: GraphContext, ds: Dataset, modified = ds.modified): n3.NamedNode {
  const node = iri(c.service.datasetIri(ds.id));
  g.type(node, P('dcat', 'Dataset'));
  g.add(node, P('dct', 'identifier'), literal(ds.id));
  g.text(node, P('dct', 'title'), ds.title);
  g.text(node, P('dct', 'description'), ds.description);
  g.add(node, P('dct', 'publisher'), organisationTriples(g, c, ds.publisherId));
  if (ds.contactPoint) {
    const cp = g.blank();
    const o = c.organisations.get(ds.contactPoint.organisationId);
    g.add(node, P('dcat', 'contactPoint'), cp);
    g.type(cp, P('vcard', 'Kind'));
    g.type(cp, P('vcard', 'Organization'));
    g.add(cp, P('vcard', 'fn'), literal(o?.name ?? ds.contactPoint.organisationId));
    if (ds.contactPoint.email) g.add(cp, P('vcard', 'hasEmail'), iri(`mailto:${ds.contactPoint.email}`));
    const url = ds.contactPoint.url ?? o?.url;
    if (url) g.add(cp, P('vcard', 'hasURL'), iri(url));
  }
  for (const t of ds.themes) g.add(node, P('dcat', 'theme'), iri(THEME_BASE + t));
  for (const k of ds.keywords) g.add(node, P('dcat', 'keyword'), literal(k, 'de'));
  if (ds.spatial?.municipalityKey) {
    const m = iri(MUNICIPALITY_BASE + ds.spatial.municipalityKey);
    g.add(node, P('dcatde', 'politicalGeocodingURI'), m);
    g.add(node, P('dcatde', 'politicalGeocodingLevelURI'), iri('http://dcat-ap.de/def/politicalGeocoding/Level/municipality'));
    g.add(node, P('dct', 'spatial'), m);
    g.type(m, P('dct', 'Location'));
  }
  if (ds.spatial?.geometry) {
    const loc = g.blank();
    g.add(node, P('dct', 'spatial'), loc);
    g.type(loc, P('dct', 'Location'));
    // DCAT-AP 3: the literal forms dcat:bbox / dcat:centroid (locn:geometry would need a geometry node).
    const geo = ds.spatial.geometry;
    if (geo.type === 'Point') g.add(loc, P('dcat', 'centroid'), literal(wkt(geo), P('gsp', 'wktLiteral')));
    else g.add(loc, P('dcat', 'bbox'), literal(wkt(envelope(geo)), P('gsp', 'wktLiteral')));
  }
  if (ds.temporal) {
    const t = g.blank();
    g.add(node, P('dct', 'temporal'), t);
    g.type(t, P('dct', 'PeriodOfTime'));
    if (ds.temporal.start) g.add(t, P('dcat', 'startDate'), dateLit(ds.temporal.start));
    if (ds.temporal.end) g.add(t, P('dcat', 'endDate'), dateLit(ds.temporal.end));
  }
  if (ds.accrualPeriodicity) g.add(node, P('dct', 'accrualPeriodicity'), iri(FREQUENCY_BASE + ds.accrualPeriodicity));
  if (ds.issued) g.add(node, P('dct', 'issued'), dateLit(ds.issued));
  g.add(node, P('dct', 'modified'), dateLit(modified));
  for (const cid of ds.contributorIds) g.add(node, P('dcatde', 'contributorID'), iri(cid.startsWith('http') ? cid : CONTRIBUTOR_BASE + cid));
  for (const x of ds.conformsTo) g.add(node, P('dct', 'conformsTo'), iri(x));
  if (ds.landingPage) g.add(node, P('dcat', 'landingPage'), iri(ds.landingPage));
  for (const d of ds.distributions) g.add(node, P('dcat', 'distribution'), distribution(g, c, ds, d));
  return node;
}

/** The catalogue resource itself (title, description, publisher, homepage). */
export function catalogTriples(g: Graph, c: GraphContext, publisherId: string): n3.NamedNode {
  const node = iri(c.service.catalogIri());
  g.type(node, P('dcat', 'Catalog'));
  g.text(node, P('dct', 'title'), { de: 'Offene Daten der Datendrehscheibe', en: 'Open data of the data hub' });
  g.text(node, P('dct', 'description'), { de: 'Datensätze der urbanen Datenplattform, darunter Live-Daten aus Sensoren der Stadt.', en: "Datasets of the urban data platform, including live data from the city's sensors." });
  g.add(node, P('dct', 'publisher'), organisationTriples(g, c, publisherId));
  g.add(node, P('foaf', 'homepage'), iri(`${c.service.baseUrl}/`));
  g.add(node, P('dct', 'language'), iri('http://publications.europa.eu/resource/authority/language/DEU'));
  return node;
}

export interface PageLinks {
  self: string;
  first: string;
  next?: string;
  previous?: string;
  total: number;
  perPage: number;
}

/** Paging triples on the page's own URL: old hydra (PagedCollection) and new (PartialCollectionView). */
export function pagingTriples(g: Graph, catalog: n3.NamedNode, l: PageLinks): void {
  const page = iri(l.self);
  g.type(page, P('hydra', 'PagedCollection'));
  g.type(page, P('hydra', 'PartialCollectionView'));
  g.add(page, P('hydra', 'totalItems'), literal(String(l.total), xsd('integer')));
  g.add(page, P('hydra', 'itemsPerPage'), literal(String(l.perPage), xsd('integer')));
  g.add(page, P('hydra', 'firstPage'), literal(l.first));
  g.add(page, P('hydra', 'first'), iri(l.first));
  if (l.next) { g.add(page, P('hydra', 'nextPage'), literal(l.next)); g.add(page, P('hydra', 'next'), iri(l.next)); }
  if (l.previous) { g.add(page, P('hydra', 'previousPage'), literal(l.previous)); g.add(page, P('hydra', 'previous'), iri(l.previous)); }
  g.add(catalog, P('hydra', 'view'), page);
}
