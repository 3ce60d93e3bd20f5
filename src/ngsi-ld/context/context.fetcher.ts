// Downloads one remote JSON-LD context document: http/https only, a time limit for the whole exchange,
// a size limit enforced while the body streams in, and the error types of clause 5.5.6.
import { BadRequestData, LdContextNotAvailable } from '../../core/errors.ts';

export interface FetchOptions {
  fetchTimeoutMs: number;
  maxBytes: number;
  fetchImpl?: typeof fetch;
}

const ACCEPT = 'application/ld+json, application/json;q=0.9, */*;q=0.1';

export interface FetchedContext {
  /** The document's `@context` member. */
  context: unknown;
  /** Freshness lifetime the server gave (Cache-Control max-age / no-cache / no-store), if any. */
  maxAgeMs?: number;
}

/**
 * Fetches `url` and returns the document's `@context` member.
 * Unreachable, too slow, non-2xx or too large → LdContextNotAvailable ("not available", clause 5.5.6);
 * not JSON or no `@context` member → BadRequestData ("invalid", clause 5.5.6).
 * The Content-Type is not checked: many hosts (raw.githubusercontent.com among them) serve .jsonld as text/plain.
 */
export async function fetchContextDocument(url: string, opts: FetchOptions): Promise<FetchedContext> {
  checkFetchableUrl(url);
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), opts.fetchTimeoutMs);
  // One text for refused, reset, unresolvable and silent hosts: telling them apart (ECONNREFUSED vs a
  // timeout) would make the broker a port scanner. The reason stays in the error's cause, for the log.
  const why = (e: unknown) => (privateRefusal(e)
    ?? `it could not be reached (connection failed, or no answer within ${opts.fetchTimeoutMs} ms)`);
  try {
    let res: Response;
    try {
      res = await (opts.fetchImpl ?? fetch)(url, { signal: ac.signal, headers: { accept: ACCEPT }, redirect: 'follow' });
    } catch (e) {
      throw notAvailable(url, why(e), e);
    }
    if (!res.ok) {
      await res.body?.cancel().catch(() => {});
      throw notAvailable(url, `the server answered HTTP ${res.status}${res.statusText ? ' ' + res.statusText : ''}`);
    }
    const declared = Number(res.headers.get('content-length') ?? NaN);
    if (declared > opts.maxBytes) {
      await res.body?.cancel().catch(() => {});
      throw notAvailable(url, `it is ${declared} bytes long, more than the limit of ${opts.maxBytes} bytes`);
    }
    let bytes: Uint8Array;
    try {
      bytes = await readCapped(res, opts.maxBytes);
    } catch (e) {
      if (e instanceof TooLarge) throw notAvailable(url, `it is longer than the limit of ${opts.maxBytes} bytes`);
      throw notAvailable(url, why(e), e);
    }
    let doc: unknown;
    try {
      doc = JSON.parse(new TextDecoder().decode(bytes));
    } catch (e) {
      throw new BadRequestData(`The @context document at ${url} is not valid JSON: ${(e as Error).message}`);
    }
    if (doc === null || typeof doc !== 'object' || Array.isArray(doc) || !('@context' in doc)) {
      throw new BadRequestData(`The document at ${url} is not a JSON-LD context: it has no top-level "@context" member`);
    }
    return { context: (doc as Record<string, unknown>)['@context'], maxAgeMs: maxAge(res.headers.get('cache-control')) };
  } finally {
    clearTimeout(timer);
  }
}

/** Only http and https @context URLs can be dereferenced; anything else is a bad request, not a retrieval failure. */
export function checkFetchableUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new BadRequestData(`The @context reference "${url.slice(0, 200)}" is not a valid URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new BadRequestData(`Cannot retrieve the @context ${url}: only http and https URLs can be dereferenced`);
  }
}

class TooLarge extends Error {}

async function readCapped(res: Response, max: number): Promise<Uint8Array> {
  if (!res.body) return new Uint8Array(0);
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel().catch(() => {});
      throw new TooLarge();
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/** Freshness from Cache-Control (RFC 9111 §5.2.2): max-age in ms, 0 for no-cache/no-store, else undefined. */
function maxAge(header: string | null): number | undefined {
  if (!header) return undefined;
  const h = header.toLowerCase();
  if (/\bno-(cache|store)\b/.test(h)) return 0;
  const m = /\bmax-age\s*=\s*"?(\d+)/.exec(h);
  return m ? Number(m[1]) * 1000 : undefined;
}

function notAvailable(url: string, why: string, cause?: unknown): InstanceType<typeof LdContextNotAvailable> {
  return new LdContextNotAvailable(`The @context ${url} could not be retrieved: ${why}`, { cause });
}

/** The SSRF guard's refusal (decided before any connection, so it reveals nothing about the target). */
function privateRefusal(e: unknown): string | undefined {
  const err = e as { cause?: { code?: string; message?: string; cause?: { code?: string; message?: string } } };
  const c = err?.cause?.code === 'EPRIVATEADDR' ? err.cause : err?.cause?.cause?.code === 'EPRIVATEADDR' ? err.cause.cause : undefined;
  return c ? `it is refused by the SSRF guard (${c.message})` : undefined;
}
