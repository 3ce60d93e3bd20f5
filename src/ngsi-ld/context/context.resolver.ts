// Resolves the @context of a request (Link header or body, clause 6.3.5) into a cached TermMap, once per
// distinct @context: core @context first (4.4), preloaded/stored documents before any download (5.13.1).
import { resolve as resolvePath } from 'node:path';
import { BadRequestData, InternalError, LdContextNotAvailable, ProblemError, Unauthorized } from '../../core/errors.ts';
import {
  BUILTIN_HOSTED_CONTEXTS, CORE_CONTEXT_URL, SMART_DATA_MODELS_CONTEXTS, coreContextValue, isCoreContextUrl, readContextFile,
} from './builtin-contexts.ts';
import { CompiledTermMap } from './compiled-term-map.ts';
import { checkFetchableUrl, fetchContextDocument } from './context.fetcher.ts';
import { type ActiveContext, applyLocalContext, cloneActiveContext, emptyActiveContext, loadContextUrls } from './context.processor.ts';
import { type ContextKind, ContextStore, type RemoteCacheLimits, type StoredContext, sha256 } from './context.store.ts';
import { Lru } from './lru.ts';
import type { TermMap } from './term-map.ts';

export { CORE_CONTEXT_URL, CORE_CONTEXT_URLS, isCoreContextUrl } from './builtin-contexts.ts';
export type { TermMap } from './term-map.ts';
export type { ContextKind, StoredContext } from './context.store.ts';

export interface ContextServiceOptions {
  fetchTimeoutMs: number;
  maxBytes: number;
  /** url → local file path (DREHSCHEIBE_CONTEXT_MAP); read at construction, so start-up fails on a bad entry. */
  contextMap?: Record<string, string>;
  /** Persists downloaded and hosted contexts, so they survive a restart. */
  cacheDir?: string;
  /** Base URL of this instance (e.g. http://127.0.0.1:1026), for the URLs of hosted contexts. */
  publicBaseUrl: string;
  /** false: never download; every @context must be preloaded or hosted. */
  allowRemote?: boolean;
  fetchImpl?: typeof fetch;
  /** Resolved term maps kept in memory (default 1,000). */
  maxTermMaps?: number;
  /** ImplicitlyCreated entries kept (default 1,000). */
  maxImplicitContexts?: number;
  /**
   * Estimated memory for resolved term maps, and separately for the inline @contexts kept as ImplicitlyCreated
   * entries (default 64 MiB each); least recently used ones are dropped beyond (DREHSCHEIBE_CONTEXT_MEMORY_MB).
   */
  memoryBytes?: number;
  /** Lifetime of a downloaded context when its server gives no Cache-Control max-age (default 24 h, clause 5.13.1). */
  cachedTtlMs?: number;
  /** Bounds of the downloaded contexts kept, in memory and on disk (default 1,000 entries, 64 MiB). */
  remoteCache?: RemoteCacheLimits;
  onWarning?: (message: string) => void;
}

export interface ResolveOptions {
  /**
   * false: the @context may only use documents this broker already holds (built-in, preloaded, hosted or
   * cached); a remote URL not cached is refused, never fetched. For anonymous requests (docs/security.md).
   */
  mayFetch?: boolean;
}

type Normalised =
  | { kind: 'core' }
  | { kind: 'url'; url: string }
  | { kind: 'inline'; value: unknown; json: string };

export class ContextService {
  readonly store: ContextStore;
  private readonly coreActive: ActiveContext;
  private readonly coreTermMap: CompiledTermMap;
  private readonly termMaps: Lru<string, CompiledTermMap>;
  private readonly building = new Map<string, Promise<CompiledTermMap>>();
  private readonly downloads = new Map<string, Promise<unknown>>();
  private readonly refreshing = new Set<string>();
  private readonly cachedTtlMs: number;
  /** document URL → keys of cached term maps built from it (to drop them when the document changes). */
  private readonly dependents = new Map<string, Set<string>>();

