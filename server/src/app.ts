/**
 * buildApp(config): the rooms wired together. Plugins first (security, cookies, auth,
 * websocket), then services as decorators, then routes. main.ts only reads config and listens.
 */
import fs from 'node:fs';
import path from 'node:path';
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import websocket from '@fastify/websocket';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import AjvCompiler, { type ValidatorFactory } from '@fastify/ajv-compiler';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { AppConfig } from './config.js';
import { ClusterSlots } from './cluster/slots.js';
import { EventBus } from './events.js';
import { Auth } from './http/auth.js';
import { errorHandler } from './http/errors.js';
import { hostGuard } from './http/hosts.js';
import { Hub } from './http/hub.js';
import { registerRoutes } from './http/routes.js';
import { Notifier, type NotifierOptions } from './mirror/notify.js';
import type { Clock } from './mirror/scheduler.js';
import { MirrorService } from './mirror/service.js';
import { BrowseService } from './sites/browse.js';
import { SessionPool, type PoolOptions } from './sites/pool.js';
import { RouteBook } from './sites/routes.js';
import { BookmarkBook } from './sites/bookmarks.js';
import { SecretBox } from './sites/secrets.js';
import { SitesService } from './sites/service.js';
import { groupCommit, type Db } from './store/db.js';
import { openStore } from './store/open.js';
import { ClusterWork } from './cluster/cluster-work.js';
import { Dispatch } from './cluster/dispatch.js';
import { FileLeases, type LeaseOptions } from './cluster/leases.js';
import { clusterNode, type ClusterNode } from './cluster/node.js';
import { startEventsBridge } from './cluster/events-bridge.js';
import type { RunnerOptions } from './transfers/runner.js';
import { TransferService } from './transfers/service.js';
import { TraceStore } from './transfers/trace.js';

export interface Services {
  sites: SitesService;
  browse: BrowseService;
  transfers: TransferService;
  mirror: MirrorService;
  pool: SessionPool;
  events: EventBus;
  auth: Auth;
  hub: Hub;
  routes: RouteBook;
  traces: TraceStore;
  bookmarks: BookmarkBook;
  /** This process as a node of a cluster (its id names its leases and events). */
  node: ClusterNode;
}

declare module 'fastify' {
  interface FastifyInstance {
    services: Services;
  }
}

/** The cluster side of a node on PostgreSQL: its leases, and the job queue it plans into and works from. */
async function clusterFor(db: Db, node: ClusterNode, config: AppConfig, options: BuildOptions, app: FastifyInstance) {
  const log = (message: string, error?: unknown) => app.log.error({ err: error }, message);
  const leases = new FileLeases(db, node.id, options.leases);
  const dispatch = await Dispatch.start({ databaseUrl: config.databaseUrl!, log });
  return { leases, work: new ClusterWork(db, node, leases, dispatch, log) };
}

/** Knobs tests turn; production uses the defaults. */
export interface BuildOptions {
  logger?: boolean;
  pool?: PoolOptions;
  runner?: RunnerOptions;
  hubFlushMs?: number;
  /** Cluster mode: lease length and check margin (tests shorten them). */
  leases?: LeaseOptions;
  /** Webhook retry delays and timeouts; the scheduler's clock. */
  notifier?: NotifierOptions;
  clock?: Clock;
}

export type App = FastifyInstance;

/**
 * Query strings and params are text, so they are coerced ("50" → 50); a JSON body is taken as
 * typed. Coercing it would turn `"minSize": null` into 0 (Nullable's number branch comes
 * first) and accept `"5"` where a number belongs.
 */
function buildValidator(): ValidatorFactory {
  const fromPool = AjvCompiler();
  return (externalSchemas, options) => {
    const typedOptions = {
      ...options,
      customOptions: { ...options?.customOptions, coerceTypes: false },
    } as typeof options;
    const typed = fromPool(externalSchemas, typedOptions);
    const coerced = fromPool(externalSchemas, options);
    return (route) => (route.httpPart === 'body' ? typed : coerced)(route);
  };
}

