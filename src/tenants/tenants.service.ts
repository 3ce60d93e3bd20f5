// Operators' tenant management: create a tenant, see what it holds, delete it with everything in it
// (entities, history, subscriptions, devices and service groups). KPIs and catalogue datasets that
// use the tenant are the city's curated content, not the tenant's data: while any is left, the
// deletion is refused and names them. The admin API (/admin/tenants) and the page
// /verwaltung/mandanten both call this service; other nodes are told of a deletion (cluster feed).
import { AlreadyExists, BadRequestData, ProblemError, ResourceNotFound, DREHSCHEIBE_ERRORS } from '../core/errors.ts';
import { TENANT_NAME } from '../core/tenant.ts';
import type { StoragePort } from '../storage/port.ts';
import type { DeviceRegistry } from '../ingest/registry/registry.service.ts';
import type { SubscriptionService } from '../ngsi-ld/subscriptions/subscriptions.service.ts';


/** What a tenant holds: what a deletion removes. */
export interface TenantContents {
  name: string;
  entities: number;
  /** Entities with history (also entities deleted before). */
  historyEntities: number;
  /** Attribute instances in the history. */
  historyInstances: number;
  subscriptions: number;
  devices: number;
  serviceGroups: number;
  /** KPIs that read their entities from the tenant (every KPI for the city's tenant: their values are written there). */
  kpis: number;
  /** Catalogue datasets managed by the tenant's stewards or with live data from the tenant. */
  datasets: number;
  /** The portal's (the city's) tenant: deleting it needs its name typed as confirmation. */
  portal: boolean;
}

/** A deletion of the portal's tenant without its name as confirmation. */
export class ConfirmationRequired extends ProblemError {
  constructor(name: string) {
    super(`${DREHSCHEIBE_ERRORS}ConfirmationRequired`, 409, 'The deletion needs a confirmation',
      `"${name}" is the city's tenant shown by the portal; to delete it with all its data, repeat the request with confirm=${name}`);
    this.name = 'ConfirmationRequired';
  }
}

/** Content elsewhere that uses a tenant and blocks its deletion. */
export interface TenantReference {
  kind: 'kpi' | 'dataset';
  id: string;
  /** How it uses the tenant: reads its entities, writes its value there (KPIs); managed by its stewards, live data from there (datasets). */
  uses: TenantUse[];
}

export type TenantUse = 'reads' | 'writes' | 'manages' | 'live';
const USE_TEXT: Record<TenantUse, string> = { reads: 'reads its entities there', writes: 'writes its value there', manages: 'managed by its stewards', live: 'live data from there' };

/** A deletion refused because KPIs or datasets still use the tenant. */
export class TenantInUse extends ProblemError {
  constructor(name: string, readonly references: TenantReference[]) {
    super(`${DREHSCHEIBE_ERRORS}TenantInUse`, 409, 'The tenant is still in use', describe(name, references));
    this.name = 'TenantInUse';
  }
}

function describe(name: string, refs: TenantReference[]): string {
  const part = (kind: TenantReference['kind'], one: string, many: string) => {
    const of = refs.filter((r) => r.kind === kind);
    if (of.length === 0) return undefined;
    const shown = of.slice(0, 10).map((r) => `${r.id} (${r.uses.map((u) => USE_TEXT[u]).join(', ')})`).join(', ');
    return `${of.length} ${of.length === 1 ? one : many}: ${shown}${of.length > 10 ? `, and ${of.length - 10} more` : ''}`;
  };
  const parts = [part('kpi', 'KPI', 'KPIs'), part('dataset', 'catalogue dataset', 'catalogue datasets')].filter(Boolean);
  return `Tenant ${name} is still used by ${parts.join('; and by ')}. Delete them or change them to another tenant first, then delete the tenant`;
}

export interface TenantServiceDeps {
  storage: Pick<StoragePort, 'tenants' | 'entities'>;
  subscriptions: Pick<SubscriptionService, 'list' | 'delete'>;
  registry: Pick<DeviceRegistry, 'listGroups' | 'listDevices' | 'deleteDevice' | 'deleteGroup'>;
  /** The city's tenant (DREHSCHEIBE_PORTAL_TENANT). */
  portalTenant: string;
  now: () => Date;
  /** KPIs and catalogue datasets that use a tenant (lent by app.ts: this module imports neither). */
  references?: (tenant: string) => Promise<TenantReference[]>;
  /** Tells the other nodes that a tenant was deleted (they forget what they cached of it). */
  announce?: (tenant: string) => Promise<void>;
}