  constructor(private readonly opts: ContextServiceOptions) {
    this.coreActive = emptyActiveContext();
    const core = coreContextValue();
    applyLocalContext(this.coreActive, core, { lookup: noRemote, isCore: true, source: CORE_CONTEXT_URL });
    this.coreTermMap = new CompiledTermMap(this.coreActive, { key: CORE_CONTEXT_URL, source: CORE_CONTEXT_URL, linkUrl: CORE_CONTEXT_URL, dependencies: [CORE_CONTEXT_URL], namesCore: true });
    this.termMaps = new Lru(opts.maxTermMaps ?? 1000, opts.memoryBytes ?? 64 * 1024 * 1024);
    this.cachedTtlMs = opts.cachedTtlMs ?? 24 * 3600_000;
    this.store = new ContextStore({
      publicBaseUrl: opts.publicBaseUrl, cacheDir: opts.cacheDir, maxImplicit: opts.maxImplicitContexts ?? 1000,
      maxImplicitBytes: opts.memoryBytes ?? 64 * 1024 * 1024,
      cachedTtlMs: this.cachedTtlMs, onWarning: opts.onWarning, remoteCache: opts.remoteCache,
      onEvict: (url) => this.invalidate(url),
    });
    this.store.addPreloaded(CORE_CONTEXT_URL, core, 'builtin');
    const files = new Map<string, unknown>();
    const read = (file: string) => { if (!files.has(file)) files.set(file, readContextFile(file)); return files.get(file); };
    for (const [url, file] of SMART_DATA_MODELS_CONTEXTS) this.store.addPreloaded(url, read(file), 'builtin');
    for (const [id, file] of BUILTIN_HOSTED_CONTEXTS) this.store.addBuiltinHosted(id, read(file));
    for (const [url, file] of Object.entries(opts.contextMap ?? {})) {
      if (isCoreContextUrl(url)) {
        throw new Error(`DREHSCHEIBE_CONTEXT_MAP maps the core @context ${url} to ${file}; the core @context is built in and immutable (clause 4.4)`);
      }
      this.store.addPreloaded(url, readContextFile(resolvePath(file)), 'contextMap');
    }
    this.store.loadPersisted();
  }

  /** What the bounded caches hold: term maps (estimated bytes), inline @contexts and downloads (bytes of JSON). */
  usage(): { termMaps: { entries: number; bytes: number }; implicit: { entries: number; bytes: number }; remote: { entries: number; bytes: number; loaded: number } } {
    return { termMaps: { entries: this.termMaps.size, bytes: this.termMaps.weight }, implicit: this.store.implicitUsage, remote: this.store.remoteUsage };
  }

  /** The term map of the core @context alone (no user @context, clause 5.5.5). */
  get core(): TermMap {
    return this.coreTermMap;
  }

  private readonly coreVariants = new Map<string, TermMap>();

  /**
   * The core term map under another name of the core @context (v1.8, unversioned, an array of core
   * URLs): the same definitions, but responses echo the client's @context as given (clause 5.5.7).
   */
  private coreAs(context: unknown): TermMap {
    const k = typeof context === 'string' ? context : JSON.stringify(context);
    let v = this.coreVariants.get(k);
    if (!v) {
      const first = (Array.isArray(context) ? context[0] : context) as string;
      v = Object.create(this.coreTermMap, { source: { value: context }, linkUrl: { value: first.trim() }, namesCore: { value: true } }) as TermMap;
      if (this.coreVariants.size < 64) this.coreVariants.set(k, v);
    }
    return v;
  }

  /**
   * Resolves an @context as found in a Link header or a body (undefined, URL, object, or array of those).
   * Throws BadRequestData for invalid contexts and LdContextNotAvailable for unretrievable ones (5.5.6).
   */
  async resolve(context: unknown, ropts?: ResolveOptions): Promise<TermMap> {
    const n = normalise(context);
    const mayFetch = ropts?.mayFetch !== false;
    const now = Date.now();
    if (n.kind === 'core') {
      this.store.hit(this.store.getByUrl(CORE_CONTEXT_URL), now);
      const own = context === undefined || context === null || context === CORE_CONTEXT_URL
        || (Array.isArray(context) && context.every((c) => c === CORE_CONTEXT_URL));
      return own ? this.coreTermMap : this.coreAs(context);
    }
    const key = n.kind === 'url' ? n.url : 'sha256:' + sha256(n.json);
    let tm = this.termMaps.get(key);
    if (!tm) {
      // Builds that may not fetch are shared only among themselves: a refusal must not reach a caller that may fetch.
      const buildKey = mayFetch ? key : `cached-only:${key}`;
      let pending = this.building.get(buildKey);
      if (!pending) {
        pending = this.build(key, n, mayFetch).finally(() => this.building.delete(buildKey));
        this.building.set(buildKey, pending);
      }
      tm = await pending;
    } else if (n.kind === 'inline') {
      this.store.ensureImplicit(key.slice(7), tm.source, n.json.length); // keeps its entry (and linkUrl) alive while in use
    }
    // Usage counters of clause 5.13.3.5 (numberOfHits, lastUsage): every document the context was built from.
    for (const url of tm.dependencies) {
      const entry = this.store.getByUrl(url);
      this.store.hit(entry, now);
      if (entry?.expiresAt !== undefined && entry.expiresAt <= now) this.refresh(entry);
    }
    if (n.kind === 'inline') this.store.hit(this.store.getByUrl(tm.linkUrl), now);
    return tm;
  }

