// Reads the export format (transfer.format.ts) into a store through the storage port: entities in
// batched transactions, history with its recording times kept, subscriptions with their counters,
// the device registry, API keys, the access policy, people's accounts and the audit log.
// Idempotent: a record that exists in the target already is counted as skipped and never replaced
// nor doubled, so a second run into the same target changes nothing — an entity's history is
// imported only when the target holds no history of that entity, audit entries only when the
// target lacks an identical one.
import { StorageConflict } from '../../core/errors.ts';
import type { EntityRecord, StoragePort } from '../port.ts';
import type { AuditEntry } from '../port.auth.ts';
import type { HistoryEntry } from '../port.temporal.ts';
import { FORMAT, VERSION, type Line, type ModuleTransfer } from './transfer.format.ts';

export interface ImportCounts {
  entities: number; historyEntities: number; instances: number; subscriptions: number;
  groups: number; devices: number; apiKeys: number; settings: number; users: number; auditEntries: number;
  skipped: number; unknown: number;
  /** Lines of module transfers (catalog.dataset, …) written, by kind. */
  modules?: Record<string, number>;
  /** Of skipped: entity histories and audit entries that were in the target already. */
  skippedHistories: number; skippedInstances: number; skippedAuditEntries: number;
}

/** Whether an import wrote anything at all (a repeated import writes nothing). */
export function wroteNothing(c: ImportCounts): boolean {
  return Object.values(c.modules ?? {}).reduce((a, b) => a + b, 0) + c.entities + c.historyEntities + c.instances + c.subscriptions + c.groups + c.devices + c.apiKeys + c.settings + c.users + c.auditEntries === 0;
}

const auditKey = (e: AuditEntry) => JSON.stringify([e.at, e.principal, e.action, e.tenant ?? null, e.target ?? null, e.status, e.address ?? null, e.requestId ?? null]);

export class ImportFormatError extends Error {}

const BATCH = 500;

