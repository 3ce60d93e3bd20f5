// The broker's @context storage (clause 5.13.1): Hosted, Cached and ImplicitlyCreated entries with their
// metadata, usage counters (memory only, no I/O per hit) and on-disk persistence under cacheDir.
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
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
}

/** Path of the API resource that serves stored @contexts (clause 6.30). */
export const CONTEXTS_PATH = '/ngsi-ld/v1/jsonldContexts/';

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export class ContextStore {
  private readonly byId = new Map<string, StoredContext>();
  private readonly byUrl = new Map<string, StoredContext>();
  /** ImplicitlyCreated entries, least recently used first (bounded by maxImplicit). */
  private readonly implicit = new Map<string, StoredContext>();
  readonly hostedPrefix: string;

  constructor(private readonly opts: { publicBaseUrl: string; cacheDir?: string; maxImplicit: number; cachedTtlMs: number; onWarning?: (m: string) => void }) {
    this.hostedPrefix = opts.publicBaseUrl.replace(/\/+$/, '') + CONTEXTS_PATH;
  }

  /** Reads persisted Hosted and Cached (remote) entries; unreadable files are skipped with a warning. */
  loadPersisted(): void {
    const dir = this.opts.cacheDir;
    if (!dir) return;
    for (const sub of ['hosted', 'remote']) mkdirSync(join(dir, sub), { recursive: true });
    for (const [sub, kind] of [['hosted', 'Hosted'], ['remote', 'Cached']] as const) {
      for (const name of readdirSync(join(dir, sub))) {
        if (!name.endsWith('.json')) continue;
        const file = join(dir, sub, name);
        try {
          const rec = JSON.parse(readFileSync(file, 'utf8')) as { localId?: string; url?: string; createdAt?: string; expiresAt?: string; '@context'?: unknown };
          const createdAt = Date.parse(rec.createdAt ?? '');
          if (!('@context' in rec) || Number.isNaN(createdAt)) throw new Error('missing "@context" or "createdAt"');
          if (kind === 'Hosted') {
            if (typeof rec.localId !== 'string' || name !== `${rec.localId}.json`) throw new Error('missing or mismatched "localId"');
            this.put({ localId: rec.localId, url: this.hostedPrefix + rec.localId, kind, createdAt, context: rec['@context'], hits: 0 });
          } else {
            if (typeof rec.url !== 'string' || name !== `${sha256(rec.url)}.json`) throw new Error('missing or mismatched "url"');
            if (this.byUrl.has(rec.url)) continue; // a preloaded copy wins over an old download
            const expiresAt = Date.parse(rec.expiresAt ?? '');
            this.put({
              localId: cachedId(rec.url), url: rec.url, kind, createdAt, context: rec['@context'], origin: 'remote', hits: 0,
              expiresAt: Number.isNaN(expiresAt) ? createdAt + this.opts.cachedTtlMs : expiresAt,
            });
          }
        } catch (e) {
          this.opts.onWarning?.(`Ignoring persisted @context file ${file}: ${(e as Error).message}`);
        }
      }
    }
  }

  /** Preloaded contexts (core, Smart Data Models, DREHSCHEIBE_CONTEXT_MAP): Cached entries that are never fetched. */
  addPreloaded(url: string, context: unknown, origin: 'builtin' | 'contextMap'): StoredContext {
    const old = this.byUrl.get(url);
    if (old) this.forget(old);
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
    const now = Date.now();
    const ttl = Math.max(maxAgeMs ?? this.opts.cachedTtlMs, Math.min(60_000, this.opts.cachedTtlMs));
    const entry = this.put({
      localId: cachedId(url), url, kind: 'Cached', createdAt: now, expiresAt: now + ttl, context, origin: 'remote',
      hits: old?.hits ?? 0, lastUsage: old?.lastUsage,
    });
    const dir = this.opts.cacheDir;
    if (dir) {
      const iso = (t: number) => new Date(t).toISOString();
      writeJson(join(dir, 'remote', `${sha256(url)}.json`), { url, createdAt: iso(now), expiresAt: iso(now + ttl), '@context': context })
        .catch((e: Error) => this.opts.onWarning?.(`Could not persist the @context ${url}: ${e.message}`));
    }
    return entry;
  }

  /** A user-supplied context (clause 5.13.2 "Hosted"); resolves once it is on disk. */
  async addHosted(context: unknown): Promise<StoredContext> {
    const localId = randomUUID();
    const entry: StoredContext = { localId, url: this.hostedPrefix + localId, kind: 'Hosted', createdAt: Date.now(), context, hits: 0 };
    const dir = this.opts.cacheDir;
    if (dir) {
      await writeJson(join(dir, 'hosted', `${localId}.json`), { localId, createdAt: new Date(entry.createdAt).toISOString(), '@context': context });
    }
    return this.put(entry);
  }

  /**
   * The ImplicitlyCreated entry for an inline @context (clause 5.13.1), created or refreshed. Its id is
   * derived from the context's JSON text, so the same inline @context always gets the same URL.
   */
  ensureImplicit(hash: string, context: unknown): StoredContext {
    const localId = hash.slice(0, 32);
    let entry = this.implicit.get(localId);
    if (entry) {
      this.implicit.delete(localId); // move to most recently used
      this.implicit.set(localId, entry);
      return entry;
    }
    entry = this.put({ localId, url: this.hostedPrefix + localId, kind: 'ImplicitlyCreated', createdAt: Date.now(), context, hits: 0 });
    this.implicit.set(localId, entry);
    while (this.implicit.size > this.opts.maxImplicit) {
      const oldest = this.implicit.values().next().value as StoredContext;
      this.forget(oldest);
    }
    return entry;
  }

  getByUrl(url: string): StoredContext | undefined {
    return this.byUrl.get(isCoreContextUrl(url) ? CORE_CONTEXT_URL : url);
  }

  /** Looks up by local id, then by URL (any published core URL finds the core entry). */
  find(idOrUrl: string): StoredContext | undefined {
    return this.byId.get(idOrUrl) ?? this.getByUrl(idOrUrl);
  }

  list(kind?: ContextKind): StoredContext[] {
    const all = [...this.byId.values()];
    return kind ? all.filter((e) => e.kind === kind) : all;
  }

  /** Counts one use; memory only, so it is cheap enough for every request. */
  hit(entry: StoredContext | undefined, now: number): void {
    if (!entry) return;
    entry.hits++;
    entry.lastUsage = now;
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
    if (this.implicit.get(entry.localId) === entry) this.implicit.delete(entry.localId);
  }
}

function cachedId(url: string): string {
  return sha256(url).slice(0, 32);
}

/** Writes via a temporary file and rename, so a crash never leaves half a file behind. */
async function writeJson(file: string, value: unknown): Promise<void> {
  const tmp = `${file}.${process.pid}.${randomUUID()}.tmp`;
  await mkdir(join(file, '..'), { recursive: true });
  await writeFile(tmp, JSON.stringify(value));
  await rename(tmp, file);
}
