// The @context documents Drehscheibe ships and never fetches: the NGSI-LD core @context
// (GS CIM 009 V1.9.1 annex B) under all its published URLs, and the Smart Data Models domain contexts.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Directory of the shipped context files (`contexts/` at the repository root). */
export const CONTEXTS_DIR = fileURLToPath(new URL('../../../contexts/', import.meta.url));

/** The core @context this broker implements (clause 4.4, annex B). */
export const CORE_CONTEXT_URL = 'https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.9.jsonld';

export const CORE_CONTEXT_FILE = 'ngsi-ld-core-context-v1.9.jsonld';

/** The v1.8 core @context as published (kept beside v1.9 for comparison and for clients that fetch it). */
export const CORE_CONTEXT_V18_FILE = 'ngsi-ld-core-context-v1.8.jsonld';

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
 * Every published URL of the core @context, http and https. All of them resolve to the one v1.9
 * document we ship: clause 4.4 makes the core @context "implicitly present" and immutable, so a client
 * naming an older version must not make the broker fetch or switch core definitions. The term-to-IRI
 * mappings of v1.8 are kept by v1.9 except three fixes (attributeCount and attributeDetails were not
 * IRIs in v1.8, objectsLists is objectLists) and geometryProperty, which v1.9 dropped (contexts/SOURCES.md).
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
  'dataModel.GreenEnergy', 'dataModel.IssueTracking', 'dataModel.KeyPerformanceIndicator', 'dataModel.Parking', 'dataModel.PointOfInterest',
  'dataModel.Streetlighting', 'dataModel.Transportation', 'dataModel.Weather', 'dataModel.WifiNetwork',
];

export function smartDataModelsContextUrl(repo: string): string {
  return `https://raw.githubusercontent.com/smart-data-models/${repo}/master/context.jsonld`;
}

/** The same files as published on GitHub Pages (some model examples name this form). */
export function smartDataModelsPagesUrl(repo: string): string {
  return `https://smart-data-models.github.io/${repo}/context.jsonld`;
}

/**
 * The general Smart Data Models @context (the one most model examples and docs name), here the merge of
 * the domain contexts above built by scripts/build-sdm-context.mjs (see contexts/smart-data-models/SOURCES.md).
 */
export const SMART_DATA_MODELS_GENERAL_URL = 'https://smartdatamodels.org/context.jsonld';
const SDM_GENERAL_FILE = `${CONTEXTS_DIR}smart-data-models/smartdatamodels.context.jsonld`;

/** url → absolute file path of each preloaded Smart Data Models context (both published forms, and the general one). */
export const SMART_DATA_MODELS_CONTEXTS: ReadonlyMap<string, string> = new Map([
  ...SDM_REPOS.flatMap((repo) => {
    const file = `${CONTEXTS_DIR}smart-data-models/${repo}.context.jsonld`;
    return [[smartDataModelsContextUrl(repo), file], [smartDataModelsPagesUrl(repo), file]] as Array<[string, string]>;
  }),
  [SMART_DATA_MODELS_GENERAL_URL, SDM_GENERAL_FILE],
  ['http://smartdatamodels.org/context.jsonld', SDM_GENERAL_FILE],
]);

/**
 * Hosted @contexts every instance serves under short, stable URLs (`/ngsi-ld/v1/jsonldContexts/<id>`):
 * one per demo tenant, holding the @context its simulated devices are provisioned with, so a newcomer can
 * query the demo with `Link: <http://…/ngsi-ld/v1/jsonldContexts/herne>`. id → context file.
 */
export const BUILTIN_HOSTED_CONTEXTS: ReadonlyMap<string, string> = new Map([
  ['herne', SDM_GENERAL_FILE],
  ['smart-data-models', SDM_GENERAL_FILE],
]);

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
