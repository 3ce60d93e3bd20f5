// What uses a tenant outside its own data, found through the strategy and catalogue services (passed
// in as plain functions, so this module imports neither): KPIs that read the tenant's entities, all
// KPIs for the city's tenant (their values are written there), and catalogue datasets managed by the
// tenant's stewards or with live data from it. Participation content is not tenant-scoped.
import type { TenantReference, TenantUse } from './tenants.service.ts';

export interface ReferenceSources {
  kpis: () => Promise<ReadonlyArray<{ id: string; selection: { tenant: string } }>>;
  datasets: () => AsyncIterable<{ id: string; tenant: string; live?: { tenant: string } }>;
  /** The city's tenant (DREHSCHEIBE_PORTAL_TENANT), where the KPI entities are written. */
  cityTenant: string;
}

export function tenantReferences(src: ReferenceSources): (tenant: string) => Promise<TenantReference[]> {
  return async (tenant) => {
    const out: TenantReference[] = [];
    for (const k of await src.kpis()) {
      const uses: TenantUse[] = [];
      if (k.selection.tenant === tenant) uses.push('reads');
      if (tenant === src.cityTenant) uses.push('writes');
      if (uses.length) out.push({ kind: 'kpi', id: k.id, uses });
    }
    for await (const d of src.datasets()) {
      const uses: TenantUse[] = [];
      if (d.tenant === tenant) uses.push('manages');
      if (d.live?.tenant === tenant) uses.push('live');
      if (uses.length) out.push({ kind: 'dataset', id: d.id, uses });
    }
    return out;
  };
}
