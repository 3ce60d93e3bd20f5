// The broker's @context storage (clause 5.13.1): Hosted, Cached and ImplicitlyCreated entries with their
// metadata, usage counters (memory only, no I/O per hit) and on-disk persistence under cacheDir.
// Downloaded (remote) entries form one LRU cache bounded in entries and bytes, the same in memory and on
// disk; persisted downloads are read lazily, on first use after a restart.
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { rename, unlink, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { CORE_CONTEXT_URL, isCoreContextUrl } from './builtin-contexts.ts';

export type ContextKind = 'Hosted' | 'Cached' | 'ImplicitlyCreated';
export const CONTEXT_KINDS: readonly ContextKind[] = ['Hosted', 'Cached', 'ImplicitlyCreated'];

/** Where a Cached entry came from: shipped with Drehscheibe, DREHSCHEIBE_CONTEXT_MAP, or downloaded. */
export type CachedOrigin = 'builtin' | 'contextMap' | 'remote';

export interface StoredContext {
  readonly localId: string;
  readonly url: string;
  readonly kind: ContextKind;
  createdAt: number;
  /** The @context value: as given for Hosted/ImplicitlyCreated, the document's "@context" member for Cached. */
  context: unknown;
  readonly origin?: CachedOrigin;
  /** Downloaded entries only: when the copy is stale and is refreshed in the background (clause 5.13.1). */
  expiresAt?: number;
  hits: number;
  lastUsage?: number;
  /** Hosted entries: the principal that added it (access control on); it may delete it (docs/security.md). */
  readonly owner?: string;
  /** Downloaded entries: size of the persisted record; ImplicitlyCreated: size of the @context's JSON (byte budgets). */
  bytes?: number;
}

/** Bounds of the cache of downloaded @contexts (DREHSCHEIBE_CONTEXT_CACHE_ENTRIES, DREHSCHEIBE_CONTEXT_CACHE_MB). */
export interface RemoteCacheLimits {
  maxEntries: number;
  maxBytes: number;
}

/** A persisted download not read yet (lazy loading at start-up). */
interface OnDisk { file: string; bytes: number }

/** Path of the API resource that serves stored @contexts (clause 6.30). */
export const CONTEXTS_PATH = '/ngsi-ld/v1/jsonldContexts/';
const LOOPBACK_HOSTED = /^https?:\/\/(?:localhost|127\.0\.0\.1|\[::1\])(?::\d+)?\/ngsi-ld\/v1\/jsonldContexts\/([^/?#]+)$/;

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export class ContextStore {
  private readonly byId = new Map<string, StoredContext>();
  private readonly byUrl = new Map<string, StoredContext>();
  /** ImplicitlyCreated entries, least recently used first (bounded by maxImplicit and maxImplicitBytes). */
  private readonly implicit = new Map<string, StoredContext>();
  private implicitBytes = 0;
  /** Downloaded entries in memory, least recently used first. */
  private readonly remote = new Map<string, StoredContext>();
  /** Persisted downloads not read since start-up, by sha256(url), oldest file first; evicted before `remote`. */
  private readonly onDisk = new Map<string, OnDisk>();
  /** Bytes of every downloaded entry, in memory or only on disk. */
  private remoteBytes = 0;
  readonly hostedPrefix: string;
  private readonly limits: RemoteCacheLimits;

  constructor(private readonly opts: {
    publicBaseUrl: string; cacheDir?: string; maxImplicit: number; cachedTtlMs: number; remoteCache?: RemoteCacheLimits;
    /** Bound on the JSON size of all ImplicitlyCreated entries together (least recently used dropped beyond). */
    maxImplicitBytes?: number;
    onWarning?: (m: string) => void;
    /** Called when a downloaded entry is evicted, so that what was built from it can be dropped too. */
    onEvict?: (url: string) => void;
  }) {
    this.hostedPrefix = opts.publicBaseUrl.replace(/\/+$/, '') + CONTEXTS_PATH;
    this.limits = opts.remoteCache ?? { maxEntries: 1000, maxBytes: 64 * 1024 * 1024 };
  }

  /** Downloaded entries: how many (in memory or on disk only), their bytes, and how many are read into memory. */
  get remoteUsage(): { entries: number; bytes: number; loaded: number } {
    return { entries: this.remote.size + this.onDisk.size, bytes: this.remoteBytes, loaded: this.remote.size };
  }

  /**
   * Reads persisted Hosted entries; unreadable files are skipped with a warning. Persisted downloads are only
   * listed (name and size): each is read on its first use, and the oldest beyond the cache's bounds are deleted.
   */
  loadPersisted(): void {
    const dir = this.opts.cacheDir;
    if (!dir) return;
    for (const sub of ['hosted', 'remote']) mkdirSync(join(dir, sub), { recursive: true });
    const found: (OnDisk & { hash: string; mtimeMs: number })[] = [];
    for (const name of readdirSync(join(dir, 'remote'))) {
      const file = join(dir, 'remote', name);
      if (!/^[0-9a-f]{64}\.json$/.test(name)) continue;
      try {
        const st = statSync(file);
        found.push({ hash: name.slice(0, 64), file, bytes: st.size, mtimeMs: st.mtimeMs });
      } catch { /* vanished meanwhile */ }
    }
    found.sort((a, b) => a.mtimeMs - b.mtimeMs);
    for (const f of found) {
      this.onDisk.set(f.hash, { file: f.file, bytes: f.bytes });
      this.remoteBytes += f.bytes;
    }
    this.evictRemote();
    for (const [sub, kind] of [['hosted', 'Hosted']] as const) {
      for (const name of readdirSync(join(dir, sub))) {
        if (!name.endsWith('.json')) continue;
        const file = join(dir, sub, name);
        try {
          const rec = JSON.parse(readFileSync(file, 'utf8')) as { localId?: string; url?: string; createdAt?: string; expiresAt?: string; owner?: string; '@context'?: unknown };
          const createdAt = Date.parse(rec.createdAt ?? '');
          if (!('@context' in rec) || Number.isNaN(createdAt)) throw new Error('missing "@context" or "createdAt"');
          if (typeof rec.localId !== 'string' || name !== `${rec.localId}.json`) throw new Error('missing or mismatched "localId"');
          const owner = typeof rec.owner === 'string' ? { owner: rec.owner } : {};
          this.put({ localId: rec.localId, url: this.hostedPrefix + rec.localId, kind, createdAt, context: rec['@context'], hits: 0, ...owner });
        } catch (e) {
          this.opts.onWarning?.(`Ignoring persisted @context file ${file}: ${(e as Error).message}`);
        }
      }
    }
  }

  /** Reads one persisted download on its first use; a broken file is deleted with a warning. */
  private loadFromDisk(url: string, hash = sha256(url)): StoredContext | undefined {
    const rec = this.onDisk.get(hash);
    if (!rec) return undefined;
    this.onDisk.delete(hash);
    this.remoteBytes -= rec.bytes;
    try {
      const doc = JSON.parse(readFileSync(rec.file, 'utf8')) as { url?: string; createdAt?: string; expiresAt?: string; '@context'?: unknown };
      const createdAt = Date.parse(doc.createdAt ?? '');
      if (!('@context' in doc) || Number.isNaN(createdAt)) throw new Error('missing "@context" or "createdAt"');
      if (doc.url !== url) throw new Error('missing or mismatched "url"');
      const expiresAt = Date.parse(doc.expiresAt ?? '');
      return this.putRemote({
        localId: cachedId(url), url, kind: 'Cached', createdAt, context: doc['@context'], origin: 'remote', hits: 0, bytes: rec.bytes,
        expiresAt: Number.isNaN(expiresAt) ? createdAt + this.opts.cachedTtlMs : expiresAt,
      });
    } catch (e) {
      this.opts.onWarning?.(`Ignoring persisted @context file ${rec.file}: ${(e as Error).message}`);
      try { unlinkSync(rec.file); } catch { /* already gone */ }
      return undefined;
    }
  }

  /** Adds a downloaded entry as the most recently used and evicts the least recently used beyond the bounds. */
  private putRemote(entry: StoredContext): StoredContext {
    this.put(entry);
    this.remote.set(entry.url, entry);
    this.remoteBytes += entry.bytes ?? 0;
    this.evictRemote(entry);
    return entry;
  }

  /** Deletes least recently used downloads (files not read since start-up first) until within the bounds. */
  private evictRemote(keep?: StoredContext): void {
    const over = () => this.remote.size + this.onDisk.size > this.limits.maxEntries || this.remoteBytes > this.limits.maxBytes;
    for (const [hash, rec] of this.onDisk) {
      if (!over()) return;
      this.onDisk.delete(hash);
      this.remoteBytes -= rec.bytes;
      unlink(rec.file).catch(() => {});
    }
    for (const entry of this.remote.values()) {
      if (!over() || entry === keep) return;
      this.forget(entry);
      this.deleteFile(entry);
      this.opts.onEvict?.(entry.url);
    }
  }

  private deleteFile(entry: StoredContext): void {
    const dir = this.opts.cacheDir;
    if (dir && entry.origin === 'remote') unlink(join(dir, 'remote', `${sha256(entry.url)}.json`)).catch(() => {});
  }

  /** Preloaded contexts (core, Smart Data Models, DREHSCHEIBE_CONTEXT_MAP): Cached entries that are never fetched. */
  addPreloaded(url: string, context: unknown, origin: 'builtin' | 'contextMap'): StoredContext {
    const old = this.byUrl.get(url);
    if (old) this.forget(old);
    const stale = this.onDisk.get(sha256(url));
    if (stale) { // a preloaded copy wins over an old download
      this.onDisk.delete(sha256(url));
      this.remoteBytes -= stale.bytes;
    }
    return this.put({ localId: cachedId(url), url, kind: 'Cached', createdAt: Date.now(), context, origin, hits: 0 });
  }

  /**
   * A downloaded context (clause 5.13.1 "Cached"), persisted in the background. It expires after the server's
   * Cache-Control max-age if given ("implementations shall comply with the indications provided by the
   * protocol"), else after the heuristic cachedTtlMs; never sooner than a minute (or cachedTtlMs if smaller),
   * so a "no-cache" server is not asked again on every request.
   */
  putCached(url: string, context: unknown, maxAgeMs?: number): StoredContext {
    const old = this.byUrl.get(url);
    if (old) this.forget(old);
    const unread = this.onDisk.get(sha256(url));
    if (unread) {
      this.onDisk.delete(sha256(url));
      this.remoteBytes -= unread.bytes;
    }
    const now = Date.now();
    const ttl = Math.max(maxAgeMs ?? this.opts.cachedTtlMs, Math.min(60_000, this.opts.cachedTtlMs));
    const iso = (t: number) => new Date(t).toISOString();
    const text = JSON.stringify({ url, createdAt: iso(now), expiresAt: iso(now + ttl), '@context': context });
    const entry = this.putRemote({
      localId: cachedId(url), url, kind: 'Cached', createdAt: now, expiresAt: now + ttl, context, origin: 'remote',
      hits: old?.hits ?? 0, lastUsage: old?.lastUsage, bytes: Buffer.byteLength(text),
    });
    const dir = this.opts.cacheDir;
    if (dir && this.remote.get(url) === entry) {
      writeText(join(dir, 'remote', `${sha256(url)}.json`), text)
        .then(() => { if (this.remote.get(url) !== entry) this.deleteFile(entry); }) // evicted while being written
        .catch((e: Error) => this.opts.onWarning?.(`Could not persist the @context ${url}: ${e.message}`));
    }
    return entry;
  }

  /** A Hosted context shipped with Drehscheibe under a fixed id (demo tenants); never persisted, not deletable. */
  addBuiltinHosted(localId: string, context: unknown): StoredContext {
    return this.put({ localId, url: this.hostedPrefix + localId, kind: 'Hosted', createdAt: Date.now(), context, origin: 'builtin', hits: 0 });
  }

  /** A user-supplied context (clause 5.13.2 "Hosted"), of `owner` if given; resolves once it is on disk. */
  async addHosted(context: unknown, owner?: string): Promise<StoredContext> {
    const localId = randomUUID();
    const entry: StoredContext = { localId, url: this.hostedPrefix + localId, kind: 'Hosted', createdAt: Date.now(), context, hits: 0, ...(owner ? { owner } : {}) };
    const dir = this.opts.cacheDir;
    if (dir) {
      await writeJson(join(dir, 'hosted', `${localId}.json`), { localId, createdAt: new Date(entry.createdAt).toISOString(), ...(owner ? { owner } : {}), '@context': context });
    }
    return this.put(entry);
  }

  /**
   * The ImplicitlyCreated entry for an inline @context (clause 5.13.1), created or refreshed. Its id is
   * derived from the context's JSON text, so the same inline @context always gets the same URL.
   */
  ensureImplicit(hash: string, context: unknown, bytes = 0): StoredContext {
    const localId = hash.slice(0, 32);
    let entry = this.implicit.get(localId);
    if (entry) {
      this.implicit.delete(localId); // move to most recently used
      this.implicit.set(localId, entry);
      return entry;
    }
    entry = this.put({ localId, url: this.hostedPrefix + localId, kind: 'ImplicitlyCreated', createdAt: Date.now(), context, hits: 0, bytes });
    this.implicit.set(localId, entry);
    this.implicitBytes += bytes;
    const maxBytes = this.opts.maxImplicitBytes ?? Infinity;
    while (this.implicit.size > this.opts.maxImplicit || (this.implicitBytes > maxBytes && this.implicit.size > 1)) {
      const oldest = this.implicit.values().next().value as StoredContext;
      this.forget(oldest);
    }
    return entry;
  }

  /** ImplicitlyCreated entries held and the JSON size of their @contexts. */
  get implicitUsage(): { entries: number; bytes: number } {
    return { entries: this.implicit.size, bytes: this.implicitBytes };
  }

  getByUrl(url: string): StoredContext | undefined {
    const entry = this.byUrl.get(isCoreContextUrl(url) ? CORE_CONTEXT_URL : url);
    if (entry) return entry;
    // Our own hosted @context named through another loopback name or port (localhost instead of
    // 127.0.0.1, a container's published port): it is this broker's, never fetched over HTTP.
    const own = LOOPBACK_HOSTED.exec(url);
    const hosted = own ? this.byId.get(decodeURIComponent(own[1])) : undefined;
    if (hosted && hosted.kind !== 'Cached') return hosted;
    if (this.onDisk.size === 0) return undefined;
    return this.loadFromDisk(url);
  }

  /** Looks up by local id, then by URL (any published core URL finds the core entry). */
  find(idOrUrl: string): StoredContext | undefined {
    const entry = this.byId.get(idOrUrl) ?? this.getByUrl(idOrUrl);
    if (entry || !/^[0-9a-f]{32}$/.test(idOrUrl)) return entry;
    // A download not read since start-up: its local id is the start of its file name.
    for (const hash of this.onDisk.keys()) if (hash.startsWith(idOrUrl)) return this.loadAnyFromDisk(hash);
    return undefined;
  }

  /** Reads a persisted download whose URL is only known from the file. */
  private loadAnyFromDisk(hash: string): StoredContext | undefined {
    const rec = this.onDisk.get(hash);
    if (!rec) return undefined;
    try {
      const url = (JSON.parse(readFileSync(rec.file, 'utf8')) as { url?: unknown }).url;
      if (typeof url === 'string' && sha256(url) === hash) return this.loadFromDisk(url, hash);
    } catch { /* handled below */ }
    this.onDisk.delete(hash);
    this.remoteBytes -= rec.bytes;
    this.opts.onWarning?.(`Ignoring persisted @context file ${rec.file}: missing or mismatched "url"`);
    return undefined;
  }

  /** Every entry of a kind; persisted downloads not read yet are read now (their number and size are bounded). */
  list(kind?: ContextKind): StoredContext[] {
    if (kind !== 'Hosted' && kind !== 'ImplicitlyCreated') for (const hash of [...this.onDisk.keys()]) this.loadAnyFromDisk(hash);
    const all = [...this.byId.values()];
    return kind ? all.filter((e) => e.kind === kind) : all;
  }

  /** Counts one use; memory only, so it is cheap enough for every request. */
  hit(entry: StoredContext | undefined, now: number): void {
    if (!entry) return;
    entry.hits++;
    entry.lastUsage = now;
    if (entry.origin === 'remote' && this.remote.get(entry.url) === entry) { // most recently used
      this.remote.delete(entry.url);
      this.remote.set(entry.url, entry);
    }
  }

  /** Removes an entry from memory and from disk. */
  async remove(entry: StoredContext): Promise<void> {
    this.forget(entry);
    const dir = this.opts.cacheDir;
    if (!dir) return;
    const file = entry.kind === 'Hosted' ? join(dir, 'hosted', `${entry.localId}.json`)
      : entry.origin === 'remote' ? join(dir, 'remote', `${sha256(entry.url)}.json`) : undefined;
    if (file) await unlink(file).catch((e: NodeJS.ErrnoException) => { if (e.code !== 'ENOENT') throw e; });
  }

  private put(entry: StoredContext): StoredContext {
    this.byId.set(entry.localId, entry);
    this.byUrl.set(entry.url, entry);
    return entry;
  }

  private forget(entry: StoredContext): void {
    if (this.byId.get(entry.localId) === entry) this.byId.delete(entry.localId);
    if (this.byUrl.get(entry.url) === entry) this.byUrl.delete(entry.url);
    if (this.implicit.get(entry.localId) === entry) {
      this.implicit.delete(entry.localId);
      this.implicitBytes -= entry.bytes ?? 0;
    }
    if (this.remote.get(entry.url) === entry) {
      this.remote.delete(entry.url);
      this.remoteBytes -= entry.bytes ?? 0;
    }
  }
}

function cachedId(url: string): string {
  return sha256(url).slice(0, 32);
}

/** Writes via a temporary file and rename, so a crash never leaves half a file behind. */
async function writeJson(file: string, value: unknown): Promise<void> {
  await writeText(file, JSON.stringify(value));
}

async function writeText(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.${randomUUID()}.tmp`;
  await mkdir(join(file, '..'), { recursive: true });
  await writeFile(tmp, text);
  await rename(tmp, file);
}
