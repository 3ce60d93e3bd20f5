// Reads the export format (transfer.format.ts) into a store through the storage port: entities in
// batched transactions, history with its recording times kept, subscriptions with their counters,
// the device registry, API keys, the access policy and the audit log.
// The target should be empty: a record that exists already is counted and skipped (never replaced).
import { StorageConflict } from '../../core/errors.ts';
import type { EntityRecord, StoragePort } from '../port.ts';
import type { HistoryEntry } from '../port.temporal.ts';
import { FORMAT, VERSION, type Line } from './transfer.format.ts';

export interface ImportCounts {
  entities: number; historyEntities: number; instances: number; subscriptions: number;
  groups: number; devices: number; apiKeys: number; settings: number; auditEntries: number;
  skipped: number; unknown: number;
}

export class ImportFormatError extends Error {}

const BATCH = 500;

/** Imports lines (parsed JSON documents in file order); returns what was written. */
export async function importLines(s: StoragePort, lines: AsyncIterable<unknown>): Promise<ImportCounts> {
  const counts: ImportCounts = { entities: 0, historyEntities: 0, instances: 0, subscriptions: 0, groups: 0, devices: 0, apiKeys: 0, settings: 0, auditEntries: 0, skipped: 0, unknown: 0 };
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
      case 'history.entity':
        await finishHistory();
        // The history starts at its recorded creation time, even before its first instance.
        await s.withTransaction((tx) => tx.history.append(line.tenant, { id: line.id, types: line.types }, [], line.createdAt));
        counts.historyEntities++;
        if (line.deletedAt) deletedAt.set(`${line.tenant}\u0000${line.id}`, { types: line.types, at: line.deletedAt });
        break;
      case 'history': {
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
      case 'audit':
        await s.auth.appendAudit(line.entries);
        counts.auditEntries += line.entries.length;
        break;
      case 'end':
        break;
      default:
        counts.unknown++; // a kind written by a newer module (catalog, participation)
    }
  }
  if (!header) throw new ImportFormatError('the stream is empty');
  await flush();
  await finishHistory();
  return counts;
}
