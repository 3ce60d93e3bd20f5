// The participation module as an app sees it (one call from app.ts): opens its store (its own SQLite
// file, or its tables in the PostgreSQL schema with DATABASE_URL), builds the service, and registers
// the JSON API (/api/participation), citizens' self-registration (/konto/registrieren) and the pages.
import type { LocalMail } from './mail.ts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../config/config.ts';
import type { Clock } from '../core/clock.ts';
import { ProblemError, TooManyRequests } from '../core/errors.ts';
import type { Accounts } from '../accounts/index.ts';
import type { AccountStore } from '../storage/port.accounts.ts';
import type { StrategyService } from '../strategy/index.ts';
import type { ParticipationStore } from './participation.port.ts';
import { ParticipationService, type ParticipationEvent, type Person } from './participation.service.ts';
import type { Comment } from './participation.model.ts';
import type { GuestContribution } from './guests-follows.model.ts';
import { participationRoutes } from './participation.routes.ts';
import { RegistrationService } from './registration.service.ts';
import { SurveyService } from './survey.service.ts';
import { EventService } from './events.service.ts';
import { OpenDataService } from './export.service.ts';
import { GuestService } from './guest.service.ts';
import { FollowService } from './follow.service.ts';
import { Afterwards, type JobRunner } from './afterwards.ts';
import { ProposalImageService } from './image.service.ts';
import { SqliteParticipationStore } from './sqlite/participation.sqlite.ts';
import { PostgresParticipationStore } from './postgres/participation.postgres.ts';
import { loadParticipationStarter } from './starter.ts';
import { ProcessDatasets } from './catalog.datasets.ts';
import { VerificationService } from './verification.service.ts';
import { VerificationRegistry, invitationCodePlugin, postalCodePlugin } from './verification.plugins.ts';
import type { VerificationPlugin } from './verification.model.ts';
import type { CatalogService } from '../catalog/index.ts';
import { participationPages } from '../portal/participation/participation.pages.ts';
import type { CitationSource } from '../portal/participation/citations.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The participation module of this app (tests and tools reach its service and store here). */
    participation?: Participation;
  }
}

export interface ParticipationSetup {
  config: Readonly<Config>;
  clock: Clock;
  accounts: Accounts;
  accountStore: AccountStore;
  strategy: StrategyService;
  /** A store to use instead of opening one (tests). */
  store?: ParticipationStore;
  /** A city's own verification plug-ins, registered next to postal-code and invitation-code (verification.model.ts). */
  verificationPlugins?: VerificationPlugin[];
  /** The open-data catalogue: each process is listed there as a dataset (catalog.datasets.ts). */
  catalog?: CatalogService;
  /** Where the live data cited in proposals and comments is read (the KPI and sensor pages' services). */
  citations?: CitationSource;
}

export interface Participation {
  /** Loads the demo's sample process into an empty store (main.ts, with the strategy's starter content). */
  loadStarter(): Promise<boolean>;
  service: ParticipationService;
  surveys: SurveyService;
  events: EventService;
  openData: OpenDataService;
  registration: RegistrationService;
  guests: GuestService;
  follows: FollowService;
  images: ProposalImageService;
  verification: VerificationService;
  /** The processes' datasets in the open-data catalogue (absent without a catalogue). */
  datasets?: ProcessDatasets;
  /** The mails to followers and moderators, made after the answer; `idle()` waits for them (tests, shutdown). */
  afterwards: Afterwards;
  store: ParticipationStore;
  person(req: FastifyRequest): Promise<Person | undefined>;
  /**
   * A person deletes their own account, confirmed with their password: their contributions stay as
   * by "gelöschtes Konto", the account and its sessions are deleted. false: wrong password (or an
   * account without one, which an operator deletes).
   */
  deleteAccount(person: Person, password: unknown): Promise<boolean>;
}

