// Streams everything a store holds as the export format (transfer.format.ts): tenants' entities,
// their history (instances in keyset pages), subscriptions with their delivery counters, the
// device registry, API keys (hashes), the access policy, people's accounts and the audit log.
import type { StoragePort } from '../port.ts';
import { FORMAT, SETTINGS, VERSION, type Line, type ModuleTransfer } from './transfer.format.ts';

const PAGE = 500;
const INSTANCE_PAGE = 5000;
const AUDIT_PAGE = 1000;

/** Yields the export line by line (the caller writes them, one JSON document per line). */
export async function* exportLines(s: StoragePort, now = () => new Date().toISOString(), modules: ModuleTransfer[] = []): AsyncGenerator<Line | ({ kind: string } & Record<string, unknown>)> {
  const counts: Record<string, number> = { entity: 0, 'history.entity': 0, history: 0, instances: 0, subscription: 0, group: 0, device: 0, apikey: 0, setting: 0, user: 0, audit: 0 };
  yield { kind: 'header', format: FORMAT, version: VERSION, engine: s.engine, exportedAt: now() };
  const tenants = new Set(await s.entities.listTenants());
  for (const { tenant } of await s.subscriptions.all()) tenants.add(tenant);
  for (const tenant of [...tenants].sort()) {
    for (let offset = 0; ; offset += PAGE) {
      const { entities } = await s.entities.query(tenant, {}, { limit: PAGE, offset, count: false });
      for (const e of entities) {
        const { rev: _rev, born: _born, ...entity } = e;
        counts.entity++;
        yield { kind: 'entity', tenant, entity };
      }
      if (entities.length < PAGE) break;
    }
    for (let offset = 0; ; offset += PAGE) {
      const { entities } = await s.temporal.queryEntities(tenant, {}, { limit: PAGE, offset, count: false });
      for (const te of entities) {
        counts['history.entity']++;
        yield { kind: 'history.entity', tenant, id: te.id, types: te.types, createdAt: te.createdAt, ...(te.deletedAt ? { deletedAt: te.deletedAt } : {}) };
        for (const series of te.series) {
          let after: string | undefined;
          for (;;) {
            const list = await s.temporal.instances(series, { window: { property: 'observedAt' }, limit: INSTANCE_PAGE, after });
            if (list.length === 0) break;
            counts.history++;
            counts.instances += list.length;
            yield {
              kind: 'history', tenant, id: te.id, attr: series.attr, ...(series.datasetId !== undefined ? { datasetId: series.datasetId } : {}),
              instances: list.map((i) => {
                const { instanceId: _id, ...instance } = i.instance;
                return { instance: instance as typeof i.instance, deleted: i.deleted, ts: i.time };
              }),
            };
            if (list.length < INSTANCE_PAGE) break;
            after = list[list.length - 1].cursor;
          }
        }
      }
      if (entities.length < PAGE) break;
    }
  }
  for (const { tenant, sub } of await s.subscriptions.all()) {
    const { stats, ...subscription } = sub;
    counts.subscription++;
    yield { kind: 'subscription', tenant, subscription, stats };
  }
  for (const group of await s.ingest.allGroups()) {
    counts.group++;
    yield { kind: 'group', group };
  }
  for (const device of await s.ingest.allDevices()) {
    counts.device++;
    yield { kind: 'device', device };
  }
  for (const key of await s.auth.listKeys()) {
    counts.apikey++;
    yield { kind: 'apikey', key };
  }
  for (const name of SETTINGS) {
    const value = await s.auth.getSetting(name);
    if (value === undefined) continue;
    counts.setting++;
    yield { kind: 'setting', name, value };
  }
  for (let offset = 0; ; offset += PAGE) {
    const users = await s.accounts.listUsers({ limit: PAGE, offset });
    for (const user of users) {
      counts.user++;
      yield { kind: 'user', user };
    }
    if (users.length < PAGE) break;
  }
  for (let offset = 0; ; offset += AUDIT_PAGE) {
    // Oldest first: the importer appends in the order written, and pages stay put while entries are added.
    const entries = await s.auth.queryAudit({ limit: AUDIT_PAGE, offset, oldestFirst: true });
    if (entries.length) {
      counts.audit += entries.length;
      yield { kind: 'audit', entries };
    }
    if (entries.length < AUDIT_PAGE) break;
  }
  for (const m of modules) {
    for await (const line of m.lines()) {
      counts[line.kind] = (counts[line.kind] ?? 0) + 1;
      yield line;
    }
  }
  yield { kind: 'end', counts };
}
