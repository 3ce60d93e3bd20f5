// What a write adds to the history (clause 5.7.3 / 4.5.7): the attribute instances that a write
// created or modified, and deletion markers for those it removed — never the unchanged rest.
import type { AttrInstance, EntityRecord, WriteTx } from '../../storage/port.ts';
import type { HistoryEntry } from '../../storage/port.temporal.ts';

const dsKey = (i: AttrInstance): string => (i.datasetId as string | undefined) ?? '';

/**
 * An instance changed when its modifiedAt moved (the write touched it) or, within the same
 * millisecond, when its content differs.
 */
function changed(before: AttrInstance, after: AttrInstance): boolean {
  if (before === after) return false;
  if (before.modifiedAt !== after.modifiedAt) return true;
  return JSON.stringify(before) !== JSON.stringify(after);
}

export function historyEntries(before: EntityRecord | undefined, after: EntityRecord | undefined): HistoryEntry[] {
  const out: HistoryEntry[] = [];
  if (after) {
    for (const attr in after.attrs) {
      const list = after.attrs[attr];
      const old = before?.attrs[attr];
      for (const inst of list) {
        const prev = old?.find((o) => dsKey(o) === dsKey(inst));
        if (!prev || changed(prev, inst)) out.push({ attr, instance: inst });
      }
    }
  }
  if (before) {
    for (const attr in before.attrs) {
      const now = after?.attrs[attr];
      for (const inst of before.attrs[attr]) {
        if (now?.some((n) => dsKey(n) === dsKey(inst))) continue;
        const marker: AttrInstance = { type: inst.type };
        if (inst.datasetId !== undefined) marker.datasetId = inst.datasetId;
        out.push({ attr, instance: marker, deleted: true });
      }
    }
  }
  return out;
}

/** Called by the one write path for every insert, update and delete, inside its transaction. */
export async function recordHistory(tx: WriteTx, tenant: string, before: EntityRecord | undefined, after: EntityRecord | undefined, at: string): Promise<void> {
  if (!tx.history.recording) return;
  const entries = historyEntries(before, after);
  const e = (after ?? before)!;
  const typesChanged = before && after && before.types.join('\u0000') !== after.types.join('\u0000');
  if (entries.length === 0 && !typesChanged && before && after) return;
  await tx.history.record(tenant, { id: e.id, types: e.types, deleted: !after }, entries, at);
}