  /** Adds a Hosted context (clause 5.13.2) after validating it as clause 5.5.4 requires; `owner` may delete it. */
  async addHosted(context: unknown, owner?: string): Promise<StoredContext> {
    if (context === undefined || context === null || (typeof context !== 'string' && typeof context !== 'object')) {
      throw new BadRequestData('The body must be a JSON object with an "@context" member holding an object, an array or a URL');
    }
    await this.compile(context, 'the posted @context');
    return this.store.addHosted(structuredClone(context), owner);
  }

  find(idOrUrl: string): StoredContext | undefined {
    return this.store.find(idOrUrl);
  }

  list(kind?: ContextKind): StoredContext[] {
    return this.store.list(kind);
  }

  /** Removes a stored context (clause 5.13.5); term maps built from it are dropped. */
  async remove(entry: StoredContext): Promise<void> {
    await this.store.remove(entry);
    this.invalidate(entry.url);
  }

  /**
   * Re-downloads a Cached context and replaces it (clause 5.13.5.4). Any failure, including an invalid
   * new document, is an LdContextNotAvailable and leaves the stored copy untouched.
   */
  async reload(entry: StoredContext): Promise<void> {
    if (this.opts.allowRemote === false) {
      throw new LdContextNotAvailable(`Cannot reload the @context ${entry.url}: this broker does not fetch remote @contexts`);
    }
    let fetched: Awaited<ReturnType<typeof fetchContextDocument>>;
    try {
      fetched = await fetchContextDocument(entry.url, this.opts);
      await this.compile(entry.url, entry.url, new Map([[entry.url, fetched.context]]));
    } catch (e) {
      const detail = e instanceof ProblemError ? e.detail : (e as Error).message;
      throw new LdContextNotAvailable(`Reloading the @context ${entry.url} failed; the stored copy is kept. ${detail}`, { cause: e });
    }
    this.store.putCached(entry.url, fetched.context, fetched.maxAgeMs);
    this.invalidate(entry.url);
  }

  /**
   * Clause 5.13.1: "Implementations shall periodically invalidate the Cached @contexts". An expired download
   * keeps being used while a fresh copy is fetched in the background; requests never wait for it. On
   * failure the old copy stays and the next attempt waits a while (at most 5 minutes).
   */
  private refresh(entry: StoredContext): void {
    if (this.opts.allowRemote === false || this.refreshing.has(entry.url)) return;
    this.refreshing.add(entry.url);
    entry.expiresAt = Date.now() + Math.min(this.cachedTtlMs, 300_000);
    this.reload(entry)
      .catch((e: Error) => this.opts.onWarning?.(e.message))
      .finally(() => this.refreshing.delete(entry.url));
  }

  private async build(key: string, n: Exclude<Normalised, { kind: 'core' }>, mayFetch: boolean): Promise<CompiledTermMap> {
    // A private copy: the caller's body object may be changed after the request.
    const local = n.kind === 'url' ? n.url : structuredClone(n.value);
    const { active, dependencies, namesCore } = await this.compile(local, n.kind === 'url' ? n.url : 'the inline @context', undefined, mayFetch);
    const linkUrl = n.kind === 'url' ? n.url : this.store.ensureImplicit(key.slice(7), local, n.json.length).url;
    const tm = new CompiledTermMap(active, { key, source: local, linkUrl, dependencies: [CORE_CONTEXT_URL, ...dependencies], namesCore });
    for (const [, old] of this.termMaps.set(key, tm, estimateBytes(active, n))) this.untrack(old);
    for (const url of dependencies) {
      let set = this.dependents.get(url);
      if (!set) this.dependents.set(url, (set = new Set()));
      set.add(key);
    }
    return tm;
  }

  /** Loads every referenced document, then processes the context on top of the core. */
  private async compile(local: unknown, source: string, overrides?: Map<string, unknown>, mayFetch = true): Promise<{ active: ActiveContext; dependencies: string[]; namesCore: boolean }> {
    // Every reference is checked against the core URLs as the documents are walked: one that is
    // a core URL means the @context already names the core @context.
    let namesCore = false;
    const isCore = (url: string): boolean => {
      const core = isCoreContextUrl(url);
      if (core) namesCore = true;
      return core;
    };
    const docs = await loadContextUrls(local, (url) => (overrides?.has(url) ? Promise.resolve(overrides.get(url)) : this.loadDocument(url, mayFetch)), isCore);
    const active = cloneActiveContext(this.coreActive);
    const lookup = (url: string): unknown => {
      if (!docs.has(url)) throw new InternalError(`@context ${url} was not loaded before processing`);
      return docs.get(url);
    };
    applyLocalContext(active, local, { lookup, source, coreVocab: this.coreActive.vocab, isCoreUrl: isCoreContextUrl });
    return { active, dependencies: [...docs.keys()], namesCore };
  }