/** Imports lines (parsed JSON documents in file order); returns what was written. */
export async function importLines(s: StoragePort, lines: AsyncIterable<unknown>, modules: ModuleTransfer[] = []): Promise<ImportCounts> {
  const counts: ImportCounts = {
    entities: 0, historyEntities: 0, instances: 0, subscriptions: 0, groups: 0, devices: 0, apiKeys: 0, settings: 0, users: 0, auditEntries: 0, skipped: 0, unknown: 0,
    skippedHistories: 0, skippedInstances: 0, skippedAuditEntries: 0,
  };
  /** Entities whose history the target had before this import: their history lines are skipped. */
  const keepHistory = new Set<string>();
  /** Runs a create; a conflict (the record exists in the target) counts as skipped. */
  const create = async (write: () => Promise<void>, counted: keyof ImportCounts) => {
    try {
      await write();
      counts[counted]++;
    } catch (e) {
      if (!(e instanceof StorageConflict)) throw e;
      counts.skipped++;
    }
  };
  let header = false;
  let batch: Array<{ tenant: string; entity: EntityRecord }> = [];
  const deletedAt = new Map<string, { types: string[]; at: string }>();
  const flush = async () => {
    if (!batch.length) return;
    const items = batch;
    batch = [];
    await s.withTransaction(async (tx) => {
      for (const { tenant, entity } of items) {
        try {
          await tx.savepoint(() => tx.entities.insert(tenant, entity));
          counts.entities++;
        } catch (e) {
          if (!(e instanceof StorageConflict)) throw e;
          counts.skipped++;
        }
      }
    });
  };
  /** Marks deleted histories once their instances are in (a later append would clear the mark). */
  const finishHistory = async () => {
    if (!deletedAt.size) return;
    const marks = [...deletedAt.entries()];
    deletedAt.clear();
    await s.withTransaction(async (tx) => {
      for (const [k, v] of marks) {
        const [tenant, id] = k.split('\u0000');
        await tx.history.append(tenant, { id, types: v.types, deleted: true }, [], v.at);
      }
    });
  };
  for await (const raw of lines) {
    const line = raw as Line;
    if (!header) {
      if (line?.kind !== 'header' || (line as { format?: string }).format !== FORMAT) throw new ImportFormatError(`not a ${FORMAT} stream: the first line must be its header`);
      if (line.version > VERSION) throw new ImportFormatError(`export format version ${line.version} is newer than this build reads (${VERSION})`);
      header = true;
      continue;
    }
    // Entities are written in batches: whatever comes next waits until the batch is in.
    if (line.kind !== 'entity') await flush();
    switch (line.kind) {
      case 'entity':
        batch.push({ tenant: line.tenant, entity: line.entity as EntityRecord });
        if (batch.length >= BATCH) await flush();
        break;
      case 'history.entity': {
        await finishHistory();
        const k = `${line.tenant}\u0000${line.id}`;
        if (await s.temporal.getEntity(line.tenant, line.id)) {
          // Imported before (or recorded there): appending again would double every instance.
          keepHistory.add(k);
          counts.skippedHistories++;
          counts.skipped++;
          break;
        }
        // The history starts at its recorded creation time, even before its first instance.
        await s.withTransaction((tx) => tx.history.append(line.tenant, { id: line.id, types: line.types }, [], line.createdAt));
        counts.historyEntities++;
        if (line.deletedAt) deletedAt.set(k, { types: line.types, at: line.deletedAt });
        break;
      }
      case 'history': {
        if (keepHistory.has(`${line.tenant}\u0000${line.id}`)) {
          counts.skippedInstances += line.instances.length;
          break;
        }
        // Instances recorded at the same time are appended together, with that recording time,
        // so createdAt survives; deletion markers are appended at their deletion time.
        await s.withTransaction(async (tx) => {
          let group: HistoryEntry[] = [];
          let at = '';
          const send = async () => {
            if (group.length) await tx.history.append(line.tenant, { id: line.id, types: [] }, group, at);
            group = [];
          };
          for (const { instance, deleted, ts } of line.instances) {
            const when = deleted ? String(instance.deletedAt) : String(instance.createdAt);
            if (when !== at) { await send(); at = when; }
            const inst = { ...instance };
            if (line.datasetId !== undefined) inst.datasetId = line.datasetId;
            delete inst.createdAt;
            // Without observedAt an instance is placed at its modification time when written.
            if (!deleted && inst.observedAt === undefined && typeof ts === 'number') inst.modifiedAt = new Date(ts).toISOString();
            group.push(deleted ? { attr: line.attr, instance: inst, deleted: true } : { attr: line.attr, instance: inst });
          }
          await send();
        });
        counts.instances += line.instances.length;
        break;
      }
      case 'subscription':
        await create(async () => {
          await s.subscriptions.create(line.tenant, line.subscription);
          await s.subscriptions.addDeliveryStats([{
            tenant: line.tenant, id: line.subscription.id, sent: line.stats.timesSent, failed: line.stats.timesFailed,
            lastNotification: line.stats.lastNotification, lastSuccess: line.stats.lastSuccess, lastFailure: line.stats.lastFailure, lastFailureReason: line.stats.lastFailureReason,
          }]);
        }, 'subscriptions');
        break;
      case 'group':
        await create(() => s.ingest.createGroup(line.group), 'groups');
        break;
      case 'device':
        await create(() => s.ingest.createDevice(line.device), 'devices');
        break;
      case 'apikey':
        await create(() => s.auth.createKey(line.key), 'apiKeys');
        break;
      case 'setting':
        if ((await s.auth.getSetting(line.name)) === undefined) {
          await s.auth.putSetting(line.name, line.value);
          counts.settings++;
        } else counts.skipped++;
        break;
      case 'user':
        await create(() => s.accounts.createUser(line.user), 'users');
        break;
      case 'audit': {
        if (!line.entries.length) break;
        // Entries of the same time span that the target holds already (a repeated import) are left out.
        const times = line.entries.map((e) => e.at).sort();
        const until = new Date(Date.parse(times[times.length - 1]) + 1).toISOString();
        const present = new Map<string, number>();
        for (let offset = 0; ; offset += 1000) {
          const page = await s.auth.queryAudit({ since: times[0], until, limit: 1000, offset, oldestFirst: true });
          for (const e of page) present.set(auditKey(e), (present.get(auditKey(e)) ?? 0) + 1);
          if (page.length < 1000) break;
        }
        const fresh = line.entries.filter((e) => {
          const n = present.get(auditKey(e)) ?? 0;
          if (n > 0) present.set(auditKey(e), n - 1);
          return n === 0;
        });
        if (fresh.length) await s.auth.appendAudit(fresh);
        counts.auditEntries += fresh.length;
        counts.skippedAuditEntries += line.entries.length - fresh.length;
        break;
      }
      case 'end':
        break;
      default: {
        const kind = (line as { kind: string }).kind;
        const m = modules.find((x) => kind.startsWith(x.prefix));
        if (!m) { counts.unknown++; break; } // a kind written by a newer module (participation)
        if ((await m.importLine(line as unknown as { kind: string } & Record<string, unknown>)) === 'skipped') counts.skipped++;
        else (counts.modules ??= {})[kind] = ((counts.modules ??= {})[kind] ?? 0) + 1;
      }
    }
  }
  if (!header) throw new ImportFormatError('the stream is empty');
  await flush();
  await finishHistory();
  return counts;
}