export async function buildApp(config: AppConfig, options: BuildOptions = {}): Promise<App> {
  const app = Fastify({
    logger:
      options.logger === false
        ? false
        : {
            level: config.logLevel,
            redact: ['req.headers.authorization', 'req.headers.cookie', '*.password', 'password'],
          },
    trustProxy: false,
    logController: new LogController({ disableRequestLogging: config.logLevel !== 'debug' }),
    // Reject unknown properties instead of silently dropping them (additionalProperties: false).
    ajv: { customOptions: { removeAdditional: false } },
    schemaController: { compilersFactory: { buildValidator: buildValidator() } },
    bodyLimit: 256 * 1024,
  }).withTypeProvider<TypeBoxTypeProvider>();

  const db = openStore(config);
  // Nothing leaves the process (an HTTP reply, a WebSocket message) before what it reports is committed.
  const commits = groupCommit(db);
  const events = new EventBus();
  const secrets = SecretBox.load(config);
  const sites = new SitesService(db, secrets, events, config.hostPolicy);
  const traces = new TraceStore(db, events);
  const slots = db.engine === 'postgres' ? new ClusterSlots(db) : undefined;
  const pool = new SessionPool(
    (siteId) => {
      const site = sites.get(siteId);
      return { options: sites.connectionOptions(siteId), maxConnections: site.maxConnections };
    },
    events,
    options.pool,
    traces,
    slots,
  );
  const browse = new BrowseService(sites, pool);
  const routes = new RouteBook(db, events, (siteId) => sites.find(siteId)?.name);
  sites.onRemoved((site) => routes.forgetSite(site.id));
  // On PostgreSQL this node is one of a cluster (maybe of one): work goes through the job
  // queue, files are claimed under leases (cluster/).
  const node = clusterNode(config.role, config.egressTags);
  const cluster = db.engine === 'postgres' ? await clusterFor(db, node, config, options, app) : undefined;
  const transfers = new TransferService(db, sites, pool, events, {
    concurrency: config.concurrency,
    ...options.runner,
    routes,
    traces,
    ...(cluster && {
      cluster: cluster.work,
      leases: cluster.leases,
      fence: cluster.work.fence,
      fenceWalk: cluster.work.fenceWalk,
    }),
  });
  const notifier = new Notifier({
    ...options.notifier,
    // The URL's origin only: a webhook URL may carry a token in its path or query.
    onGiveUp: (url, error) => app.log.warn({ err: error }, `webhook to ${new URL(url).origin} not delivered`),
  });
  const mirror = new MirrorService(db, sites, pool, transfers, events, secrets, notifier, {
    clock: options.clock,
    log: (message, error) => app.log.error({ err: error }, message),
    // A web node only queues runs; on PostgreSQL workers take them under run leases.
    cluster: { nodeId: node.id, executesRuns: node.role !== 'web', egressTags: node.tags, leases: options.leases },
  });
  const auth = new Auth(db, config.password, config.apiToken);
  const hub = new Hub(
    events,
    () => ({
      sites: sites.list(),
      sessions: pool.sessions(),
      transfers: transfers.list(),
      queue: transfers.queueState(),
    }),
    { flushMs: options.hubFlushMs, beforeSend: () => commits.flush() },
  );
  // Events to and from the cluster's other nodes (their browsers see this node's work).
  const bridge = config.databaseUrl
    ? await startEventsBridge({ bus: events, hub, node, databaseUrl: config.databaseUrl, log: app.log })
    : null;
  const bookmarks = new BookmarkBook(db);
  app.decorate('services', { sites, browse, transfers, mirror, pool, events, auth, hub, routes, traces, bookmarks, node });

  // A site's settings changed or it went away: its sessions must not be reused. A job changed
  // (maybe on another node): the schedule waits for its earliest slot again.
  events.on('event', (event) => {
    if (event.type === 'site.updated' || event.type === 'site.removed') {
      void pool.closeSite(event.type === 'site.updated' ? event.site.id : event.id);
    }
    if (bridge && (event.type === 'job.updated' || event.type === 'job.removed')) mirror.reschedule();
  });

  // First of all hooks, so no route, static file or upgrade answers a foreign Host.
  app.addHook('onRequest', hostGuard(config));
  // What a route reads or changes includes every write made so far (a file's claim is deferred:
  // transitions.ts), and what it answers is committed before it is sent.
  app.addHook('preHandler', async () => commits.writeDeferred());
  app.addHook('onSend', async (_request, _reply, payload) => {
    commits.flush();
    return payload;
  });
  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        connectSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        styleSrc: ["'self'"],
        scriptSrc: ["'self'"],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        upgradeInsecureRequests: null,
      },
    },
    strictTransportSecurity: false,
  });
  await app.register(cookie);
  await app.register(websocket, { options: { maxPayload: 64 * 1024 } });
  await app.register(swagger, {
    openapi: { info: { title: 'pasv', version: '0.1.0', description: 'FXP transfer dashboard API' } },
  });
  app.setErrorHandler(errorHandler);
  await app.register(registerRoutes, { config });

  if (fs.existsSync(path.join(config.webDir, 'index.html'))) {
    await app.register(fastifyStatic, { root: config.webDir, wildcard: true });
  }
  app.setNotFoundHandler((request, reply) => {
    const wantsApp =
      request.method === 'GET' &&
      !request.url.startsWith('/api') &&
      fs.existsSync(path.join(config.webDir, 'index.html'));
    if (wantsApp) return reply.sendFile('index.html');
    return reply
      .code(404)
      .send({ error: { code: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0]}` } });
  });

  app.addHook('onReady', async () => {
    transfers.start();
    const { runner, transitions } = transfers.engine;
    await cluster?.work.start(runner, transitions, runner.slots);
    // Schedules and their runs are a worker's (a web node only plans).
    if (node.role !== 'web') mirror.start();
  });
  app.addHook('preClose', async () => {
    hub.close();
    // First: runs stop waiting before the queue and the sessions they wait on go away.
    mirror.stop();
    // No more tickets taken; the running ones end as the runner hands their files back.
    await Promise.all([cluster?.work.stop(), transfers.stop()]);
    await pool.close();
  });
  app.addHook('onClose', async () => {
    commits.flush();
    // After preClose stopped the runner: its last states still go out.
    await bridge?.close();
    db.close();
  });
  return app;
}
