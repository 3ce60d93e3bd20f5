// JSON-LD 1.1 context processing (W3C JSON-LD 1.1 API §4.1 Context Processing, §4.2 Create Term Definition,
// §5.2 IRI Expansion), reduced to what NGSI-LD needs and with the core @context's absolute precedence (4.4).
// Runs once per distinct @context; the request hot path only uses the resulting term map.
import { BadRequestData } from '../../core/errors.ts';

export interface TermDef {
  /** IRI, keyword, or null for a term explicitly mapped to null. */
  readonly id: string | null;
  /** Expanded type mapping: @id, @vocab, @json, @none or an IRI. */
  readonly type?: string;
  /** Sorted container mapping, e.g. ['@list'] or ['@id', '@set']. */
  readonly container?: readonly string[];
  readonly language?: string | null;
  readonly direction?: string | null;
  readonly index?: string;
  readonly nest?: string;
  readonly context?: unknown;
  readonly reverse: boolean;
  /** May be used as the prefix of a compact IRI (JSON-LD 1.1 "prefix flag"). */
  readonly prefix: boolean;
  readonly protected: boolean;
  /** Defined by the NGSI-LD core @context: such terms cannot be redefined (clauses 4.4, 5.5.7, C.9). */
  readonly core: boolean;
  readonly termHasColon: boolean;
}

export interface ActiveContext {
  vocab: string | null;
  terms: Map<string, TermDef>;
}

/** Gives the `@context` value of an already loaded context document. */
export type DocumentLookup = (url: string) => unknown;

interface Env {
  readonly lookup: DocumentLookup;
  /** Defining the core @context itself: terms become core terms and scoped contexts are allowed. */
  readonly isCore: boolean;
  /** Where the definitions come from, for error messages: a URL or "the inline @context". */
  readonly source: string;
  readonly coreVocab: string | null;
}

const KEYWORDS = new Set([
  '@base', '@container', '@context', '@default', '@direction', '@embed', '@explicit', '@graph', '@id', '@included',
  '@index', '@json', '@language', '@list', '@nest', '@none', '@omitDefault', '@prefix', '@preserve', '@protected',
  '@requireAll', '@reverse', '@set', '@type', '@value', '@version', '@vocab',
]);
const KEYWORD_FORM = /^@[a-zA-Z]+$/;
const ABSOLUTE_IRI = /^([A-Za-z][A-Za-z0-9+\-.]*|_):[^\s]*$/;
const TERM_KEYS = new Set(['@container', '@id', '@language', '@reverse', '@type', '@context', '@direction', '@index', '@nest', '@prefix', '@protected']);
const CONTAINERS = new Set(['@list', '@set', '@index', '@language', '@graph', '@id', '@type']);
/** Context entries that are not term definitions (JSON-LD 1.1 §4.1.2 steps 5.5-5.11). */
const CONTEXT_KEYWORDS = new Set(['@version', '@import', '@base', '@vocab', '@language', '@direction', '@propagate', '@protected']);

export const MAX_CONTEXT_DEPTH = 10;

export function isKeyword(v: string): boolean {
  return v.length > 1 && v[0] === '@' && KEYWORDS.has(v);
}

