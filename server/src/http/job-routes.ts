/** Mirror jobs and their runs (mirror/service.ts). Registered inside the authed block. */
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import {
  IdParams,
  Job,
  JobCreate,
  JobPatch,
  Run,
  RunEntriesPage,
  RunEntriesQuery,
  RunRequest,
} from '../../../contract/index.js';
import { authedErrors, described, noContent } from './responses.js';

export const jobRoutes: FastifyPluginAsync = async (root) => {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const { mirror } = app.services;

  app.get(
    '/api/jobs',
    { schema: { response: { 200: described(Type.Array(Job), 'Every mirror job'), ...authedErrors() } } },
    async () => mirror.list(),
  );
  app.post(
    '/api/jobs',
    { schema: { body: JobCreate, response: { 201: described(Job, 'The job as saved'), ...authedErrors(404) } } },
    async (request, reply) => reply.code(201).send(mirror.create(request.body)),
  );
  app.get(
    '/api/jobs/:id',
    { schema: { params: IdParams, response: { 200: described(Job, 'The job'), ...authedErrors(404) } } },
    async (request) => mirror.get(request.params.id),
  );
  app.patch(
    '/api/jobs/:id',
    {
      schema: {
        params: IdParams,
        body: JobPatch,
        response: { 200: described(Job, 'The job as saved'), ...authedErrors(404) },
      },
    },
    async (request) => mirror.update(request.params.id, request.body),
  );
  app.delete(
    '/api/jobs/:id',
    { schema: { params: IdParams, response: { 204: noContent('Deleted'), ...authedErrors(404) } } },
    async (request, reply) => {
      mirror.remove(request.params.id);
      return reply.code(204).send();
    },
  );
  app.post(
    '/api/jobs/:id/run',
    {
      schema: {
        params: IdParams,
        body: RunRequest,
        response: { 202: described(Run, 'The run, started'), ...authedErrors(404, 409) },
      },
      // A POST with no body at all is a plain run.
      preValidation: async (request) => void (request.body ??= {}),
    },
    async (request, reply) => reply.code(202).send(mirror.run(request.params.id, request.body)),
  );
  app.get(
    '/api/jobs/:id/runs',
    {
      schema: {
        params: IdParams,
        response: { 200: described(Type.Array(Run), "The job's runs, newest first"), ...authedErrors(404) },
      },
    },
    async (request) => mirror.runsOf(request.params.id),
  );
  app.get(
    '/api/runs/:id',
    { schema: { params: IdParams, response: { 200: described(Run, 'The run'), ...authedErrors(404) } } },
    async (request) => mirror.getRun(request.params.id),
  );
  app.post(
    '/api/runs/:id/cancel',
    {
      schema: {
        params: IdParams,
        response: { 200: described(Run, 'The run, cancelling'), ...authedErrors(404, 409) },
      },
    },
    async (request) => mirror.cancelRun(request.params.id),
  );
  app.get(
    '/api/runs/:id/entries',
    {
      schema: {
        params: IdParams,
        querystring: RunEntriesQuery,
        response: { 200: described(RunEntriesPage, "One page of a run's entries"), ...authedErrors(404) },
      },
    },
    async (request) => mirror.entries(request.params.id, request.query),
  );
};
