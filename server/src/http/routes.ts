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
import { allowedOrigin } from './hosts.js';
import { LoginLimiter } from './login-limiter.js';
import { authedErrors, described, errors, noContent } from './responses.js';
import { stringifyBySchema } from './serialize.js';
import swaggerUi from '@fastify/swagger-ui';
import { bookmarkRoutes } from './bookmark-routes.js';
import { historyRoutes } from './history-routes.js';
import { jobRoutes } from './job-routes.js';
import { siteFormRoutes } from './site-form-routes.js';
import { siteImportRoutes } from './site-import-routes.js';
import { traceRoutes } from './trace-routes.js';

export const registerRoutes: FastifyPluginAsync<{ config: AppConfig }> = async (root, { config }) => {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const { sites, browse, transfers, pool, auth, hub, routes } = app.services;

  app.get('/api/health', { schema: { hide: true } }, async () => ({ ok: true }));

  const loginLimiter = new LoginLimiter();
  app.post(
    '/api/session',
    {
      schema: {
        body: LoginBody,
        response: { 204: noContent('Signed in: the session cookie is set'), ...errors(400, 401, 429, 500) },
      },
    },
    async (request, reply) => {
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
      if (!(await auth.checkPassword(request.body.password)))
        throw new HttpError(401, 'bad_password', 'wrong password');
      loginLimiter.succeeded(request.ip);
      reply.setCookie(SESSION_COOKIE, auth.issueSession(), {
        path: '/',
        httpOnly: true,
        sameSite: 'strict',
        secure: config.secureCookie,
        maxAge: 12 * 60 * 60,
      });
      return reply.code(204).send();
    },
  );

  // Everything below needs a session cookie or the bearer token.
  await app.register(async (api) => {
    api.addHook('onRequest', auth.guard);
    const typed = api.withTypeProvider<TypeBoxTypeProvider>();

    typed.get(
      '/api/session',
      {
        schema: {
          response: {
            200: described(Type.Object({ signedIn: Type.Literal(true) }), 'The session is valid'),
            ...authedErrors(),
          },
        },
      },
      async () => ({ signedIn: true as const }),
    );
    typed.delete(
      '/api/session',
      { schema: { response: { 204: noContent('Signed out'), ...authedErrors() } } },
      async (request, reply) => {
        const token = request.cookies[SESSION_COOKIE];
        if (token) auth.revokeSession(token);
        reply.clearCookie(SESSION_COOKIE, { path: '/' });
        return reply.code(204).send();
      },
    );

    // Behind the guard like the API it describes: the signed-in browser has the cookie, and
    // the document tells an outsider nothing they could use without signing in anyway.
    await typed.register(async (docs) => {
      // Swagger UI sets inline styles (never inline scripts): only its own pages get
      // style-src 'unsafe-inline'; scripts stay 'self' and the dashboard keeps the strict CSP.
      docs.addHook('onSend', async (_request, reply, payload) => {
        const csp = reply.getHeader('content-security-policy');
        if (typeof csp === 'string') {
          reply.header('content-security-policy', csp.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'"));
        }
        return payload;
      });
      await docs.register(swaggerUi, {
        routePrefix: '/api/docs',
        // Helmet's CSP (relaxed above for styles only) replaces the plugin's own.
        staticCSP: false,
        uiConfig: { deepLinking: false, tryItOutEnabled: false },
      });
    });

    // ---- sites ----
    typed.get(
      '/api/sites',
      {
        schema: {
          response: { 200: described(Type.Array(Site), 'Every site, passwords never included'), ...authedErrors() },
        },
      },
      async () => sites.list(),
    );
    typed.post(
      '/api/sites',
      { schema: { body: SiteCreate, response: { 201: described(Site, 'The site as saved'), ...authedErrors(409) } } },
      async (request, reply) => reply.code(201).send(await sites.create(request.body)),
    );
    typed.get(
      '/api/sites/:id',
      { schema: { params: IdParams, response: { 200: described(Site, 'The site'), ...authedErrors(404) } } },
      async (request) => sites.get(request.params.id),
    );
    typed.patch(
      '/api/sites/:id',
      {
        schema: {
          params: IdParams,
          body: SitePatch,
          response: { 200: described(Site, 'The site as saved'), ...authedErrors(404, 409) },
        },
      },
      async (request) => sites.update(request.params.id, request.body),
    );
    typed.delete(
      '/api/sites/:id',
      { schema: { params: IdParams, response: { 204: noContent('Deleted'), ...authedErrors(404) } } },
      async (request, reply) => {
        sites.remove(request.params.id);
        return reply.code(204).send();
      },
    );
    typed.post(
      '/api/sites/:id/test',
      {
        schema: {
          params: IdParams,
          response: {
            200: described(SiteTestResult, 'How the connection test went (a failed login is a result, not an error)'),
            ...authedErrors(404),
          },
        },
      },
      async (request) => sites.test(request.params.id),
    );

    // ---- browsing ----
    const ftpErrors = authedErrors(404, 502, 504);
    typed.get(
      '/api/sites/:id/list',
      {
        schema: {
          params: IdParams,
          querystring: PathQuery,
          response: { 200: described(Listing, 'The directory listing'), ...authedErrors(404, 502, 504) },
        },
        // A listing may hold 100 000 entries: serialized natively (serialize.ts).
        serializerCompiler: stringifyBySchema,
      },
      async (request) => browse.list(request.params.id, request.query.path ?? '/'),
    );
    typed.post(
      '/api/sites/:id/mkdir',
      { schema: { params: IdParams, body: PathBody, response: { 204: noContent('Created'), ...ftpErrors } } },
      async (request, reply) => {
        await browse.makeDirectory(request.params.id, request.body.path);
        return reply.code(204).send();
      },
    );
    typed.post(
      '/api/sites/:id/rename',
      { schema: { params: IdParams, body: RenameBody, response: { 204: noContent('Renamed'), ...ftpErrors } } },
      async (request, reply) => {
        await browse.rename(request.params.id, request.body.from, request.body.to);
        return reply.code(204).send();
      },
    );
    typed.post(
      '/api/sites/:id/remove',
      {
        schema: {
          params: IdParams,
          body: PathBody,
          response: { 204: noContent('Removed, with everything under it'), ...ftpErrors },
        },
      },
      async (request, reply) => {
        await browse.remove(request.params.id, request.body.path);
        return reply.code(204).send();
      },
    );

    typed.post(
      '/api/sites/:id/command',
      {
        schema: {
          params: IdParams,
          body: CommandBody,
          response: { 200: described(CommandReply, "The FTP server's reply"), ...authedErrors(404, 502, 504) },
        },
      },
      async (request) => browse.command(request.params.id, request.body.command),
    );

    // ---- transfers ----
    typed.post(
      '/api/transfers',
      { schema: { body: TransferCreate, response: { 202: described(Transfer, 'Queued'), ...authedErrors(404) } } },
      async (request, reply) => reply.code(202).send(transfers.create(request.body)),
    );
    typed.get(
      '/api/transfers',
      {
        schema: {
          response: { 200: described(Type.Array(Transfer), 'Every transfer in the queue'), ...authedErrors() },
        },
      },
      async () => transfers.list(),
    );
    typed.post(
      '/api/transfers/clear',
      {
        schema: {
          querystring: ClearQuery,
          response: {
            204: noContent('Finished transfers cleared (failed ones too with ?failed=true)'),
            ...authedErrors(),
          },
        },
      },
      async (request, reply) => {
        transfers.clearFinished(request.query.failed === true);
        return reply.code(204).send();
      },
    );
    typed.get(
      '/api/transfers/:id',
      { schema: { params: IdParams, response: { 200: described(Transfer, 'The transfer'), ...authedErrors(404) } } },
      async (request) => transfers.get(request.params.id),
    );
    typed.get(
      '/api/transfers/:id/files',
      {
        schema: {
          params: IdParams,
          querystring: TransferFilesQuery,
          response: { 200: described(TransferFilesPage, "One page of a tree transfer's files"), ...authedErrors(404) },
        },
      },
      async (request) => transfers.files(request.params.id, request.query),
    );
    typed.post(
      '/api/transfers/:id/cancel',
      {
        schema: {
          params: IdParams,
          response: { 200: described(Transfer, 'The transfer, cancelled'), ...authedErrors(404, 409) },
        },
      },
      async (request) => transfers.cancel(request.params.id),
    );
    typed.post(
      '/api/transfers/:id/retry',
      {
        schema: {
          params: IdParams,
          response: { 200: described(Transfer, 'The transfer, queued again'), ...authedErrors(404, 409) },
        },
      },
      async (request) => transfers.retry(request.params.id),
    );
    typed.post(
      '/api/transfers/:id/top',
      {
        schema: {
          params: IdParams,
          response: { 200: described(Transfer, 'The transfer, first in the queue'), ...authedErrors(404, 409) },
        },
      },
      async (request) => transfers.moveToTop(request.params.id),
    );

    // ---- queue and live sessions ----
    typed.get(
      '/api/queue',
      { schema: { response: { 200: described(QueueState, 'The queue: paused or not, counts'), ...authedErrors() } } },
      async () => transfers.queueState(),
    );
    typed.post(
      '/api/queue/pause',
      { schema: { response: { 200: described(QueueState, 'The queue, paused'), ...authedErrors() } } },
      async () => transfers.setPaused(true),
    );
    typed.post(
      '/api/queue/resume',
      { schema: { response: { 200: described(QueueState, 'The queue, running'), ...authedErrors() } } },
      async () => transfers.setPaused(false),
    );
    typed.get(
      '/api/sessions',
      {
        schema: {
          response: { 200: described(Type.Array(LiveSession), 'The open FTP control sessions'), ...authedErrors() },
        },
      },
      async () => pool.sessions(),
    );

    await api.register(jobRoutes);
    await api.register(historyRoutes);
    await api.register(traceRoutes);
    await api.register(bookmarkRoutes);
    await api.register(siteFormRoutes);
    await api.register(siteImportRoutes);

    // ---- route memory ----
    typed.get(
      '/api/routes',
      {
        schema: {
          response: {
            200: described(Type.Array(RememberedRoute), 'What worked for each pair of sites'),
            ...authedErrors(),
          },
        },
      },
      async () => routes.list(),
    );
    typed.delete(
      '/api/routes/:sourceSiteId/:destinationSiteId',
      { schema: { params: RoutePairParams, response: { 204: noContent('Forgotten'), ...authedErrors(404) } } },
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