export async function installParticipation(app: FastifyInstance, d: ParticipationSetup): Promise<Participation> {
  const cfg = d.config;
  const store = d.store ?? (cfg.databaseUrl
    ? await PostgresParticipationStore.open({ url: cfg.databaseUrl, schema: cfg.postgres.schema })
    : SqliteParticipationStore.inDataDir(cfg.dataDir));
  const log = app.log.child({ module: 'participation' });
  // The jobs' runner is set once the services exist (below); jobs are only run after start-up.
  let runJob: JobRunner = async () => { throw new Error('participation jobs run before the module was set up'); };
  const afterwards = new Afterwards({
    store, clock: d.clock, run: (kind, payload) => runJob(kind, payload),
    onError: (err, job) => (job?.givenUp
      ? log.error({ err, job: job.kind, attempts: job.attempts }, 'followers or moderators could not be told; the job is given up')
      : log.warn({ err, job: job?.kind, attempts: job?.attempts }, 'followers or moderators could not be told; the job is tried again later')),
  });
  // The mails queued by the last requests are made before the store closes.
  app.addHook('onClose', async () => { await afterwards.idle(); if (!d.store) await store.close(); });
  // Verification plug-ins by name: postal-code only with the city's codes configured.
  const registry = new VerificationRegistry().register(invitationCodePlugin(store.verifications));
  if (cfg.portal.verifyPostalCodes.length) registry.register(postalCodePlugin(cfg.portal.verifyPostalCodes));
  for (const plugin of d.verificationPlugins ?? []) registry.register(plugin);
  const verification = new VerificationService({ store, clock: d.clock, registry, attempts: [cfg.portal.verifyAttempts, cfg.portal.verifyAttemptsWindowS] });
  const service = new ParticipationService({
    store, clock: d.clock, tenant: cfg.portal.tenant, verification,
    projectExists: (slug) => d.strategy.project(slug).then(() => true, () => false),
    async notify(userId, m) {
      try {
        const u = await d.accounts.users.get(userId);
        await d.accounts.mailer.send({ to: u.email, ...m[u.lang ?? 'de'] });
      } catch (err) {
        log.warn({ err }, 'a participation notice could not be mailed');
      }
    },
  });
  /** A mail in the person's language (German unless they use the English portal). */
  const mail = async (userId: string, m: LocalMail) => {
    try {
      const u = await d.accounts.users.get(userId);
      await d.accounts.mailer.send({ to: u.email, ...m[u.lang ?? 'de'], ...(m.headers ? { headers: m.headers } : {}) });
    } catch (err) {
      log.warn({ err }, 'a participation mail could not be sent');
    }
  };
  const surveys = new SurveyService(service, store);

  const events = new EventService(service, store, {
    list: () => d.strategy.events(), upcoming: () => d.strategy.upcomingEvents(), get: (id) => d.strategy.event(id), put: (e) => d.strategy.putEvent(e),
  }, d.clock, {
    publicUrl: cfg.publicUrl,
    mail: (userId, m) => mail(userId, m),
    whoIs: (userId) => d.accounts.users.get(userId).then((u) => ({ name: u.displayName, email: u.email }), () => undefined),
  });
  const openData = new OpenDataService(service, store, d.clock, undefined, cfg.publicUrl);
  const moderators = async (): Promise<string[]> => {
    const out: string[] = [];
    for (let offset = 0; ; offset += 500) {
      const page = await d.accountStore.listUsers({ limit: 500, offset });
      for (const u of page) if (service.hasRole({ id: u.id, name: '', confirmed: true, roles: u.roles }, 'moderator')) out.push(u.id);
      if (page.length < 500) return out;
    }
  };
  const follows = new FollowService({
    store, clock: d.clock, service, publicUrl: cfg.publicUrl, mail, moderators,
    projectTitle: (slug) => d.strategy.project(slug).then((p) => p.title, () => undefined),
  });
  // Followers' and moderators' mails are made after the answer (one lookup and one outbox row per
  // person): a process with many followers, or a slow mail server, never slows the citizen's post.
  // Kept in the database before the answer (part_jobs), run after it: a node that dies in between
  // leaves them to the next start-up or another node's drain.
  service.on(async (e) => { await afterwards.add('event', e); });
  const images = new ProposalImageService({ store, service, clock: d.clock, notify: mail, onPending: async (m) => { await afterwards.add('imagePending', { at: m.createdAt }); } });
  const guests = new GuestService({
    store, clock: d.clock, service, surveys, limit: [cfg.portal.guestLimit, cfg.portal.guestLimitWindowS],
    onPending: async (g) => { await afterwards.add('guestPending', g); },
    onReleased: async (c) => { await afterwards.add('released', c); },
  });
  runJob = async (kind, payload) => {
    if (kind === 'event') return follows.handle(payload as ParticipationEvent);
    if (kind === 'imagePending') return follows.imagePending((payload as { at: string }).at);
    if (kind === 'guestPending') return follows.guestPending(payload as GuestContribution);
    if (kind === 'released') return follows.commented(payload as Comment, (payload as Comment).authorId);
    throw new Error(`unknown participation job ${kind}`);
  };
  // Jobs left by a node that stopped (or died) before running them: at start-up, and with the interval below.
  app.addHook('onReady', async () => { afterwards.drainSoon(); });
  if (cfg.portal.followIntervalS > 0) {
    const timer = setInterval(() => {
      afterwards.drainSoon();
      follows.tick().catch((err) => log.warn({ err }, 'phase changes or digests could not be sent'));
    }, cfg.portal.followIntervalS * 1000);
    timer.unref();
    app.addHook('onClose', async () => { clearInterval(timer); });
  }
  // Any change made through this node drops the built exports at once (the cache's minute is for other nodes).
  // (onSend: after the handler's write, before the answer leaves, so the next request sees the change.)
  // Callback style: this hook sits at the root and runs on every answer (an async hook costs a promise per
  // request and defers the send; the NGSI-LD GET benchmark lost a sixth of its rate to that).
  app.addHook('onSend', (req, _reply, payload, done) => { if (req.method !== 'GET' && req.method !== 'HEAD') openData.invalidate(); done(null, payload); });
  const registration = new RegistrationService({ accounts: d.accounts, store: d.accountStore, clock: d.clock, publicUrl: cfg.publicUrl, passwordMinLength: cfg.accounts.passwordMinLength, log });
  app.addHook('onClose', async () => { await registration.idle(); });

  const person = async (req: FastifyRequest): Promise<Person | undefined> => {
    const s = await d.accounts.sessionOf(req);
    if (!s) return undefined;
    return { id: s.user.id, name: s.user.displayName, roles: s.user.roles, confirmed: !!s.user.emailConfirmedAt };
  };

  const deleteAccount = async (p: Person, password: unknown): Promise<boolean> => {
    const u = await d.accounts.users.get(p.id);
    if (typeof password !== 'string' || password.length > 1024 || !u.passwordHash || !(await d.accounts.hasher.verify(u.passwordHash, password))) return false;
    await events.anonymiseAccount(p.id);
    await d.accounts.users.remove(p.id);
    log.info({ user: p.id }, 'an account was deleted by its owner; its contributions are shown as by a deleted account');
    return true;
  };
  await app.register(async (api) => participationRoutes(api, {
    service, surveys, person, deleteAccount, publicUrl: cfg.publicUrl, eventService: events, openData, guests, follows, images, verification,
    events: async () => (await d.strategy.upcomingEvents()).map((e) => ({ id: e.id, title: e.title.de, start: e.start, end: e.end, place: e.place, description: e.description?.de })),
  }), { prefix: '/api/participation' });

  // Self-registration as JSON (the page posts its own form): always 202 with the same text.
  await app.register(async (konto) => {
    konto.setErrorHandler((err, _req, reply) => {
      const p = err instanceof ProblemError ? err : new ProblemError('https://drehscheibe.dev/errors/BadRequest', 400, 'Bad request', (err as Error).message);
      if (err instanceof TooManyRequests) reply.header('retry-after', String(err.retryAfterS));
      reply.status(p.status).type('application/problem+json').header('cache-control', 'no-store').send(p.toJSON());
    });
    konto.post('/konto/registrieren', { config: { access: { op: 'public' as const } } }, async (req, reply) => {
      const v = registration.check((req.body ?? {}) as Record<string, unknown>);
      if (v.problems.length) {
        throw new ProblemError('https://drehscheibe.dev/errors/BadRequest', 400, 'Invalid registration', v.problems.map((x) => `${x.field}: ${x.code}`).join('; '));
      }
      const wait = registration.take(req.ip);
      if (wait) throw new TooManyRequests(`Too many registrations from this address; retry after ${wait} s`, wait);
      const lang = (req.body as Record<string, unknown> | undefined)?.lang;
      registration.start(v, lang === 'en' ? 'en' : 'de');
      return reply.status(202).header('cache-control', 'no-store').send({ message: 'If the address can be registered, a mail with a confirmation link has been sent to it.' });
    });
  });

  // An account deleted by an operator: its contributions stay, by "gelöschtes Konto", its seats go to the
  // waiting lists. Before the answer leaves (onSend), so the operator's 204 means it is done.
  // (Callback style: it runs on every answer; only a deleted account waits for the anonymisation.)
  app.addHook('onSend', (req, reply, payload, done) => {
    if (req.method === 'DELETE' && req.routeOptions.url === '/admin/users/:id' && reply.statusCode === 204) {
      events.anonymiseAccount((req.params as { id: string }).id).catch((err) => log.error({ err }, 'contributions of a deleted account could not be anonymised')).finally(() => done(null, payload));
      return;
    }
    done(null, payload);
  });

  // Each process is a dataset of the catalogue: written with every opened or replaced process (before
  // the answer; a failure is logged, never fails the process), and reconciled when the app starts.
  const datasets = d.catalog ? new ProcessDatasets({
    catalog: d.catalog, publicUrl: cfg.publicUrl, tenant: cfg.portal.tenant, licence: cfg.catalog.openDataLicence, publisher: cfg.catalog.openDataPublisher, contributors: cfg.catalog.openDataContributors,
    organisations: () => d.strategy.organisations(), processes: () => store.listProcesses(),
  }) : undefined;
  const syncAll = async () => {
    if (!datasets) return;
    try {
      const r = await datasets.syncAll();
      if (r.created || r.updated || r.removed) log.info(r, 'participation: the processes\' catalogue datasets were brought in step');
    } catch (err) {
      log.warn({ err }, 'participation: the processes\' catalogue datasets could not be written');
    }
  };
  if (datasets) {
    service.onProcess(async (p) => {
      try { await datasets.sync(p); } catch (err) { log.warn({ err, process: p.slug }, 'participation: the process\'s catalogue dataset could not be written'); }
    });
    app.addHook('onReady', syncAll);
  }
  const loadStarter = async () => {
    const loaded = await loadParticipationStarter(store, d.clock, (slug) => d.strategy.project(slug).then(() => true, () => false));
    if (loaded) await syncAll();
    return loaded;
  };
  const out: Participation = { service, surveys, events, openData, registration, guests, follows, images, afterwards, store, person, deleteAccount, loadStarter, datasets, verification };
  app.decorate('participation', out);
  if (cfg.portal.enabled) await app.register(async (pages) => participationPages(pages, { config: cfg, service, surveys, events, registration, guests, follows, images, verification, person, deleteAccount, accounts: d.accounts, strategy: d.strategy, citations: d.citations }));
  return out;
}
