// Serialising the catalogue's RDF: Turtle with n3's Writer, RDF/XML and JSON-LD (flattened, with a
// prefix context) written here from the same quads, so the three formats carry the same triples.
import n3 from 'n3';
type Quad = n3.Quad;
type Term = n3.Quad['object'] | n3.Quad['subject'];

export const PREFIXES: Record<string, string> = {
  rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
  rdfs: 'http://www.w3.org/2000/01/rdf-schema#',
  xsd: 'http://www.w3.org/2001/XMLSchema#',
  dcat: 'http://www.w3.org/ns/dcat#',
  dct: 'http://purl.org/dc/terms/',
  dcatde: 'http://dcat-ap.de/def/dcatde/',
  foaf: 'http://xmlns.com/foaf/0.1/',
  vcard: 'http://www.w3.org/2006/vcard/ns#',
  hydra: 'http://www.w3.org/ns/hydra/core#',
  spdx: 'http://spdx.org/rdf/terms#',
  locn: 'http://www.w3.org/ns/locn#',
  gsp: 'http://www.opengis.net/ont/geosparql#',
  adms: 'http://www.w3.org/ns/adms#',
};

export const FORMATS = {
  ttl: 'text/turtle',
  rdf: 'application/rdf+xml',
  jsonld: 'application/ld+json',
} as const;
export type RdfFormat = keyof typeof FORMATS;

/** The format for a file suffix, or from an Accept header (Turtle when nothing RDF is asked for). */
export function negotiate(suffix: string | undefined, accept: string | undefined): RdfFormat | undefined {
  if (suffix) return (suffix in FORMATS ? suffix : undefined) as RdfFormat | undefined;
  const ranked = (accept ?? '').split(',').map((part, i) => {
    const [type, ...params] = part.trim().split(';').map((s) => s.trim().toLowerCase());
    const q = Number(params.find((p) => p.startsWith('q='))?.slice(2) ?? '1');
    return { type, q: Number.isFinite(q) ? q : 0, i };
  }).filter((x) => x.q > 0).sort((a, b) => b.q - a.q || a.i - b.i);
  for (const r of ranked) {
    if (r.type === 'text/turtle' || r.type === 'application/x-turtle') return 'ttl';
    if (r.type === 'application/rdf+xml' || r.type === 'application/xml' || r.type === 'text/xml') return 'rdf';
    if (r.type === 'application/ld+json' || r.type === 'application/json') return 'jsonld';
  }
  return 'ttl';
}

export function toTurtle(quads: Quad[]): string {
  const w = new n3.Writer({ prefixes: PREFIXES });
  w.addQuads(quads);
  let out = '';
  w.end((err, result) => { if (err) throw err; out = result; });
  return out;
}

const xmlEsc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function split(iri: string, ns: Map<string, string>): { prefix: string; local: string } {
  const cut = Math.max(iri.lastIndexOf('#'), iri.lastIndexOf('/')) + 1;
  let base = iri.slice(0, cut);
  let local = iri.slice(cut);
  // An XML element name must start with a letter or underscore.
  if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(local)) { base = iri; local = ''; }
  let prefix = [...ns.entries()].find(([, v]) => v === base)?.[0];
  if (!prefix) {
    prefix = `ns${ns.size}`;
    ns.set(prefix, base);
  }
  return { prefix, local };
}

/** RDF/XML: one rdf:Description per subject, blank nodes by rdf:nodeID. */
export function toRdfXml(quads: Quad[]): string {
  const ns = new Map(Object.entries(PREFIXES));
  const bySubject = new Map<string, { s: Term; props: Quad[] }>();
  for (const q of quads) {
    const key = `${q.subject.termType}:${q.subject.value}`;
    let e = bySubject.get(key);
    if (!e) { e = { s: q.subject, props: [] }; bySubject.set(key, e); }
    e.props.push(q);
  }
  const body: string[] = [];
  for (const { s, props } of bySubject.values()) {
    const about = s.termType === 'BlankNode' ? `rdf:nodeID="${xmlEsc(s.value)}"` : `rdf:about="${xmlEsc(s.value)}"`;
    body.push(`  <rdf:Description ${about}>`);
    for (const q of props) {
      const { prefix, local } = split(q.predicate.value, ns);
      const name = `${prefix}:${local}`;
      const o = q.object;
      if (o.termType === 'NamedNode') body.push(`    <${name} rdf:resource="${xmlEsc(o.value)}"/>`);
      else if (o.termType === 'BlankNode') body.push(`    <${name} rdf:nodeID="${xmlEsc(o.value)}"/>`);
      else if (o.termType === 'Literal') {
        const attr = o.language ? ` xml:lang="${xmlEsc(o.language)}"` : o.datatype && o.datatype.value !== `${PREFIXES.xsd}string` ? ` rdf:datatype="${xmlEsc(o.datatype.value)}"` : '';
        body.push(`    <${name}${attr}>${xmlEsc(o.value)}</${name}>`);
      }
    }
    body.push('  </rdf:Description>');
  }
  const decl = [...ns.entries()].map(([p, v]) => `\n    xmlns:${p}="${xmlEsc(v)}"`).join('');
  return `<?xml version="1.0" encoding="utf-8"?>\n<rdf:RDF${decl}>\n${body.join('\n')}\n</rdf:RDF>\n`;
}

/** JSON-LD: a flattened @graph (full IRIs, values as value objects) with the prefixes as @context. */
export function toJsonLd(quads: Quad[]): string {
  const nodes = new Map<string, Record<string, unknown>>();
  const id = (t: Term) => (t.termType === 'BlankNode' ? `_:${t.value}` : t.value);
  for (const q of quads) {
    const sid = id(q.subject);
    let n = nodes.get(sid);
    if (!n) { n = { '@id': sid }; nodes.set(sid, n); }
    const o = q.object;
    if (q.predicate.value === `${PREFIXES.rdf}type` && o.termType === 'NamedNode') {
      ((n['@type'] ??= []) as string[]).push(o.value);
      continue;
    }
    const v = o.termType === 'Literal'
      ? (o.language ? { '@value': o.value, '@language': o.language } : o.datatype && o.datatype.value !== `${PREFIXES.xsd}string` ? { '@value': o.value, '@type': o.datatype.value } : { '@value': o.value })
      : { '@id': id(o) };
    ((n[q.predicate.value] ??= []) as unknown[]).push(v);
  }
  return JSON.stringify({ '@graph': [...nodes.values()] });
}

export function serialise(quads: Quad[], f: RdfFormat): string {
  return f === 'ttl' ? toTurtle(quads) : f === 'rdf' ? toRdfXml(quads) : toJsonLd(quads);
}
