// Benchmark data: realistic AirQualityObserved entities around Herne and a fast loader that
// pushes them through POST /entityOperations/upsert?options=update in batches of 1,000.
import { seededRandom } from '../src/core/random.ts';

export const ENTITY_TYPE = 'AirQualityObserved';
export const HERNE: readonly [number, number] = [7.2196, 51.538];
/** Half-widths of the ~10 km × 10 km box around Herne, in degrees (1° lat ≈ 111.3 km, 1° lon ≈ 69.3 km here). */
const HALF_LON = 5 / (111.32 * Math.cos((HERNE[1] * Math.PI) / 180));
const HALF_LAT = 5 / 111.32;

export const UPSERT_PATH = '/ngsi-ld/v1/entityOperations/upsert?options=update';

/** A small deterministic PRNG so that every run stores the same data. */
export const rng = seededRandom;

export function entityId(i: number, prefix = 'bench'): string {
  return `urn:ngsi-ld:${ENTITY_TYPE}:${prefix}-${String(i).padStart(6, '0')}`;
}

const round = (x: number, digits = 1) => Number(x.toFixed(digits));

/**
 * Exactly 1 % "maintenance" (every 100th), 2 % "degraded", the rest "ok" — so that a
 * q on status has a known, selective match rate.
 */
export function statusOf(i: number): string {
  if (i % 100 === 0) return 'maintenance';
  if (i % 50 === 1) return 'degraded';
  return 'ok';
}

/**
 * One AirQualityObserved entity (normalized form) of 10 attributes: six measurements with
 * observedAt and unitCode, status and name strings, the refDevice Relationship and a location
 * Point uniform over the box. temperature is uniform over 0..35 °C (so q=temperature>25 matches ~29 %).
 */
export function makeEntity(i: number, random: () => number, observedAt: string, prefix = 'bench'): Record<string, unknown> {
  const m = (value: number, unitCode: string) => ({ type: 'Property', value, observedAt, unitCode });
  return {
    id: entityId(i, prefix),
    type: ENTITY_TYPE,
    temperature: m(round(random() * 35), 'CEL'),
    humidity: m(round(20 + random() * 75), 'P1'),
    no2: m(round(random() * 120), 'GQ'),
    pm10: m(round(random() * 80), 'GQ'),
    pm25: m(round(random() * 50), 'GQ'),
    noise: m(round(35 + random() * 50), '2N'),
    status: { type: 'Property', value: statusOf(i) },
    name: { type: 'Property', value: `Luftmessstation Herne ${String(i).padStart(6, '0')}` },
    refDevice: { type: 'Relationship', object: `urn:ngsi-ld:Device:${prefix}-${String(i).padStart(6, '0')}` },
    location: {
      type: 'GeoProperty',
      value: {
        type: 'Point',
        coordinates: [round(HERNE[0] + (random() * 2 - 1) * HALF_LON, 6), round(HERNE[1] + (random() * 2 - 1) * HALF_LAT, 6)],
      },
    },
  };
}

/** JSON bodies of `count` entities (ids from..from+count-1), in batches of `batchSize`. */
export function makeBatches(from: number, count: number, opts: { batchSize?: number; seed?: number; prefix?: string } = {}): string[] {
  const size = opts.batchSize ?? 1000;
  const random = rng(opts.seed ?? 42);
  const observedAt = new Date().toISOString();
  const out: string[] = [];
  for (let start = from; start < from + count; start += size) {
    const end = Math.min(start + size, from + count);
    const list: Record<string, unknown>[] = [];
    for (let i = start; i < end; i++) list.push(makeEntity(i, random, observedAt, opts.prefix));
    out.push(JSON.stringify(list));
  }
  return out;
}

export interface PostOutcome {
  status: number;
  /** Entities the server reported as failed in a 207 BatchOperationResult. */
  failed: number;
  detail?: string;
  /** How often this batch was sent again after a connection error, 503 or 429 (issue #19). */
  retries: number;
}

export interface RetryOptions {
  /** Further attempts after the first; default 5. */
  retries?: number;
  /** The first pause in ms, doubled each time (a Retry-After header takes precedence); default 500. */
  backoffMs?: number;
  /** Called before each retry, e.g. to log it. */
  onRetry?: (reason: string, attempt: number) => void;
}

/** An answer that says "later": the batch was not written, sending it again is safe. */
const RETRY_STATUS = new Set([429, 503]);