  /** A context document's @context value: stored copy, else one shared download (never two at once). */
  private loadDocument(url: string, mayFetch: boolean): Promise<unknown> {
    const stored = this.store.getByUrl(url);
    if (stored) {
      if (stored.expiresAt !== undefined && stored.expiresAt <= Date.now()) this.refresh(stored);
      return Promise.resolve(stored.context);
    }
    if (url.startsWith(this.store.hostedPrefix)) {
      // Our own hosted URL: answering it over HTTP would only reach ourselves.
      return Promise.reject(new LdContextNotAvailable(`The @context ${url} is not (or no longer) stored by this broker`));
    }
    try {
      checkFetchableUrl(url);
    } catch (e) {
      return Promise.reject(e);
    }
    if (!mayFetch && this.opts.allowRemote !== false) {
      return Promise.reject(new Unauthorized(
        `The @context ${url} is not cached by this broker, and anonymous requests may not make it fetch new remote @contexts; `
        + 'send a credential (X-API-Key header or a Bearer token), or use a built-in, hosted or already cached @context',
      ));
    }
    if (this.opts.allowRemote === false) {
      return Promise.reject(new LdContextNotAvailable(
        `The @context ${url} is not preloaded and this broker does not fetch remote @contexts; `
        + 'preload it with DREHSCHEIBE_CONTEXT_MAP (a map of URL to local file) or host it via POST /ngsi-ld/v1/jsonldContexts',
      ));
    }
    let p = this.downloads.get(url);
    if (!p) {
      p = fetchContextDocument(url, this.opts)
        .then((fetched) => this.store.putCached(url, fetched.context, fetched.maxAgeMs).context)
        .finally(() => this.downloads.delete(url));
      this.downloads.set(url, p);
    }
    return p;
  }

  private invalidate(url: string): void {
    const keys = this.dependents.get(url);
    if (!keys) return;
    this.dependents.delete(url);
    for (const key of keys) {
      const tm = this.termMaps.peek(key);
      this.termMaps.delete(key);
      if (tm) this.untrack(tm);
    }
  }

  private untrack(tm: CompiledTermMap): void {
    for (const url of tm.dependencies) {
      const set = this.dependents.get(url);
      set?.delete(tm.key);
      if (set?.size === 0) this.dependents.delete(url);
    }
  }
}

/**
 * A rough memory estimate of a term map, for the bound on all of them: two bytes per character of its terms,
 * IRIs and scoped contexts (held once in the active context and once in the reverse index), plus a fixed cost
 * per term, plus the inline source it keeps. Computed once per build, so it may cost a stringify.
 */
function estimateBytes(active: ActiveContext, n: Exclude<Normalised, { kind: 'core' }>): number {
  let chars = n.kind === 'inline' ? n.json.length : n.url.length;
  for (const [term, def] of active.terms) {
    chars += 2 * (term.length + (def.id?.length ?? 0)) + 100;
    if (def.context !== undefined) chars += JSON.stringify(def.context)?.length ?? 0;
  }
  return 2 * chars;
}

function noRemote(url: string): never {
  throw new InternalError(`The core @context must not reference other documents (${url})`);
}

/** Reduces an @context to its cache identity; the core alone (however given) needs no resolution. */
function normalise(context: unknown): Normalised {
  if (context === undefined || context === null) return { kind: 'core' };
  if (typeof context === 'string') {
    const url = context.trim();
    if (url === '') throw new BadRequestData('The @context is an empty string; give a URL, an object or an array');
    return isCoreContextUrl(url) ? { kind: 'core' } : { kind: 'url', url };
  }
  if (Array.isArray(context)) {
    if (context.every((c) => typeof c === 'string' && isCoreContextUrl(c.trim()))) return { kind: 'core' };
    if (context.length === 1) return normalise(context[0]);
  } else if (typeof context !== 'object') {
    throw new BadRequestData(`The @context is a ${typeof context}; give a URL, an object or an array`);
  }
  return { kind: 'inline', value: context, json: JSON.stringify(context) };
}
