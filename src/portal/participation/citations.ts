// Resolves the live data a proposal or comment cites (src/participation/citations.ts) through the
// same services as the KPI and sensor pages, and by the same rule: only what an anonymous reader may
// read — a published KPI, an entity of the city's tenant whose every type is publicly readable.
// Anything else, and anything that fails, becomes a "missing" view the page explains in words.
import type { EntityService } from '../../ngsi-ld/entities/entities.service.ts';
import type { TemporalService } from '../../ngsi-ld/temporal/temporal.service.ts';
import { citeKey, type CiteKind, type CiteRef } from '../../participation/index.ts';
import type { KpiService, KpiView } from '../../strategy/index.ts';
import type { PublicRead } from '../portal.model.ts';
import { history, type History } from '../kpi/history.ts';
import { sensorDetail, type SensorDetail } from '../kpi/sensor.model.ts';

export interface CitationSource {
  kpis: KpiService;
  entities: EntityService;
  temporal: TemporalService;
  publicRead: PublicRead;
  /** The city's tenant: sensors are cited from it, as the live map shows them. */
  tenant: string;
  log?: { warn(o: object, msg: string): void };
}

export type CitationView =
  | { kind: 'kpi'; ref: string; view: KpiView }
  | { kind: 'sensor'; ref: string; sensor: SensorDetail; attr?: string; history: History }
  /** Unknown, unpublished, not publicly readable, or failed: the page says so, never which of these. */
  | { kind: 'missing'; ref: string; cited: CiteKind }
  /** Over the page's limit of distinct citations. */
  | { kind: 'skipped'; ref: string; cited: CiteKind };

/** Distinct citations resolved per page (each sensor costs an entity read and a history query). */
export const CITES_PER_PAGE = 20;

const status = (e: unknown) => (e as { status?: number; statusCode?: number }).status ?? (e as { statusCode?: number }).statusCode;

export async function resolveCitations(d: CitationSource | undefined, refs: CiteRef[], now: number): Promise<Map<string, CitationView>> {
  const out = new Map<string, CitationView>();
  const distinct: CiteRef[] = [];
  for (const r of refs) if (!out.has(citeKey(r))) { out.set(citeKey(r), { kind: 'missing', ref: r.ref, cited: r.kind }); distinct.push(r); }
  await Promise.all(distinct.map(async (r, i) => {
    if (i >= CITES_PER_PAGE) { out.set(citeKey(r), { kind: 'skipped', ref: r.ref, cited: r.kind }); return; }
    if (!d || !r.valid) return;
    try {
      const v = r.kind === 'kpi' ? await kpi(d, r.ref) : await sensor(d, r.ref, now);
      if (v) out.set(citeKey(r), v);
    } catch (e) {
      if (status(e) !== 404) d.log?.warn({ err: e, cite: citeKey(r) }, 'cited live data could not be read');
    }
  }));
  return out;
}

async function kpi(d: CitationSource, slug: string): Promise<CitationView | undefined> {
  const view = await d.kpis.view(slug);
  // An unpublished KPI does not exist for the public (as on its page).
  return view.kpi.published ? { kind: 'kpi', ref: slug, view } : undefined;
}

async function sensor(d: CitationSource, id: string, now: number): Promise<CitationView | undefined> {
  const access = d.publicRead(d.tenant);
  if (!access.allowed) return undefined;
  const e = await d.entities.get(d.tenant, id);
  if (access.mayRead && !e.types.every((ty) => access.mayRead!(ty))) return undefined;
  const s = sensorDetail(e);
  const shown = s.values.find((v) => typeof v.value === 'number');
  const hist = shown ? await history(d.temporal, d.tenant, id, shown.iri, 'day', now) : { points: [], from: '', to: '' };
  return { kind: 'sensor', ref: id, sensor: s, attr: shown?.attr, history: hist };
}
