/**
 * A job's input checked and turned into its columns: each end's site must exist and its dir
 * be a safe absolute path, the two ends must not overlap, and a webhook's secret is sealed
 * to the job and its URL. A refusal names the field (400 invalid_field).
 */
import type { JobCreate } from '../../../contract/index.js';
import { InvalidFieldError, NotFoundError } from '../errors.js';
import { UnsafeArgumentError } from '../ftp/errors.js';
import { normalizeRemotePath } from '../ftp/path.js';
import type { SecretBox } from '../sites/secrets.js';
import type { SitesService } from '../sites/service.js';
import { validateWebhookUrl } from './notify.js';
import type { JobRow } from './store.js';

export interface Endpoint {
  siteId: string;
  dir: string;
}

export class JobInput {
  constructor(
    private readonly sites: SitesService,
    private readonly secrets: SecretBox,
  ) {}

  /** A job's end: its site must exist and its dir be a safe absolute path; the field is named otherwise. */
  endpoint(field: 'source' | 'destination', input: Endpoint): Endpoint {
    try {
      this.sites.get(input.siteId);
    } catch (error) {
      if (error instanceof NotFoundError)
        throw new InvalidFieldError(`${field}.siteId`, `no site with id ${input.siteId}`);
      throw error;
    }
    try {
      return { siteId: input.siteId, dir: normalizeRemotePath(input.dir) };
    } catch (error) {
      if (error instanceof UnsafeArgumentError) throw new InvalidFieldError(`${field}.dir`, error.message);
      throw error;
    }
  }

  /** A sealed secret is bound to the job and its URL: a new URL without a new secret has none. */
  webhookColumns(
    jobId: string,
    input: JobCreate['webhook'] | null,
    current: JobRow | null,
  ): Pick<JobRow, 'webhook_url' | 'webhook_secret_enc'> {
    if (!input) return { webhook_url: null, webhook_secret_enc: null };
    validateWebhookUrl(input.url);
    if (input.secret)
      return {
        webhook_url: input.url,
        webhook_secret_enc: this.secrets.seal(input.secret, webhookContext(jobId, input.url)),
      };
    const keep = current?.webhook_url === input.url ? current.webhook_secret_enc : null;
    return { webhook_url: input.url, webhook_secret_enc: keep };
  }

  /** The job's webhook secret in clear, for signing; null without one. */
  webhookSecret(job: JobRow): string | null {
    return job.webhook_url && job.webhook_secret_enc
      ? this.secrets.open(job.webhook_secret_enc, webhookContext(job.id, job.webhook_url))
      : null;
  }
}

function webhookContext(jobId: string, url: string): string {
  return JSON.stringify(['webhook', jobId, url]);
}

/** On one site, neither dir may hold the other: the mirror would copy into what it compares. */
export function checkOverlap(source: Endpoint, destination: Endpoint): void {
  if (source.siteId !== destination.siteId) return;
  const within = (a: string, b: string) => a === b || b === '/' || a.startsWith(`${b}/`);
  if (within(source.dir, destination.dir) || within(destination.dir, source.dir)) {
    throw new InvalidFieldError(
      'destination.dir',
      `${destination.dir} overlaps the source dir ${source.dir} on the same site`,
    );
  }
}
