// Operators' tenant management: create a tenant, see what it holds, delete it with everything in it
// (entities, history, subscriptions, devices and service groups). The admin API (/admin/tenants)
// and the page /verwaltung/mandanten both call this service.
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

export interface TenantServiceDeps {
  storage: Pick<StoragePort, 'tenants' | 'entities'>;
  subscriptions: Pick<SubscriptionService, 'list' | 'delete'>;
  registry: Pick<DeviceRegistry, 'listGroups' | 'listDevices' | 'deleteDevice' | 'deleteGroup'>;
  /** The city's tenant (DREHSCHEIBE_PORTAL_TENANT). */
  portalTenant: string;
  now: () => Date;
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
    for (;;) {
      const page = await this.d.subscriptions.list(name, { limit: 1000, offset: 0 });
      if (page.items.length === 0) break;
      for (const s of page.items) await this.d.subscriptions.delete(name, s.id).catch((e: unknown) => { if (!(e instanceof ResourceNotFound)) throw e; });
    }
    for (const dev of this.d.registry.listDevices(name, undefined)) await this.d.registry.deleteDevice(name, dev.servicePath, dev.deviceId).catch(ignoreNotFound);
    for (const g of this.d.registry.listGroups(name, undefined, {})) await this.d.registry.deleteGroup(name, g.servicePath, g.apikey, g.resource).catch(ignoreNotFound);
    const dropped = await this.d.storage.tenants.drop(name);
    return { ...before, ...dropped };
  }

  private check(name: string): void {
    const problem = tenantNameProblem(name);
    if (problem) throw new BadRequestData(problem);
  }

  private async exists(name: string, c: TenantContents): Promise<boolean> {
    return c.subscriptions > 0 || c.devices > 0 || c.serviceGroups > 0 || (await this.d.storage.entities.tenantExists(name));
  }

  private async measure(name: string): Promise<TenantContents> {
    const [usage, subs] = await Promise.all([this.d.storage.tenants.usage(name), this.d.subscriptions.list(name, { limit: 1, offset: 0 })]);
    return {
      name, ...usage, subscriptions: subs.count,
      devices: this.d.registry.listDevices(name, undefined).length,
      serviceGroups: this.d.registry.listGroups(name, undefined, {}).length,
      portal: name === this.d.portalTenant,
    };
  }
}

function ignoreNotFound(e: unknown): void {
  if (!(e instanceof ProblemError && e.status === 404)) throw e;
}
