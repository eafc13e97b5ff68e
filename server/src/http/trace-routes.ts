/** A transfer's story: its files' control lines and pasv's notes between them (transfers/trace.ts). */
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ErrorBody, IdParams, TransferTrace } from '../../../contract/index.js';

export const traceRoutes: FastifyPluginAsync = async (root) => {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const { transfers, traces } = app.services;
  app.get(
    '/api/transfers/:id/trace',
    { schema: { params: IdParams, response: { 200: TransferTrace, 404: ErrorBody } } },
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
