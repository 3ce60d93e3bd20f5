// The export format (docs/scaling.md "Moving data between engines"): NDJSON, one record per line,
// streamed; the first line is a header naming the format and its version. Engine-neutral: written
// and read through the storage port only, so any engine exports to any other.
import type { AttrInstance, EntityRecord } from '../port.ts';
import type { DeliveryStats, SubscriptionRecord } from '../port.subscriptions.ts';
import type { DeviceRecord, ServiceGroupRecord } from '../port.ingest.ts';
import type { ApiKeyRecord, AuditEntry } from '../port.auth.ts';
import type { UserRecord } from '../port.accounts.ts';

export const FORMAT = 'drehscheibe-export';
/**
 * 2: adds the device registry (group, device) and access control (apikey, setting, audit), and
 * people's accounts (user; older importers skip the kind). Version 1 streams are read too.
 */
export const VERSION = 2;

export interface HeaderLine { kind: 'header'; format: typeof FORMAT; version: number; engine: string; exportedAt: string }
/** The current state of one entity (rev and born are left out: the importing store starts its own versions). */
export interface EntityLine { kind: 'entity'; tenant: string; entity: Omit<EntityRecord, 'rev' | 'born'> }
/** The history of one entity: its identity, then its instances per attribute (and datasetId). */
export interface HistoryEntityLine { kind: 'history.entity'; tenant: string; id: string; types: string[]; createdAt: string; deletedAt?: string }
export interface HistoryLine {
  kind: 'history'; tenant: string; id: string; attr: string; datasetId?: string;
  /**
   * Instances in time order as the temporal API shows them (instanceId dropped: engines number their
   * own); ts is the instance's place in time (observedAt, else its modification time when written).
   */
  instances: Array<{ instance: AttrInstance; deleted: boolean; ts: number }>;
}
export interface SubscriptionLine { kind: 'subscription'; tenant: string; subscription: SubscriptionRecord; stats: DeliveryStats }
/** An IoT Agent service group of the device registry. */
export interface GroupLine { kind: 'group'; group: ServiceGroupRecord }
/** A provisioned device. */
export interface DeviceLine { kind: 'device'; device: DeviceRecord }
/** An API key as stored: its SHA-256 hash, never the secret (keys keep working after the move). */
export interface ApiKeyLine { kind: 'apikey'; key: ApiKeyRecord }
/** A named document of the access-control module (the policy set through the admin API). */
export interface SettingLine { kind: 'setting'; name: string; value: unknown }
/** A person's account with its password hash (logins keep working after the move); sessions, tokens and the outbox are not moved. */
export interface UserLine { kind: 'user'; user: UserRecord }
/** Up to 1,000 audit log entries, oldest first (in the order written). */
export interface AuditLine { kind: 'audit'; entries: AuditEntry[] }
/** Kinds of modules that do not exist yet (catalog, participation) will follow: importers skip unknown kinds with a count. */
export interface EndLine { kind: 'end'; counts: Record<string, number> }

export type Line = HeaderLine | EntityLine | HistoryEntityLine | HistoryLine | SubscriptionLine | GroupLine | DeviceLine | ApiKeyLine | SettingLine | UserLine | AuditLine | EndLine;

/**
 * A module with a store of its own (the catalogue) adds lines of its own kinds ("<module>.<what>")
 * to the same stream: main.ts passes its transfer to export and import.
 */
export interface ModuleTransfer {
  /** Prefix of the module's line kinds, e.g. "catalog." */
  prefix: string;
  lines(): AsyncIterable<{ kind: string } & Record<string, unknown>>;
  /** Writes one line; 'skipped' when the target holds it already (imports stay idempotent). */
  importLine(line: { kind: string } & Record<string, unknown>): Promise<'written' | 'skipped'>;
}

/** The access-control settings an export carries (by name). */
export const SETTINGS = ['policy'];
