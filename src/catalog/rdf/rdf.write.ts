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

// Turtle is written here rather than with n3's Writer (a prefix regular expression per IRI and a
// string concatenation per token were a large share of a full harvest's server time): the triples
// are grouped by subject, IRIs under a known namespace with a plain local name are prefixed, and
// strings are escaped as n3 escapes them, so n3's parser reads back exactly the triples given.
const ESC = /["\\\t\n\r\b\f\u0000-\u0019\ud800-\udbff]/;
const ESC_ALL = /["\\\t\n\r\b\f\u0000-\u0019]|[\ud800-\udbff][\udc00-\udfff]/g;
const SHORT: Record<string, string> = { '\\': '\\\\', '"': '\\"', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\b': '\\b', '\f': '\\f' };
function escChar(c: string): string {
  const short = SHORT[c];
  if (short) return short;
  if (c.length === 1) return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  return `\\U${((c.charCodeAt(0) - 0xd800) * 0x400 + c.charCodeAt(1) + 0x2400).toString(16).padStart(8, '0')}`;
}
const esc = (s: string) => (ESC.test(s) ? s.replace(ESC_ALL, escChar) : s);

const NAMESPACES = new Map(Object.entries(PREFIXES).map(([p, ns]) => [ns, p]));
/** A local name safe in every Turtle parser (a subset of PN_LOCAL). */
const LOCAL = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const XSD_STRING = `${PREFIXES.xsd}string`;

/** Written forms of recent IRIs: predicates, classes and vocabulary terms repeat in every dataset. */
const IRI_TEXT = new Map<string, string>();

function iriText(iri: string): string {
  let t = IRI_TEXT.get(iri);
  if (t === undefined) {
    const cut = Math.max(iri.lastIndexOf('#'), iri.lastIndexOf('/')) + 1;
    const prefix = NAMESPACES.get(iri.slice(0, cut));
    t = prefix !== undefined && LOCAL.test(iri.slice(cut)) ? `${prefix}:${iri.slice(cut)}` : `<${esc(iri)}>`;
    if (IRI_TEXT.size >= 5000) IRI_TEXT.clear();
    IRI_TEXT.set(iri, t);
  }
  return t;
}

function termText(t: Term): string {
  if (t.termType === 'NamedNode') return iriText(t.value);
  if (t.termType === 'BlankNode') return `_:${t.value}`;
  if (t.termType === 'Literal') {
    const v = `"${esc(t.value)}"`;
    if (t.language) return `${v}@${t.language}`;
    return t.datatype && t.datatype.value !== XSD_STRING ? `${v}^^${iriText(t.datatype.value)}` : v;
  }
  throw new Error(`cannot write a ${t.termType} in Turtle`);
}

const TURTLE_HEAD = Object.entries(PREFIXES).map(([p, ns]) => `@prefix ${p}: <${ns}>.\n`).join('') + '\n';

const RDF_TYPE = `${PREFIXES.rdf}type`;

export function toTurtle(quads: Quad[]): string {
  // Parts joined once at the end: one flat string, not a rope of many thousand concatenations.
  const out: string[] = [TURTLE_HEAD];
  let subject: Term | undefined;
  for (const q of quads) {
    const p = q.predicate.value === RDF_TYPE ? 'a' : iriText(q.predicate.value);
    if (subject && q.subject.equals(subject)) out.push(';\n    ', p, ' ', termText(q.object));
    else {
      out.push(subject ? '.\n' : '', termText(q.subject), ' ', p, ' ', termText(q.object));
      subject = q.subject;
    }
  }
  if (subject) out.push('.\n');
  return out.join('');
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
