/** A transfer's story: its files' control lines and pasv's notes between them (transfers/trace.ts). */
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { IdParams, TransferTrace } from '../../../contract/index.js';
import { authedErrors, described } from './responses.js';

export const traceRoutes: FastifyPluginAsync = async (root) => {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const { transfers, traces } = app.services;
  app.get(
    '/api/transfers/:id/trace',
    {
      schema: {
        params: IdParams,
        response: {
          200: described(TransferTrace, "The transfer's control lines and pasv's notes"),
          ...authedErrors(404),
        },
      },
    },
    async (request) => {
      const transfer = transfers.get(request.params.id);
      return {
        transferId: transfer.id,
        name: transfer.name,
        source: transfer.source,
        destination: transfer.destination,
        ...traces.list(transfer.id),
      };
    },
  );
};
