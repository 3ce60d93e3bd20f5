// Test helpers for the @context module (used only by *.test.ts): a fetch that serves in-memory documents,
// and the jsonld library (dev dependency) wrapped as an oracle with a loader that never touches the network.
import { readFileSync } from 'node:fs';
import { CONTEXTS_DIR, CORE_CONTEXT_URL, CORE_CONTEXT_V18_FILE, SMART_DATA_MODELS_CONTEXTS, coreContextDocument } from './builtin-contexts.ts';

type Loose = Record<string, unknown>;
type Loader = (url: string) => Promise<{ contextUrl?: string; document: unknown; documentUrl: string }>;

export const NGSI_PROPERTY = 'https://uri.etsi.org/ngsi-ld/Property';
export const HAS_VALUE = 'https://uri.etsi.org/ngsi-ld/hasValue';

/** Published URL → context document, for the core @context and the shipped Smart Data Models contexts. */
export function shippedDocuments(): Map<string, unknown> {
  const docs = new Map<string, unknown>([[CORE_CONTEXT_URL, coreContextDocument()]]);
  // The v1.8 core as published, and the W3C context the v1.9 core's ngsildproof term names.
  docs.set('https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld', JSON.parse(readFileSync(CONTEXTS_DIR + CORE_CONTEXT_V18_FILE, 'utf8')));
  docs.set('https://w3id.org/security/data-integrity/v2', JSON.parse(readFileSync(`${CONTEXTS_DIR}w3id-security-data-integrity-v2.jsonld`, 'utf8')));
  for (const [url, file] of SMART_DATA_MODELS_CONTEXTS) docs.set(url, JSON.parse(readFileSync(file, 'utf8')));
  return docs;
}

/** A fetch that answers from `docs` (404 otherwise) and counts requests per URL. */
export function memoryFetch(docs: Map<string, unknown>): { fetchImpl: typeof fetch; calls: Map<string, number> } {
  const calls = new Map<string, number>();
  const fetchImpl = (async (input: string | URL | Request) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    calls.set(url, (calls.get(url) ?? 0) + 1);
    const doc = docs.get(url);
    if (doc === undefined) return new Response('not found', { status: 404 });
    return new Response(JSON.stringify(doc), { status: 200, headers: { 'content-type': 'application/ld+json' } });
  }) as typeof fetch;
  return { fetchImpl, calls };
}

/** The jsonld library as a JSON-LD 1.1 oracle, loading only from `docs`. */
export async function jsonldOracle(docs: Map<string, unknown>) {
  const jsonld = (await import('jsonld')).default as unknown as {
    expand(input: unknown, opts: { documentLoader: Loader }): Promise<Loose[]>;
    compact(input: unknown, ctx: unknown, opts: { documentLoader: Loader }): Promise<Loose>;
  };
  const documentLoader: Loader = async (url) => {
    const document = docs.get(url);
    if (document === undefined) throw new Error(`no network in tests: ${url}`);
    return { contextUrl: undefined, document: structuredClone(document), documentUrl: url };
  };
  const opts = { documentLoader };
  return {
    /** IRI of a property key, or undefined when JSON-LD drops the key. */
    async expandAttr(ctx: unknown, term: string): Promise<string | undefined> {
      const out = await jsonld.expand({ '@context': ctx, [term]: [] }, opts);
      return out.length ? Object.keys(out[0])[0] : undefined;
    },
    async expandType(ctx: unknown, term: string): Promise<string | undefined> {
      const out = await jsonld.expand({ '@context': ctx, '@type': term }, opts);
      return (out[0]?.['@type'] as string[] | undefined)?.[0];
    },
    /** Key JSON-LD gives an attribute whose value is an NGSI-LD Property instance (a node object without @id). */
    async compactAttr(ctx: unknown, iri: string): Promise<string> {
      const out = await jsonld.compact({ [iri]: [{ '@type': [NGSI_PROPERTY], [HAS_VALUE]: [{ '@value': 1 }] }] }, ctx, opts);
      return Object.keys(out).filter((k) => k !== '@context')[0];
    },
    /** Value JSON-LD gives a @type (the core @context aliases @type as "type"). */
    async compactType(ctx: unknown, iri: string): Promise<string> {
      const out = await jsonld.compact({ '@type': [iri] }, ctx, opts);
      return out.type as string;
    },
    /** Rejects like jsonld.expand would for an invalid context. */
    async process(ctx: unknown): Promise<void> {
      await jsonld.expand({ '@context': ctx, 'urn:x:p': 1 }, opts);
    },
  };
}
