/**
 * Import and export of sites. Parsing is pure (./filezilla, ./lftp, ./pasv-json); creating goes
 * through SitesService, so imported passwords are sealed at rest like any other and names are
 * checked the same way. Passwords never go back to the browser: the preview says only whether
 * a row has one.
 */
import {
  assertNever,
  type ImportCandidateView,
  type SiteExport,
  type SiteExportBody,
  type SiteImportBody,
  type SiteImportResult,
} from '../../../../contract/index.js';
import { describeError, InvalidFieldError } from '../../errors.js';
import type { SitesService } from '../service.js';
import type { ImportCandidate } from './candidate.js';
import { parseFileZilla } from './filezilla.js';
import { parseLftpBookmarks } from './lftp.js';
import { parsePasvExport, sealPasswords } from './pasv-json.js';

const MAX_ROWS = 5000;

async function parse(body: SiteImportBody): Promise<ImportCandidate[]> {
  switch (body.format) {
    case 'filezilla':
      return parseFileZilla(body.text);
    case 'lftp':
      return parseLftpBookmarks(body.text);
    case 'pasv':
      return parsePasvExport(body.text, body.passphrase);
    default:
      return assertNever(body.format);
  }
}

export class SiteImportService {
  constructor(private readonly sites: SitesService) {}

  async import(body: SiteImportBody): Promise<SiteImportResult> {
    const candidates = await parse(body);
    if (candidates.length > MAX_ROWS) throw new InvalidFieldError('text', `more than ${MAX_ROWS} sites`);
    const taken = new Set(this.sites.list().map((site) => site.name.toLowerCase()));
    const views: ImportCandidateView[] = candidates.map((candidate, index) => {
      const duplicate = taken.has(candidate.name.toLowerCase());
      taken.add(candidate.name.toLowerCase());
      return {
        index,
        name: candidate.name,
        host: candidate.host,
        port: candidate.port,
        user: candidate.user,
        tls: candidate.tls,
        hasPassword: Boolean(candidate.password),
        duplicate,
        ...(candidate.unsupported ? { unsupported: candidate.unsupported } : {}),
      };
    });
    const result: SiteImportResult = { candidates: views, created: [], failed: [] };
    if (body.dryRun) return result;
    const take =
      body.take ??
      views.filter((view) => !view.duplicate && !view.unsupported).map(({ index, name }) => ({ index, name }));
    for (const { index, name } of take) {
      const candidate = candidates[index];
      if (!candidate) throw new InvalidFieldError('take', `no row ${index} in this file`);
      if (candidate.unsupported) {
        result.failed.push({ index, name, error: { code: 'unsupported', message: candidate.unsupported } });
        continue;
      }
      try {
        const site = await this.sites.create({
          name,
          host: candidate.host,
          port: candidate.port,
          user: candidate.user,
          tls: candidate.tls,
          ...(candidate.password ? { password: candidate.password } : {}),
          ...(candidate.passive ? { passive: candidate.passive } : {}),
          ...candidate.settings,
        });
        result.created.push({ index, id: site.id, name: site.name });
      } catch (error) {
        result.failed.push({ index, name, error: describeError(error) });
      }
    }
    return result;
  }

  async export(body: SiteExportBody): Promise<SiteExport> {
    if (body.withPasswords && !body.passphrase)
      throw new InvalidFieldError('passphrase', 'passwords are exported only sealed with a passphrase');
    const list = this.sites.list();
    const sites = list.map((site) => ({
      name: site.name,
      host: site.host,
      port: site.port,
      user: site.user,
      tls: site.tls,
      fingerprint256: site.fingerprint256,
      maxConnections: site.maxConnections,
      passive: site.passive,
      relayAllowed: site.relayAllowed,
      allowClearData: site.allowClearData,
      pasvAddress: site.pasvAddress,
      pret: site.pret,
      egress: site.egress ?? null,
    }));
    const document: SiteExport = { format: 'pasv-sites', version: 1, exportedAt: new Date().toISOString(), sites };
    if (body.withPasswords && body.passphrase) {
      const passwords: Record<string, string> = {};
      list.forEach((site, index) => {
        const password = site.hasPassword ? this.sites.connectionOptions(site.id).password : undefined;
        if (password) passwords[String(index)] = password;
      });
      document.passwords = await sealPasswords(passwords, body.passphrase);
    }
    return document;
  }
}
