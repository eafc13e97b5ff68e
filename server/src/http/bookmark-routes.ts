import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { Bookmark, BookmarkBody, BookmarkQuery, IdParams } from '../../../contract/index.js';
import { NotFoundError } from '../errors.js';
import { authedErrors, described, noContent } from './responses.js';

/** GET/PUT/DELETE /api/sites/:id/bookmarks: a site's favourite folders. Registered inside the authed block. */
export const bookmarkRoutes: FastifyPluginAsync = async (plain) => {
  const app = plain.withTypeProvider<TypeBoxTypeProvider>();
  const { sites, bookmarks } = app.services;
  const list = described(Type.Array(Bookmark), "The site's bookmarks, by path");

  app.get(
    '/api/sites/:id/bookmarks',
    { schema: { params: IdParams, response: { 200: list, ...authedErrors(404) } } },
    async (request) => bookmarks.list(sites.get(request.params.id).id),
  );
  app.put(
    '/api/sites/:id/bookmarks',
    { schema: { params: IdParams, body: BookmarkBody, response: { 200: list, ...authedErrors(404) } } },
    async (request) => bookmarks.add(sites.get(request.params.id).id, request.body.path),
  );
  app.delete(
    '/api/sites/:id/bookmarks',
    {
      schema: {
        params: IdParams,
        querystring: BookmarkQuery,
        response: { 204: noContent('Removed'), ...authedErrors(404) },
      },
    },
    async (request, reply) => {
      const siteId = sites.get(request.params.id).id;
      if (!bookmarks.remove(siteId, request.query.path)) {
        throw new NotFoundError(`no bookmark ${request.query.path} on this site`);
      }
      return reply.code(204).send();
    },
  );
};