/** Why a name is not a tenant name (English, for the API), or undefined. */
export function tenantNameProblem(name: string): string | undefined {
  return TENANT_NAME.test(name) ? undefined : `Invalid tenant name "${name.slice(0, 70)}": use 1-64 letters, digits, _ or -`;
}

export class TenantService {
  constructor(private readonly d: TenantServiceDeps) {}

  /** Every tenant that has written data or was created empty (the storage's tenants), sorted by name. */
  async names(): Promise<string[]> {
    return [...(await this.d.storage.entities.listTenants())].sort();
  }

  /** What the tenant holds; 404 when there is no such tenant. */
  async contents(name: string): Promise<TenantContents> {
    this.check(name);
    const c = await this.measure(name);
    if (!(await this.exists(name, c))) throw new ResourceNotFound(`Tenant ${name} does not exist`);
    return c;
  }

  /** Creates an empty tenant; 409 when it exists. */
  async create(name: string): Promise<TenantContents> {
    this.check(name);
    if (!(await this.d.storage.tenants.create(name, this.d.now().toISOString()))) throw new AlreadyExists(`Tenant ${name} exists`);
    return this.measure(name);
  }

  /**
   * Deletes the tenant and everything in it: subscriptions and devices first (through their
   * services, which keep caches and tell the other nodes), then entities and history in one
   * transaction. The portal's tenant only with `confirm` equal to its name.
   */
  async delete(name: string, confirm?: string): Promise<TenantContents> {
    const before = await this.contents(name);
    if (before.portal && confirm !== name) throw new ConfirmationRequired(name);
    const refs = await this.references(name);
    if (refs.length) throw new TenantInUse(name, refs);
    for (;;) {
      const page = await this.d.subscriptions.list(name, { limit: 1000, offset: 0 });
      if (page.items.length === 0) break;
      for (const s of page.items) await this.d.subscriptions.delete(name, s.id).catch((e: unknown) => { if (!(e instanceof ResourceNotFound)) throw e; });
    }
    for (const dev of this.d.registry.listDevices(name, undefined)) await this.d.registry.deleteDevice(name, dev.servicePath, dev.deviceId).catch(ignoreNotFound);
    for (const g of this.d.registry.listGroups(name, undefined, {})) await this.d.registry.deleteGroup(name, g.servicePath, g.apikey, g.resource).catch(ignoreNotFound);
    const dropped = await this.d.storage.tenants.drop(name);
    await this.d.announce?.(name);
    return { ...before, ...dropped };
  }

  /** What uses the tenant outside its own data (KPIs, catalogue datasets). */
  references(name: string): Promise<TenantReference[]> {
    return this.d.references?.(name) ?? Promise.resolve([]);
  }

  private check(name: string): void {
    const problem = tenantNameProblem(name);
    if (problem) throw new BadRequestData(problem);
  }

  private async exists(name: string, c: TenantContents): Promise<boolean> {
    return c.subscriptions > 0 || c.devices > 0 || c.serviceGroups > 0 || (await this.d.storage.entities.tenantExists(name));
  }

  private async measure(name: string): Promise<TenantContents> {
    const [usage, subs, refs] = await Promise.all([this.d.storage.tenants.usage(name), this.d.subscriptions.list(name, { limit: 1, offset: 0 }), this.references(name)]);
    return {
      name, ...usage, subscriptions: subs.count,
      devices: this.d.registry.listDevices(name, undefined).length,
      serviceGroups: this.d.registry.listGroups(name, undefined, {}).length,
      kpis: refs.filter((r) => r.kind === 'kpi').length,
      datasets: refs.filter((r) => r.kind === 'dataset').length,
      portal: name === this.d.portalTenant,
    };
  }
}

function ignoreNotFound(e: unknown): void {
  if (!(e instanceof ProblemError && e.status === 404)) throw e;
}
