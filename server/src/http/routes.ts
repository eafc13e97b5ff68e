/**
 * The HTTP surface of ../shared/design/api.md. Routes are thin: schema in, service call,
 * result out. Everything but /api/health sits behind the auth guard.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import {
  ClearQuery,
  CommandBody,
  CommandReply,
  IdParams,
  Job,
  JobCreate,
  JobPatch,
  Run,
  RunEntriesPage,
  RunEntriesQuery,
  RunRequest,
  Listing,
  LiveSession,
  LoginBody,
  PathBody,
  PathQuery,
  QueueState,
  RememberedRoute,
  RenameBody,
  RoutePairParams,
  Site,
  SiteCreate,
  SitePatch,
  SiteTestResult,
  Transfer,
  TransferCreate,
  TransferFilesPage,
  TransferFilesQuery,
} from '../../../contract/index.js';
import type { AppConfig } from '../config.js';
import { HttpError, NotFoundError } from '../errors.js';
import { SESSION_COOKIE } from './auth.js';
import { historyRoutes } from './history-routes.js';
import { bookmarkRoutes } from './bookmark-routes.js';
import { allowedOrigin } from './hosts.js';
import { LoginLimiter } from './login-limiter.js';
import { stringifyBySchema } from './serialize.js';
import { traceRoutes } from './trace-routes.js';
import { siteFormRoutes } from './site-form-routes.js';
import { siteImportRoutes } from './site-import-routes.js';

export const registerRoutes: FastifyPluginAsync<{ config: AppConfig }> = async (root, { config }) => {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const { sites, browse, transfers, mirror, pool, auth, hub, routes } = app.services;

  app.get('/api/health', { schema: { hide: true } }, async () => ({ ok: true }));

  const loginLimiter = new LoginLimiter();
  app.post('/api/session', { schema: { body: LoginBody } }, async (request, reply) => {
    const waitSeconds = loginLimiter.attempt(request.ip);
    if (waitSeconds !== null) {
      return reply
        .code(429)
        .header('retry-after', String(waitSeconds))
        .send({
          error: {
            code: 'rate_limited',
            message: `too many wrong passwords from ${request.ip}: try again in ${waitSeconds} s`,
          },
        });
    }
    if (!(await auth.checkPassword(request.body.password))) throw new HttpError(401, 'bad_password', 'wrong password');
    loginLimiter.succeeded(request.ip);
    reply.setCookie(SESSION_COOKIE, auth.issueSession(), {
      path: '/',
      httpOnly: true,
      sameSite: 'strict',
      secure: config.secureCookie,
      maxAge: 12 * 60 * 60,
    });
    return reply.code(204).send();
  });

  // Everything below needs a session cookie or the bearer token.
  await app.register(async (api) => {
    api.addHook('onRequest', auth.guard);
    const typed = api.withTypeProvider<TypeBoxTypeProvider>();

    typed.get('/api/session', async () => ({ signedIn: true }));
    await api.register(historyRoutes);
    typed.delete('/api/session', async (request, reply) => {
      const token = request.cookies[SESSION_COOKIE];
      if (token) auth.revokeSession(token);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.code(204).send();
    });

    typed.get('/api/docs', { schema: { hide: true } }, async () => root.swagger());
    await typed.register(siteFormRoutes);
    await typed.register(siteImportRoutes);

    // ---- sites ----
    typed.get('/api/sites', { schema: { response: { 200: Type.Array(Site) } } }, async () => sites.list());
    typed.post('/api/sites', { schema: { body: SiteCreate, response: { 201: Site } } }, async (request, reply) =>
      reply.code(201).send(await sites.create(request.body)),
    );
    typed.get('/api/sites/:id', { schema: { params: IdParams, response: { 200: Site } } }, async (request) =>
      sites.get(request.params.id),
    );
    typed.patch(
      '/api/sites/:id',
      { schema: { params: IdParams, body: SitePatch, response: { 200: Site } } },
      async (request) => sites.update(request.params.id, request.body),
    );
    typed.delete('/api/sites/:id', { schema: { params: IdParams } }, async (request, reply) => {
      sites.remove(request.params.id);
      return reply.code(204).send();
    });
    typed.post(
      '/api/sites/:id/test',
      { schema: { params: IdParams, response: { 200: SiteTestResult } } },
      async (request) => sites.test(request.params.id),
    );

    // ---- browsing ----
    typed.get(
      '/api/sites/:id/list',
      {
        schema: { params: IdParams, querystring: PathQuery, response: { 200: Listing } },
        // A listing may hold 100 000 entries: serialized natively (serialize.ts).
        serializerCompiler: stringifyBySchema,
      },
      async (request) => browse.list(request.params.id, request.query.path ?? '/'),
    );
    typed.post('/api/sites/:id/mkdir', { schema: { params: IdParams, body: PathBody } }, async (request, reply) => {
      await browse.makeDirectory(request.params.id, request.body.path);
      return reply.code(204).send();
    });
    typed.post('/api/sites/:id/rename', { schema: { params: IdParams, body: RenameBody } }, async (request, reply) => {
      await browse.rename(request.params.id, request.body.from, request.body.to);
      return reply.code(204).send();
    });
    typed.post('/api/sites/:id/remove', { schema: { params: IdParams, body: PathBody } }, async (request, reply) => {
      await browse.remove(request.params.id, request.body.path);
      return reply.code(204).send();
    });

    typed.post(
      '/api/sites/:id/command',
      { schema: { params: IdParams, body: CommandBody, response: { 200: CommandReply } } },
      async (request) => browse.command(request.params.id, request.body.command),
    );

    // ---- transfers ----
    typed.post(
      '/api/transfers',
      { schema: { body: TransferCreate, response: { 202: Transfer } } },
      async (request, reply) => reply.code(202).send(transfers.create(request.body)),
    );
    typed.get('/api/transfers', { schema: { response: { 200: Type.Array(Transfer) } } }, async () => transfers.list());
    typed.post('/api/transfers/clear', { schema: { querystring: ClearQuery } }, async (request, reply) => {
      transfers.clearFinished(request.query.failed === true);
      return reply.code(204).send();
    });
    typed.get('/api/transfers/:id', { schema: { params: IdParams, response: { 200: Transfer } } }, async (request) =>
      transfers.get(request.params.id),
    );
    typed.get(
      '/api/transfers/:id/files',
      { schema: { params: IdParams, querystring: TransferFilesQuery, response: { 200: TransferFilesPage } } },
      async (request) => transfers.files(request.params.id, request.query),
    );
    typed.post(
      '/api/transfers/:id/cancel',
      { schema: { params: IdParams, response: { 200: Transfer } } },
      async (request) => transfers.cancel(request.params.id),
    );
    typed.post(
      '/api/transfers/:id/retry',
      { schema: { params: IdParams, response: { 200: Transfer } } },
      async (request) => transfers.retry(request.params.id),
    );
    await api.register(traceRoutes);
    typed.post(
      '/api/transfers/:id/top',
      { schema: { params: IdParams, response: { 200: Transfer } } },
      async (request) => transfers.moveToTop(request.params.id),
    );

    // ---- mirror jobs and their runs ----
    typed.get('/api/jobs', { schema: { response: { 200: Type.Array(Job) } } }, async () => mirror.list());
    typed.post('/api/jobs', { schema: { body: JobCreate, response: { 201: Job } } }, async (request, reply) =>
      reply.code(201).send(mirror.create(request.body)),
    );
    typed.get('/api/jobs/:id', { schema: { params: IdParams, response: { 200: Job } } }, async (request) =>
      mirror.get(request.params.id),
    );
    typed.patch(
      '/api/jobs/:id',
      { schema: { params: IdParams, body: JobPatch, response: { 200: Job } } },
      async (request) => mirror.update(request.params.id, request.body),
    );
    typed.delete('/api/jobs/:id', { schema: { params: IdParams } }, async (request, reply) => {
      mirror.remove(request.params.id);
      return reply.code(204).send();
    });
    typed.post(
      '/api/jobs/:id/run',
      {
        schema: { params: IdParams, body: RunRequest, response: { 202: Run } },
        // A POST with no body at all is a plain run.
        preValidation: async (request) => void (request.body ??= {}),
      },
      async (request, reply) => reply.code(202).send(mirror.run(request.params.id, request.body)),
    );
    typed.get(
      '/api/jobs/:id/runs',
      { schema: { params: IdParams, response: { 200: Type.Array(Run) } } },
      async (request) => mirror.runsOf(request.params.id),
    );
    typed.get('/api/runs/:id', { schema: { params: IdParams, response: { 200: Run } } }, async (request) =>
      mirror.getRun(request.params.id),
    );
    typed.post('/api/runs/:id/cancel', { schema: { params: IdParams, response: { 200: Run } } }, async (request) =>
      mirror.cancelRun(request.params.id),
    );
    typed.get(
      '/api/runs/:id/entries',
      { schema: { params: IdParams, querystring: RunEntriesQuery, response: { 200: RunEntriesPage } } },
      async (request) => mirror.entries(request.params.id, request.query),
    );

    // ---- queue and live sessions ----
    typed.get('/api/queue', { schema: { response: { 200: QueueState } } }, async () => transfers.queueState());
    typed.post('/api/queue/pause', { schema: { response: { 200: QueueState } } }, async () =>
      transfers.setPaused(true),
    );
    typed.post('/api/queue/resume', { schema: { response: { 200: QueueState } } }, async () =>
      transfers.setPaused(false),
    );
    typed.get('/api/sessions', { schema: { response: { 200: Type.Array(LiveSession) } } }, async () => pool.sessions());

    await api.register(bookmarkRoutes);

    // ---- route memory ----
    typed.get('/api/routes', { schema: { response: { 200: Type.Array(RememberedRoute) } } }, async () => routes.list());
    typed.delete(
      '/api/routes/:sourceSiteId/:destinationSiteId',
      { schema: { params: RoutePairParams } },
      async (request, reply) => {
        const { sourceSiteId, destinationSiteId } = request.params;
        if (!routes.forget(sourceSiteId, destinationSiteId)) {
          throw new NotFoundError(`no route remembered from site ${sourceSiteId} to site ${destinationSiteId}`);
        }
        return reply.code(204).send();
      },
    );

    // ---- the live feed ----
    typed.get(
      '/api/ws',
      {
        websocket: true,
        preValidation: async (request) => {
          const origin = request.headers.origin;
          if (origin && !allowedOrigin(origin, request.headers.host, config)) {
            throw new HttpError(403, 'forbidden_origin', `origin ${origin} may not open the live feed`);
          }
        },
      },
      (socket) => hub.accept(socket),
    );
  });
};
