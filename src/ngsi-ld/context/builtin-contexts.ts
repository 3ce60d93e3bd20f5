// The @context documents Drehscheibe ships and never fetches: the NGSI-LD core @context
// (GS CIM 009 V1.8.1 annex B) under all its published URLs, and the Smart Data Models domain contexts.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Directory of the shipped context files (`contexts/` at the repository root). */
export const CONTEXTS_DIR = fileURLToPath(new URL('../../../contexts/', import.meta.url));

/** The core @context this broker implements (clause 4.4, annex B). */
export const CORE_CONTEXT_URL = 'https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld';

export const CORE_CONTEXT_FILE = 'ngsi-ld-core-context-v1.8.jsonld';

const CORE_FILE_NAMES = [
  'ngsi-ld-core-context.jsonld',
  'ngsi-ld-core-context-v1.3.jsonld',
  'ngsi-ld-core-context-v1.4.jsonld',
  'ngsi-ld-core-context-v1.5.jsonld',
  'ngsi-ld-core-context-v1.6.jsonld',
  'ngsi-ld-core-context-v1.7.jsonld',
  'ngsi-ld-core-context-v1.8.jsonld',
  'ngsi-ld-core-context-v1.9.jsonld',
];

/**
 * Every published URL of the core @context, http and https. All of them resolve to the one v1.8
 * document we ship: clause 4.4 makes the core @context "implicitly present" and immutable, so a client
 * naming an older or newer version must not make the broker fetch or switch core definitions. The
 * term-to-IRI mappings are stable across versions; later versions only add terms.
 */
export const CORE_CONTEXT_URLS: ReadonlySet<string> = new Set(
  CORE_FILE_NAMES.flatMap((f) => [`https://uri.etsi.org/ngsi-ld/v1/${f}`, `http://uri.etsi.org/ngsi-ld/v1/${f}`]),
);

export function isCoreContextUrl(url: string): boolean {
  return CORE_CONTEXT_URLS.has(url);
}

/** Smart Data Models contexts, preloaded under their published URLs (see contexts/smart-data-models/SOURCES.md). */
const SDM_REPOS = [
  'dataModel.Building', 'dataModel.DCAT-AP', 'dataModel.Device', 'dataModel.Energy', 'dataModel.Environment',
  'dataModel.GreenEnergy', 'dataModel.IssueTracking', 'dataModel.Parking', 'dataModel.PointOfInterest',
  'dataModel.Streetlighting', 'dataModel.Transportation', 'dataModel.Weather', 'dataModel.WifiNetwork',
];

export function smartDataModelsContextUrl(repo: string): string {
  return `https://raw.githubusercontent.com/smart-data-models/${repo}/master/context.jsonld`;
}

/** The same files as published on GitHub Pages (some model examples name this form). */
export function smartDataModelsPagesUrl(repo: string): string {
  return `https://smart-data-models.github.io/${repo}/context.jsonld`;
}

/** url → absolute file path of each preloaded Smart Data Models context (both published forms). */
export const SMART_DATA_MODELS_CONTEXTS: ReadonlyMap<string, string> = new Map(
  SDM_REPOS.flatMap((repo) => {
    const file = `${CONTEXTS_DIR}smart-data-models/${repo}.context.jsonld`;
    return [[smartDataModelsContextUrl(repo), file], [smartDataModelsPagesUrl(repo), file]] as Array<[string, string]>;
  }),
);

/**
 * Reads a context document file and returns its `@context` value. Throws a plain Error naming the file,
 * because these are start-up problems (a broken checkout or a wrong DREHSCHEIBE_CONTEXT_MAP entry).
 */
export function readContextFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`cannot read @context file ${path}: ${(e as Error).message}`, { cause: e });
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new Error(`@context file ${path} is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc) || !('@context' in doc)) {
    throw new Error(`@context file ${path} is not a JSON-LD context document: it has no top-level "@context" member`);
  }
  return (doc as Record<string, unknown>)['@context'];
}

let coreValue: unknown;

/** The `@context` value of the shipped core context document (read once). */
export function coreContextValue(): unknown {
  coreValue ??= readContextFile(CONTEXTS_DIR + CORE_CONTEXT_FILE);
  return coreValue;
}

/** The full core context document, `{"@context": {...}}`, e.g. to serve or to feed a JSON-LD library. */
export function coreContextDocument(): { '@context': unknown } {
  return { '@context': coreContextValue() };
}
