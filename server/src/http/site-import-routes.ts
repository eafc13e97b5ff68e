/** Moving in: import sites from FileZilla, lftp or a pasv export, and export pasv's own. Registered behind auth. */
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { SiteExport, SiteExportBody, SiteImportBody, SiteImportResult } from '../../../contract/index.js';
import { SiteImportService } from '../sites/import/service.js';
import { authedErrors, described } from './responses.js';

export const siteImportRoutes: FastifyPluginAsync = async (root) => {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const imports = new SiteImportService(app.services.sites);

  app.post(
    '/api/sites/import',
    // A sitemanager.xml of a few thousand sites fits; the schema caps the text at 2 MB.
    {
      bodyLimit: 4 * 1024 * 1024,
      schema: {
        body: SiteImportBody,
        response: { 200: described(SiteImportResult, 'The preview, or what was imported'), ...authedErrors() },
      },
    },
    async (request) => imports.import(request.body),
  );
  app.post(
    '/api/sites/export',
    {
      schema: {
        body: SiteExportBody,
        response: { 200: described(SiteExport, 'The sites as pasv JSON'), ...authedErrors() },
      },
    },
    async (request) => imports.export(request.body),
  );
};
