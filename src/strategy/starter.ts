// The starter content (Herne's digital strategy), loaded into a new data directory like the demo sensors.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StrategyService } from './strategy.service.ts';
import type { KpiService } from './kpi.service.ts';
import { StrategyProblem } from './strategy.service.ts';

export const STARTER_FILE = join(dirname(fileURLToPath(import.meta.url)), 'starter', 'herne.json');

/** Loads the starter content when the store has no projects yet; returns whether it did. */
export async function loadStarter(service: StrategyService, file = STARTER_FILE): Promise<boolean> {
  const doc = JSON.parse(readFileSync(file, 'utf8'));
  return service.loadStarter(doc);
}

export const STARTER_KPIS_FILE = join(dirname(fileURLToPath(import.meta.url)), 'starter', 'herne-kpis.json');

/**
 * Loads the demo KPIs when there are no KPIs yet; returns how many. A KPI the access policy does not
 * let the public read is created unpublished (a steward can publish it once the policy allows).
 */
export async function loadStarterKpis(kpis: KpiService, file = STARTER_KPIS_FILE): Promise<number> {
  if ((await kpis.list()).length > 0) return 0;
  const doc = JSON.parse(readFileSync(file, 'utf8')) as { kpis: Array<Record<string, unknown>> };
  for (const k of doc.kpis) {
    try {
      await kpis.create(k);
    } catch (e) {
      if (!(e instanceof StrategyProblem && e.problems.some((p) => p.field === 'published'))) throw e;
      await kpis.create({ ...k, published: false });
    }
  }
  return doc.kpis.length;
}
