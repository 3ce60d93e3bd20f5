// The access-control part of the storage port: API keys (stored as SHA-256 hashes only) and the
// audit log (appended in batches, queried by operators, pruned after the retention period).

export interface ApiKeyRecord {
  /** Public identifier (shown in lists, used to revoke); not the secret. */
  id: string;
  /** Unique, human-chosen name; policies address the key as "key:<name>". */
  name: string;
  /** SHA-256 of the secret key, hex. */
  hash: string;
  /** The first characters of the secret, to recognise a key in a list. */
  prefix: string;
  roles: string[];
  /** Scope: the key acts only in these tenants ('' = default tenant); absent = all. */
  tenants?: string[];
  /** Scope: only entities of these types (expanded IRIs); absent = all. */
  types?: string[];
  /** Scope: only these operations (read, write, subscriptions, admin); absent = all its roles allow. */
  ops?: string[];
  createdAt: string;
  createdBy?: string;
  expiresAt?: string;
  revokedAt?: string;
}

export interface AuditEntry {
  at: string;
  /** Who: "key:<name>", "oidc:<sub>", "anonymous", "auth-off". */
  principal: string;
  /** What: e.g. "POST /ngsi-ld/v1/entities" or "api-key.create". */
  action: string;
  tenant?: string;
  /** The addressed resource (entity id, key id …), when known. */
  target?: string;
  status: number;
  /** From where: the client address. */
  address?: string;
  requestId?: string;
}

export interface AuditQuery {
  since?: string;
  until?: string;
  principal?: string;
  tenant?: string;
  /** Substring of the action. */
  action?: string;
  limit: number;
  offset: number;
  /** Oldest first (in the order written) instead of newest first: stable pages while entries are added (export). */
  oldestFirst?: boolean;
}

export interface AuthStore {
  /** Throws StorageConflict when the name (or id) is taken. */
  createKey(rec: ApiKeyRecord): Promise<void>;
  keyByHash(hash: string): Promise<ApiKeyRecord | undefined>;
  keyById(id: string): Promise<ApiKeyRecord | undefined>;
  /** Every key, newest first. */
  listKeys(): Promise<ApiKeyRecord[]>;
  /** Marks the key revoked; false when there is no such key or it was revoked before. */
  revokeKey(id: string, at: string): Promise<boolean>;
  /** Appends entries in one transaction. */
  appendAudit(entries: AuditEntry[]): Promise<void>;
  /** Newest first. */
  queryAudit(q: AuditQuery): Promise<AuditEntry[]>;
  /** Deletes entries older than `before`; returns how many. */
  pruneAudit(before: string): Promise<number>;
  /** Named JSON documents of the auth module (the access policy set through the admin API). */
  getSetting(name: string): Promise<unknown>;
  /** undefined deletes the setting. */
  putSetting(name: string, value: unknown): Promise<void>;
}
