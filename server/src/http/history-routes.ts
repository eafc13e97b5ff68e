/** GET /api/history: finished transfers, kept after "Clear finished", searchable, paged. */
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { HistoryPage, HistoryQuery } from '../../../contract/index.js';
import { authedErrors, described } from './responses.js';

export const historyRoutes: FastifyPluginAsync = async (root) => {
  const typed = root.withTypeProvider<TypeBoxTypeProvider>();
  const { transfers } = root.services;
  typed.get(
    '/api/history',
    {
      schema: {
        querystring: HistoryQuery,
        response: { 200: described(HistoryPage, 'Finished transfers, newest first'), ...authedErrors() },
      },
    },
    async (request) => transfers.history(request.query),
  );
};