export function isAbsoluteIri(v: string): boolean {
  return ABSOLUTE_IRI.test(v);
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function emptyActiveContext(): ActiveContext {
  return { vocab: null, terms: new Map() };
}

export function cloneActiveContext(c: ActiveContext): ActiveContext {
  return { vocab: c.vocab, terms: new Map(c.terms) };
}

/**
 * Resolves a context reference against the document that contains it (JSON-LD 1.1 §4.1.2 step 5.2.1).
 * Absolute references are kept exactly as written, so that cache keys and built-in lookups match them.
 */
export function resolveContextUrl(ref: string, base: string | undefined, source: string): string {
  if (isAbsoluteIri(ref)) return ref;
  if (base !== undefined) {
    try {
      return new URL(ref, base).href;
    } catch { /* reported below */ }
  }
  throw new BadRequestData(`The @context reference "${ref.slice(0, 200)}"${base === undefined ? '' : ` in ${source}`} is not an absolute URL`);
}

/**
 * Applies a local context (string URL, object, or array of those) to `active`, in place.
 * All referenced documents must already be loaded (see loadContextUrls); `lookup` gives them.
 */
export function applyLocalContext(
  active: ActiveContext,
  local: unknown,
  opts: { lookup: DocumentLookup; isCore?: boolean; source?: string; base?: string; coreVocab?: string | null; isCoreUrl?: (u: string) => boolean },
): void {
  const env: Env = { lookup: opts.lookup, isCore: opts.isCore ?? false, source: opts.source ?? 'the inline @context', coreVocab: opts.coreVocab ?? null };
  apply(active, local, env, opts.base, opts.isCoreUrl ?? (() => false), 0);
}

function apply(active: ActiveContext, local: unknown, env: Env, base: string | undefined, isCoreUrl: (u: string) => boolean, depth: number): void {
  if (depth > MAX_CONTEXT_DEPTH) throw new BadRequestData(`@context nesting in ${env.source} is deeper than ${MAX_CONTEXT_DEPTH} levels`);
  const items = Array.isArray(local) ? local : [local];
  for (const item of items) {
    if (item === null) {
      // JSON-LD "invalid context nullification": the core @context is protected and cannot be cleared (4.4).
      throw new BadRequestData(`${cap(env.source)} contains null, which would clear the protected NGSI-LD core @context (clause 4.4)`);
    }
    if (typeof item === 'string') {
      const url = resolveContextUrl(item, base, env.source);
      if (isCoreUrl(url)) {
        // Processing the core @context again re-applies its definitions; only @vocab can have changed,
        // because user contexts cannot touch core terms. Same result as a JSON-LD processor (clause C.9).
        active.vocab = env.coreVocab;
        continue;
      }
      apply(active, env.lookup(url), { ...env, source: url }, url, isCoreUrl, depth + 1);
    } else if (isPlainObject(item)) {
      // A context document given inline ({"@context": ...}) is unwrapped, as jsonld.js does.
      if ('@context' in item) {
        apply(active, item['@context'], env, base, isCoreUrl, depth + 1);
      } else {
        applyDefinition(active, item, env, base);
      }
    } else {
      throw new BadRequestData(`${cap(env.source)} has an entry of type ${typeof item}; an @context entry must be a URL, an object or an array of those`);
    }
  }
}

function applyDefinition(active: ActiveContext, input: Record<string, unknown>, env: Env, base: string | undefined): void {
  let ctx = input;
  if ('@version' in ctx && ctx['@version'] !== 1.1) {
    throw new BadRequestData(`${cap(env.source)} has "@version": ${JSON.stringify(ctx['@version'])}; only 1.1 is valid`);
  }
  if ('@import' in ctx) {
    const ref = ctx['@import'];
    if (typeof ref !== 'string') throw new BadRequestData(`${cap(env.source)} has an "@import" that is not a URL string`);
    const imported = env.lookup(resolveContextUrl(ref, base, env.source));
    if (!isPlainObject(imported) || '@import' in imported) {
      throw new BadRequestData(`The @context imported by ${env.source} from ${ref} must be a single object without its own "@import"`);
    }
    ctx = { ...imported, ...ctx }; // entries of the importing context win (JSON-LD 1.1 §4.1.2 step 5.6.7)
  }
  if ('@base' in ctx && ctx['@base'] !== null && typeof ctx['@base'] !== 'string') {
    throw new BadRequestData(`${cap(env.source)} has an "@base" that is neither a string nor null`);
  }
  if ('@vocab' in ctx) {
    const v = ctx['@vocab'];
    if (v === null) active.vocab = null;
    else if (typeof v !== 'string') throw new BadRequestData(`${cap(env.source)} has an "@vocab" that is neither a string nor null`);
    else {
      const vocab = expandIriDuring(active, v, true);
      if (vocab === null || !isAbsoluteIri(vocab)) {
        throw new BadRequestData(`${cap(env.source)} has "@vocab": "${v}", which does not expand to an absolute IRI`);
      }
      active.vocab = vocab;
    }
  }
  if ('@language' in ctx && ctx['@language'] !== null && typeof ctx['@language'] !== 'string') {
    throw new BadRequestData(`${cap(env.source)} has an "@language" that is neither a string nor null`);
  }
  if ('@direction' in ctx && ctx['@direction'] !== null && ctx['@direction'] !== 'ltr' && ctx['@direction'] !== 'rtl') {
    throw new BadRequestData(`${cap(env.source)} has an "@direction" other than "ltr", "rtl" or null`);
  }
  if ('@propagate' in ctx && typeof ctx['@propagate'] !== 'boolean') {
    throw new BadRequestData(`${cap(env.source)} has an "@propagate" that is not a boolean`);
  }
  if ('@protected' in ctx && typeof ctx['@protected'] !== 'boolean') {
    throw new BadRequestData(`${cap(env.source)} has an "@protected" that is not a boolean`);
  }
  const defined = new Map<string, boolean>();
  const protectedDefault = ctx['@protected'] === true;
  for (const term of Object.keys(ctx)) {
    if (CONTEXT_KEYWORDS.has(term)) continue;
    createTermDefinition(active, ctx, term, defined, protectedDefault, env);
  }
}

/** JSON-LD 1.1 §4.2.2 Create Term Definition, with NGSI-LD's core precedence (4.4) and one leniency (see step 14). */
function createTermDefinition(
  active: ActiveContext,
  local: Record<string, unknown>,
  term: string,
  defined: Map<string, boolean>,
  protectedDefault: boolean,
  env: Env,
): void {
  if (defined.has(term)) {
    if (defined.get(term)) return;
    throw new BadRequestData(`${cap(env.source)} defines the term "${term}" in terms of itself (cyclic IRI mapping)`);
  }
  defined.set(term, false);
  let value = local[term];
  const bad = (why: string) => new BadRequestData(`Invalid definition of the term "${term}" in ${env.source}: ${why}`);

  if (term === '@type' && isPlainObject(value) && (value['@container'] ?? '@set') === '@set') {
    // JSON-LD 1.1 allows {"@type": {"@container": "@set"}}; it changes nothing for term lookups.
    if (Object.keys(value).some((k) => !['@container', '@id', '@protected'].includes(k))) throw bad('keywords cannot be redefined');
    defined.set(term, true);
    return;
  }
  if (isKeyword(term)) throw bad('keywords cannot be redefined');
  if (KEYWORD_FORM.test(term)) {
    defined.set(term, true); // reserved for future keywords: JSON-LD ignores such terms
    return;
  }
  if (term === '') throw bad('a term cannot be the empty string');

  const previous = active.terms.get(term);
  // Clause 4.4/5.5.7: "the Core @context is protected and shall remain immutable"; user @contexts
  // redefining a core term (e.g. "location", "observedAt", "dataset") do not override it, and the
  // request is not rejected either: the core is treated as if it were last in the array (clause C.9).
  if (previous?.core && !env.isCore) {
    defined.set(term, true);
    return;
  }
  active.terms.delete(term);

  const simpleTerm = typeof value === 'string' || value === null;
  if (simpleTerm) value = { '@id': value };
  if (!isPlainObject(value)) throw bad('a term definition must be a string, null or an object');
  for (const k of Object.keys(value)) if (!TERM_KEYS.has(k)) throw bad(`a term definition may not contain "${k}"`);
  if ('@context' in value && !env.isCore) {
    // Clause 5.5.7: a user @context "shall not contain JSON-LD Scoped Contexts" → BadRequestData.
    throw bad('scoped contexts ("@context" inside a term definition) are not allowed in NGSI-LD (clause 5.5.7)');
  }

  const colon = term.indexOf(':');
  const termHasColon = colon > 0;
  let id: string | null | undefined;
  let reverse = false;
  let prefix = false;
  const restorePrevious = () => {
    if (previous) active.terms.set(term, previous);
    defined.set(term, true);
  };

  if ('@reverse' in value) {
    if ('@id' in value || '@nest' in value) throw bad('"@reverse" cannot be combined with "@id" or "@nest"');
    const rev = value['@reverse'];
    if (typeof rev !== 'string') throw bad('"@reverse" must be a string');
    if (KEYWORD_FORM.test(rev)) return restorePrevious();
    const exp = expandIriDuring(active, rev, true, local, defined, env, protectedDefault);
    if (exp === null || !isAbsoluteIri(exp)) throw bad(`"@reverse": "${rev}" does not expand to an absolute IRI`);
    id = exp;
    reverse = true;
  } else if ('@id' in value) {
    const raw = value['@id'];
    if (raw !== null && typeof raw !== 'string') throw bad('"@id" must be a string or null');
    if (raw === null) id = null;
    else if (!isKeyword(raw) && KEYWORD_FORM.test(raw)) return restorePrevious();
    else if (raw !== term) {
      const exp = expandIriDuring(active, raw, true, local, defined, env, protectedDefault);
      if (exp === null || (!isAbsoluteIri(exp) && !isKeyword(exp))) {
        throw bad(`"@id": "${raw}" expands to neither an absolute IRI nor a keyword`);
      }
      // Step 14 ("term in the form of an IRI must expand to its definition") is NOT enforced: published
      // contexts such as Smart Data Models' dataModel.IssueTracking define "open311:type" without an
      // "open311" prefix. We keep the explicit @id, as JSON-LD 1.0 processors do.
      id = exp;
      prefix = simpleTerm && !termHasColon && /[:/?#[\]@]$/.test(exp);
    }
  }
  if (id === undefined) {
    if (termHasColon) {
      const p = term.slice(0, colon);
      if (Object.hasOwn(local, p)) createTermDefinition(active, local, p, defined, protectedDefault, env);
      const pdef = active.terms.get(p);
      id = pdef && typeof pdef.id === 'string' ? pdef.id + term.slice(colon + 1) : term;
    } else if (term.includes('/')) {
      // JSON-LD 1.1 resolves such terms against @base; a @context has no meaningful base here.
      throw bad('a term containing "/" must have an "@id" or be an absolute IRI');
    } else {
      if (active.vocab === null) throw bad('it has no "@id" and no "@vocab" is in force');
      id = active.vocab + term;
    }
  }
  defined.set(term, true);

  const def: { -readonly [K in keyof TermDef]: TermDef[K] } = {
    id,
    reverse,
    prefix,
    protected: value['@protected'] === true || (protectedDefault && value['@protected'] !== false),
    core: env.isCore,
    termHasColon,
  };

  if ('@type' in value) {
    const t = value['@type'];
    if (typeof t !== 'string') throw bad('"@type" must be a string');
    if (t === '@id' || t === '@vocab' || t === '@json' || t === '@none') def.type = t;
    else {
      const exp = expandIriDuring(active, t, true, local, defined, env, protectedDefault);
      if (exp === null || !isAbsoluteIri(exp) || exp.startsWith('_:')) throw bad(`"@type": "${t}" does not expand to an absolute IRI`);
      def.type = exp;
    }
  }
  if ('@container' in value) {
    const raw = value['@container'];
    const c = typeof raw === 'string' ? [raw] : Array.isArray(raw) ? raw : null;
    if (c === null || c.some((x) => typeof x !== 'string' || !CONTAINERS.has(x))) throw bad('invalid "@container"');
    const list = c as string[];
    const hasSet = list.includes('@set');
    if (list.includes('@list') ? list.length !== 1
      : list.includes('@graph') ? list.some((x) => !['@graph', '@id', '@index', '@set'].includes(x))
        : list.length > (hasSet ? 2 : 1)) throw bad('invalid combination in "@container"');
    if (list.includes('@type')) {
      def.type ??= '@id';
      if (def.type !== '@id' && def.type !== '@vocab') throw bad('"@container": "@type" needs "@type" to be "@id" or "@vocab"');
    }
    if (reverse && list.some((x) => x !== '@index' && x !== '@set')) throw bad('a "@reverse" term can only have an "@index" or "@set" container');
    def.container = [...list].sort();
  }
  if ('@index' in value) {
    const ix = value['@index'];
    if (!def.container?.includes('@index') || typeof ix !== 'string' || ix.startsWith('@')) throw bad('invalid "@index"');
    def.index = ix;
  }
  if ('@context' in value) def.context = value['@context'];
  if ('@language' in value && !('@type' in value)) {
    const l = value['@language'];
    if (l !== null && typeof l !== 'string') throw bad('"@language" must be a string or null');
    def.language = l === null ? null : l.toLowerCase();
  }
  if ('@prefix' in value) {
    if (/[:/]/.test(term)) throw bad('"@prefix" cannot be used on a compact IRI or IRI term');
    if (typeof def.id === 'string' && isKeyword(def.id)) throw bad('a keyword alias cannot be a prefix');
    if (typeof value['@prefix'] !== 'boolean') throw bad('"@prefix" must be a boolean');
    def.prefix = value['@prefix'];
  }
  if ('@direction' in value) {
    const d = value['@direction'];
    if (d !== null && d !== 'ltr' && d !== 'rtl') throw bad('"@direction" must be "ltr", "rtl" or null');
    def.direction = d;
  }
  if ('@nest' in value) {
    const n = value['@nest'];
    if (typeof n !== 'string' || (n !== '@nest' && n.startsWith('@'))) throw bad('invalid "@nest"');
    def.nest = n;
  }
  if (def.id === '@context' || def.id === '@preserve') throw bad(`"${def.id}" cannot be aliased`);

  if (previous?.protected && !sameDefinition(previous, def)) {
    // JSON-LD 1.1 "protected term redefinition", for terms a user @context itself marked @protected.
    throw bad(`it redefines a protected term`);
  }
  if (previous?.protected) def.protected = true;
  active.terms.set(term, def);
}

function sameDefinition(a: TermDef, b: TermDef): boolean {
  return a.id === b.id && a.type === b.type && a.reverse === b.reverse && a.prefix === b.prefix
    && (a.container ?? []).join() === (b.container ?? []).join() && a.language === b.language
    && a.direction === b.direction && a.index === b.index && a.nest === b.nest
    && JSON.stringify(a.context) === JSON.stringify(b.context);
}

/**
 * JSON-LD 1.1 §5.2 IRI Expansion (vocab-relative when `vocab` is true). Returns null for a term explicitly
 * mapped to null or a keyword-like string.
 */
export function expandIri(active: ActiveContext, value: string, vocab = true): string | null {
  return expandIriDuring(active, value, vocab);
}

/** IRI expansion during context processing: `local`/`defined` let it define the terms it depends on first. */
function expandIriDuring(
  active: ActiveContext,
  value: string,
  vocab: boolean,
  local?: Record<string, unknown>,
  defined?: Map<string, boolean>,
  env?: Env,
  protectedDefault = false,
): string | null {
  if (isKeyword(value)) return value;
  if (KEYWORD_FORM.test(value)) return null;
  if (local && defined && env && Object.hasOwn(local, value) && defined.get(value) !== true) {
    createTermDefinition(active, local, value, defined, protectedDefault, env);
  }
  if (vocab) {
    const def = active.terms.get(value);
    if (def) return def.id;
  }
  const colon = value.indexOf(':');
  if (colon > 0) {
    const p = value.slice(0, colon);
    const suffix = value.slice(colon + 1);
    if (p === '_' || suffix.startsWith('//')) return value;
    if (local && defined && env && Object.hasOwn(local, p)) createTermDefinition(active, local, p, defined, protectedDefault, env);
    const pdef = active.terms.get(p);
    if (pdef?.prefix && typeof pdef.id === 'string') return pdef.id + suffix;
    if (isAbsoluteIri(value)) return value;
  }
  if (vocab && active.vocab !== null) return active.vocab + value;
  return value;
}

/**
 * The URLs a local context needs, for loading before applyLocalContext (URL entries and "@import"s,
 * recursively through loaded documents). `load` fetches one document and gives its `@context` value.
 * Detects cycles (a URL inside its own resolution) and limits nesting to MAX_CONTEXT_DEPTH.
 */
export async function loadContextUrls(
  local: unknown,
  load: (url: string) => Promise<unknown>,
  isCoreUrl: (u: string) => boolean,
  base?: string,
  source = 'the inline @context',
  chain: readonly string[] = [],
  seen = new Map<string, unknown>(),
): Promise<Map<string, unknown>> {
  if (chain.length > MAX_CONTEXT_DEPTH) {
    throw new BadRequestData(`@context references nest deeper than ${MAX_CONTEXT_DEPTH} levels (${chain.join(' → ')})`);
  }
  const visit = async (ref: string): Promise<void> => {
    const url = resolveContextUrl(ref, base, source);
    if (isCoreUrl(url)) return;
    if (chain.includes(url)) throw new BadRequestData(`Cyclic @context reference: ${[...chain, url].join(' → ')}`);
    if (!seen.has(url)) seen.set(url, await load(url));
    await loadContextUrls(seen.get(url), load, isCoreUrl, url, url, [...chain, url], seen);
  };
  for (const item of Array.isArray(local) ? local : [local]) {
    if (typeof item === 'string') await visit(item);
    else if (isPlainObject(item)) {
      if ('@context' in item) await loadContextUrls(item['@context'], load, isCoreUrl, base, source, chain, seen);
      else if (typeof item['@import'] === 'string') await visit(item['@import']);
    }
  }
  return seen;
}

function cap(s: string): string {
  return s.startsWith('the ') ? 'The' + s.slice(3) : `The @context ${s}`;
}