/**
 * POSTs one batch body to the upsert endpoint. The upsert is idempotent, so a batch whose
 * connection failed (reset, closed, refused: the server may or may not have written it) or that
 * got 503/429 is sent again, after Retry-After or a doubling pause; the retries are counted.
 */
export async function postBatch(url: string, body: string, path = UPSERT_PATH, retry: RetryOptions = {}): Promise<PostOutcome> {
  const max = retry.retries ?? 5;
  let pause = retry.backoffMs ?? 500;
  for (let attempt = 0; ; attempt++) {
    let reason: string;
    let wait = pause;
    try {
      const r = await fetch(url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      const text = await r.text();
      if (r.status === 201 || r.status === 204) return { status: r.status, failed: 0, retries: attempt };
      if (!RETRY_STATUS.has(r.status) || attempt >= max) return outcome(r.status, text, attempt);
      reason = `HTTP ${r.status}`;
      const after = Number(r.headers.get('retry-after'));
      if (Number.isFinite(after) && after > 0) wait = after * 1000;
    } catch (e) {
      if (attempt >= max) throw new Error(`batch failed after ${attempt} retries: ${errorText(e)}`, { cause: e });
      reason = errorText(e);
    }
    retry.onRetry?.(reason, attempt + 1);
    await new Promise((r) => setTimeout(r, wait));
    pause *= 2;
  }
}

function outcome(status: number, text: string, retries: number): PostOutcome {
  let failed = 0;
  if (status === 207) {
    try {
      failed = ((JSON.parse(text) as { errors?: unknown[] }).errors ?? []).length;
    } catch {
      failed = -1;
    }
  }
  return { status, failed, detail: text.slice(0, 500), retries };
}

/** fetch's TypeError names the socket error in its cause (ECONNRESET, UND_ERR_SOCKET, ECONNREFUSED). */
function errorText(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (e as Error).message ?? String(e);
}

/** Sends the bodies over `concurrency` parallel requests; returns the outcomes in order. */
export async function postAll(url: string, bodies: string[], concurrency: number, path = UPSERT_PATH, retry: RetryOptions = {}): Promise<PostOutcome[]> {
  const out: PostOutcome[] = new Array(bodies.length);
  let next = 0;
  const worker = async () => {
    while (next < bodies.length) {
      const k = next++;
      out[k] = await postBatch(url, bodies[k], path, retry);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, bodies.length) }, worker));
  return out;
}

/**
 * Loads `n` entities (ids 0..n-1) into the server; throws on any error response so that a
 * benchmark never runs against a half-seeded store. Batches that failed on a connection error or
 * got 503/429 are sent again (see postBatch); the retries are counted in the result and each one is
 * logged through opts.onRetry (default: a line on stderr). Returns the seconds it took.
 */
export async function seed(url: string, n: number, opts: { batchSize?: number; concurrency?: number; seed?: number; prefix?: string; from?: number } & RetryOptions = {}): Promise<number> {
  const r = await seedCounted(url, n, opts);
  return r.seconds;
}

/** seed(), also returning how many batches were sent again. */
export async function seedCounted(url: string, n: number, opts: { batchSize?: number; concurrency?: number; seed?: number; prefix?: string; from?: number } & RetryOptions = {}): Promise<{ seconds: number; retries: number }> {
  const t0 = performance.now();
  const retry: RetryOptions = {
    retries: opts.retries,
    backoffMs: opts.backoffMs,
    onRetry: opts.onRetry ?? ((reason, attempt) => console.error(`seed: batch sent again (attempt ${attempt + 1}) after ${reason}`)),
  };
  let retries = 0;
  // Generate and send in slices so that 100,000 entities never sit in memory as strings at once.
  // opts.from: the first id (a store grown in steps, bench/scale.bench.ts).
  const slice = 20_000;
  const first = opts.from ?? 0;
  for (let from = first; from < first + n; from += slice) {
    const bodies = makeBatches(from, Math.min(slice, first + n - from), { batchSize: opts.batchSize, seed: (opts.seed ?? 42) + from, prefix: opts.prefix });
    const res = await postAll(url, bodies, opts.concurrency ?? 2, UPSERT_PATH, retry);
    for (const r of res) retries += r.retries;
    const bad = res.find((r) => r.status !== 201 && r.status !== 204);
    if (bad) throw new Error(`seeding failed: HTTP ${bad.status} (${bad.failed} entities failed, ${bad.retries} retries): ${bad.detail ?? ''}`);
  }
  return { seconds: (performance.now() - t0) / 1000, retries };
}
