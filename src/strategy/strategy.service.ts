// The strategy service: the one way in for the API routes and the portal's pages. Checks input
// (strategy.validate.ts), translates storage errors to problem details with our own type URIs.
import { randomUUID } from 'node:crypto';
import type { Clock } from '../core/clock.ts';
import { ProblemError, StorageConflict, StorageNotFound } from '../core/errors.ts';
import type { Feedback, FieldOfAction, Organisation, Project, StrategyEvent } from './strategy.model.ts';
import type { StrategyStore } from './strategy.port.ts';
import { parseProject, type Problem } from './strategy.validate.ts';

const TYPE = 'https://drehscheibe.dev/errors/';

export class StrategyProblem extends ProblemError {
  constructor(name: 'BadRequest' | 'NotFound' | 'Conflict', status: number, title: string, detail: string, readonly problems: Problem[] = []) {
    super(TYPE + name, status, title, detail);
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), ...(this.problems.length ? { errors: this.problems } : {}) };
  }
}

const invalid = (problems: Problem[]) => new StrategyProblem('BadRequest', 400, 'Invalid project', problems.map((p) => p.message).join('; '), problems);
const notFound = (what: string) => new StrategyProblem('NotFound', 404, 'Not found', `${what} does not exist`);

export interface StrategyOverview {
  fields: FieldOfAction[];
  projects: Project[];
  organisations: Organisation[];
}

export class StrategyService {
  constructor(private readonly store: StrategyStore, private readonly clock: Clock) {}

  fields(): Promise<FieldOfAction[]> { return this.store.listFields(); }
  organisations(): Promise<Organisation[]> { return this.store.listOrganisations(); }
  projects(filter?: { fieldId?: string }): Promise<Project[]> { return this.store.listProjects(filter); }

  async overview(): Promise<StrategyOverview> {
    const [fields, projects, organisations] = await Promise.all([this.store.listFields(), this.store.listProjects(), this.store.listOrganisations()]);
    return { fields, projects, organisations };
  }

  async field(id: string): Promise<FieldOfAction> {
    const f = (await this.store.listFields()).find((x) => x.id === id);
    if (!f) throw notFound(`Field of action ${id}`);
    return f;
  }

  async project(slug: string): Promise<Project> {
    const p = await this.store.getProject(slug);
    if (!p) throw notFound(`Project ${slug}`);
    return p;
  }

  /** Events that have not ended yet, soonest first. */
  upcomingEvents(): Promise<StrategyEvent[]> {
    return this.store.listEvents({ from: this.clock.now().toISOString() });
  }
  events(): Promise<StrategyEvent[]> { return this.store.listEvents(); }
  /** One event, or undefined. */
  async event(id: string): Promise<StrategyEvent | undefined> {
    return (await this.store.listEvents()).find((e) => e.id === id);
  }
  /** Creates or replaces an event (checked by the caller: the participation module's event service). */
  putEvent(e: StrategyEvent): Promise<void> { return this.store.putEvent(e); }

  private async checkRefs(fieldId: string, organisationId: string | undefined): Promise<void> {
    const problems: Problem[] = [];
    if (!(await this.store.listFields()).some((f) => f.id === fieldId)) problems.push({ field: 'fieldId', message: `fieldId: there is no field of action ${fieldId}` });
    if (organisationId && !(await this.store.listOrganisations()).some((o) => o.id === organisationId)) problems.push({ field: 'organisationId', message: `organisationId: there is no organisation ${organisationId}` });
    if (problems.length) throw invalid(problems);
  }

  async createProject(body: unknown): Promise<Project> {
    const { input, problems } = parseProject(body);
    if (!input) throw invalid(problems);
    await this.checkRefs(input.fieldId, input.organisationId);
    const now = this.clock.now().toISOString();
    const p: Project = { ...input, createdAt: now, modifiedAt: now };
    if (p.organisationId === undefined) delete p.organisationId;
    try {
      await this.store.createProject(stripUndefined(p));
    } catch (e) {
      if (e instanceof StorageConflict) throw new StrategyProblem('Conflict', 409, 'Already exists', `A project with the slug ${p.slug} exists`);
      throw e;
    }
    return stripUndefined(p);
  }

  /** Replaces a project's content (PUT semantics); its slug and creation time stay. */
  async replaceProject(slug: string, body: unknown): Promise<Project> {
    const before = await this.project(slug);
    const { input, problems } = parseProject(body, slug);
    if (!input) throw invalid(problems);
    await this.checkRefs(input.fieldId, input.organisationId);
    const p = stripUndefined<Project>({ ...input, createdAt: before.createdAt, modifiedAt: this.clock.now().toISOString() });
    try {
      await this.store.updateProject(p);
    } catch (e) {
      if (e instanceof StorageNotFound) throw notFound(`Project ${slug}`);
      throw e;
    }
    return p;
  }

  async deleteProject(slug: string): Promise<void> {
    if (!(await this.store.deleteProject(slug))) throw notFound(`Project ${slug}`);
  }

  async addFeedback(f: Omit<Feedback, 'id' | 'at'>): Promise<Feedback> {
    const fb = stripUndefined<Feedback>({ ...f, id: randomUUID(), at: this.clock.now().toISOString() });
    await this.store.addFeedback(fb);
    return fb;
  }
  feedback(limit = 100): Promise<Feedback[]> { return this.store.listFeedback(limit); }

  /** Loads starter content (fields, organisations, projects, events) into an empty store; false when it had projects. */
  async loadStarter(s: { fields: FieldOfAction[]; organisations: Organisation[]; projects: Array<Omit<Project, 'createdAt' | 'modifiedAt'>>; events: StrategyEvent[] }): Promise<boolean> {
    if ((await this.store.listProjects()).length > 0) return false;
    for (const f of s.fields) await this.store.putField(f);
    for (const o of s.organisations) await this.store.putOrganisation(o);
    for (const e of s.events) await this.store.putEvent(e);
    for (const p of s.projects) await this.createProject(p);
    return true;
  }
}

function stripUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as Array<keyof T>) if (o[k] === undefined) delete o[k];
  return o;
}
