/** The Sites dialog's extras: test unsaved values (nothing stored) and clone a site. Registered behind auth. */
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { IdParams, Site, SitePatch, SiteTestResult, SiteTestTarget } from '../../../contract/index.js';
import { authedErrors, described } from './responses.js';

const SiteTestBody = Type.Object({ ...SitePatch.properties, ...SiteTestTarget }, { additionalProperties: false });

export const siteFormRoutes: FastifyPluginAsync = async (root) => {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const { sites } = app.services;

  app.post(
    '/api/sites/test',
    {
      schema: {
        body: SiteTestBody,
        response: { 200: described(SiteTestResult, 'How the test went; nothing is stored'), ...authedErrors(404) },
      },
    },
    async (request) => sites.testValues(request.body),
  );
  app.post(
    '/api/sites/:id/clone',
    { schema: { params: IdParams, response: { 201: described(Site, 'The copy'), ...authedErrors(404, 409) } } },
    async (request, reply) => reply.code(201).send(await sites.clone(request.params.id)),
  );
};
