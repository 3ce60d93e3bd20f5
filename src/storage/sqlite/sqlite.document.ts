// The stored form of an entity's attributes in SQLite (migration 013, issue #19): the same JSONB
// document with shorter keys and without what the entity row already says. At the bench's shape
// (ten attributes) the document shrinks from ~1,920 to ~700 bytes, so four rows share a 4 KB page
// instead of one. Lossless, key order included (rendering follows the stored order):
//
// - Attribute names (the document's top-level keys, expanded IRIs) under a known namespace are
//   stored as `<n>:<local name>` (n: the namespace's number in PREFIXES). An IRI's scheme starts
//   with a letter, so a key starting with a digit is always an encoded one; a stored name that
//   itself starts with a digit gets the namespace 0 (`0:<name>`).
// - An instance (of a top-level attribute) whose first member is `type` and whose last two are
//   `createdAt` equal to the entity's createdAt and `modifiedAt` is compacted: `type` is left out
//   when it is "Property", `createdAt` always, `modifiedAt` when equal to the entity's modifiedAt.
//   Any other instance is stored as it is, with the member `~` (no IRI, no core member) marking it.
//
// The query compiler addresses attributes by docKey() and reads an instance's createdAt and
// modifiedAt through instanceTimes(); sub-attributes are stored unchanged.
import type { AttrInstance } from '../port.ts';

/**
 * Namespaces of attribute names, by number. Append only: the numbers are stored in documents.
 */
const PREFIXES = [
  '', // 0: the name as it is (a name that starts with a digit)
  'https://uri.etsi.org/ngsi-ld/default-context/',
  'https://uri.etsi.org/ngsi-ld/',
  'https://smartdatamodels.org/dataModel.',
  'https://smartdatamodels.org/',
  'https://schema.org/',
  'http://schema.org/',
  'https://uri.fiware.org/ns/data-models#',
  'https://w3id.org/saref#',
  'http://www.w3.org/ns/',
  'http://purl.org/dc/terms/',
];
/** Longest first, so that `ngsi-ld/default-context/` wins over `ngsi-ld/`. */
const BY_LENGTH = PREFIXES.map((p, i) => ({ p, i })).filter((x) => x.i > 0).sort((a, b) => b.p.length - a.p.length);

const VERBATIM = '~';

/** An instance as stored: perhaps without its type. */
type Stored = Record<string, unknown>;

const keyCache = new Map<string, string>();
/** The stored key of an attribute name (expanded IRI). */
export function docKey(name: string): string {
  let k = keyCache.get(name);
  if (k !== undefined) return k;
  k = name;
  const c = name.charCodeAt(0);
  if (c >= 48 && c <= 57) k = `0:${name}`;
  else {
    for (const { p, i } of BY_LENGTH) {
      if (name.length > p.length && name.startsWith(p)) { k = `${i}:${name.slice(p.length)}`; break; }
    }
  }
  if (keyCache.size >= 10_000) keyCache.clear();
  keyCache.set(name, k);
  return k;
}

/** The attribute name of a stored key. */
export function nameOfKey(key: string): string {
  const c = key.charCodeAt(0);
  if (!(c >= 48 && c <= 57)) return key;
  const colon = key.indexOf(':');
  return PREFIXES[Number(key.slice(0, colon))] + key.slice(colon + 1);
}

function encodeInstance(inst: AttrInstance, createdAt: string, modifiedAt: string): Stored {
  const keys = Object.keys(inst);
  const n = keys.length;
  if (n < 3 || keys[0] !== 'type' || keys[n - 2] !== 'createdAt' || keys[n - 1] !== 'modifiedAt'
    || inst.createdAt !== createdAt || typeof inst.modifiedAt !== 'string') {
    return { ...inst, [VERBATIM]: 1 };
  }
  const out: Stored = {};
  if (inst.type !== 'Property') out.type = inst.type;
  for (let i = 1; i < n - 2; i++) out[keys[i]] = inst[keys[i]];
  if (inst.modifiedAt !== modifiedAt) out.modifiedAt = inst.modifiedAt;
  return out;
}

function decodeInstance(s: Stored, createdAt: string, modifiedAt: string): AttrInstance {
  if (VERBATIM in s) {
    const out = {} as AttrInstance;
    for (const k in s) if (k !== VERBATIM) out[k] = s[k];
    return out;
  }
  const out: AttrInstance = { type: 'Property' };
  let own: unknown;
  for (const k in s) {
    if (k === 'modifiedAt') own = s[k];
    else out[k] = s[k];
  }
  out.createdAt = createdAt;
  out.modifiedAt = own ?? modifiedAt;
  return out;
}

/** The document text (JSON) stored for an entity's attributes. */
export function encodeDocument(attrs: Record<string, AttrInstance[]>, createdAt: string, modifiedAt: string): string {
  const out: Record<string, Stored[]> = {};
  for (const name in attrs) out[docKey(name)] = attrs[name].map((i) => encodeInstance(i, createdAt, modifiedAt));
  return JSON.stringify(out);
}

/** The attributes of a stored document (JSON text). */
export function decodeDocument(text: string, createdAt: string, modifiedAt: string): Record<string, AttrInstance[]> {
  const stored = JSON.parse(text) as Record<string, Stored[]>;
  const out: Record<string, AttrInstance[]> = {};
  for (const key in stored) out[nameOfKey(key)] = stored[key].map((i) => decodeInstance(i, createdAt, modifiedAt));
  return out;
}

/**
 * SQL of an instance's createdAt or modifiedAt from the document (`doc`, the JSON path of the
 * instance as a bound parameter `base`) and the entity row (`row`: its created_at or modified_at
 * column): the member when stored, else the row's when the instance exists and is compacted.
 */
export function instanceTimeSql(doc: string, base: string, memberPath: string, verbatimPath: string, row: string): string {
  return `coalesce(${doc} ->> ${memberPath}, CASE WHEN json_type(${doc}, ${base}) = 'object' AND json_type(${doc}, ${verbatimPath}) IS NULL THEN ${row} END)`;
}
export const VERBATIM_KEY = VERBATIM;
