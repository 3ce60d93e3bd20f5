// Engine-neutral row shape of the audit log: both adapters store the same columns.
import type { AuditEntry } from './port.auth.ts';

export interface AuditRow { at: string; principal: string; action: string; tenant: string | null; target: string | null; status: number; address: string | null; request_id: string | null }

export function auditEntryFromRow(r: AuditRow): AuditEntry {
  const e: AuditEntry = { at: r.at, principal: r.principal, action: r.action, status: r.status };
  if (r.tenant !== null) e.tenant = r.tenant;
  if (r.target !== null) e.target = r.target;
  if (r.address !== null) e.address = r.address;
  if (r.request_id !== null) e.requestId = r.request_id;
  return e;
}
