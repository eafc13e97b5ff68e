/**
 * Configuration from the environment, or the same names as CLI flags
 * (`--port 9000`, `--data-dir ./x`). See ../shared/design/api.md.
 */
import path from 'node:path';
import { parseAllowList, type HostPolicy } from './sites/host-policy.js';

/** What a process runs: the API and WebSocket hub (web), the scheduler and FTP engine (worker), or both. */
export type Role = 'all' | 'web' | 'worker';

export interface AppConfig {
  role: Role;
  /** PostgreSQL (postgres://…) shared by every node; unset, SQLite in dataDir (one process). */
  databaseUrl?: string;
  /**
   * The master key sealing credentials (base64 of 32 bytes), or a file holding it: on
   * PostgreSQL every node must have the same one, and it is never stored in the database.
   * Unset, dataDir/master.key (created on first start).
   */
  masterKey?: string;
  masterKeyFile?: string;
  /** The egress tags this node announces (sites pinned to a tag are worked only by nodes with it). */
  egressTags: string[];
  host: string;
  port: number;
  dataDir: string;
  /** The admin password; when unset, one is generated on first start. */
  password?: string;
  apiToken?: string;
  /** Host headers answered besides the listen address and localhost on its port (DNS rebinding). */
  allowedHosts: string[];
  /** Origins allowed to open the WebSocket besides the app's own. */
  allowedOrigins: string[];
  hostPolicy: HostPolicy;
  /** Files copied at once. */
  concurrency: number;
  /** Where the built web app is (served at /). */
  webDir: string;
  /** Set the Secure flag on the session cookie (behind an https proxy). */
  secureCookie: boolean;
  logLevel: string;
}

const FLAGS: Record<string, string> = {
  role: 'PASV_ROLE',
  'database-url': 'PASV_DATABASE_URL',
  'master-key-file': 'PASV_MASTER_KEY_FILE',
  'egress-tags': 'PASV_EGRESS_TAGS',
  host: 'PASV_HOST',
  port: 'PASV_PORT',
  'data-dir': 'PASV_DATA_DIR',
  password: 'PASV_PASSWORD',
  'api-token': 'PASV_API_TOKEN',
  'allowed-hosts': 'PASV_ALLOWED_HOSTS',
  'allowed-origins': 'PASV_ALLOWED_ORIGINS',
  'allow-private-hosts': 'PASV_ALLOW_PRIVATE_HOSTS',
  'allow-link-local': 'PASV_ALLOW_LINK_LOCAL',
  'pasv-allow': 'PASV_PASV_ALLOW',
  concurrency: 'PASV_CONCURRENCY',
  'web-dir': 'PASV_WEB_DIR',
  'secure-cookie': 'PASV_SECURE_COOKIE',
  'log-level': 'PASV_LOG_LEVEL',
};

export function readConfig(argv: string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): AppConfig {
  const values: Record<string, string | undefined> = { ...env };
  for (let i = 0; i < argv.length; i++) {
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(argv[i]!);
    const name = match && FLAGS[match[1]!];
    if (!match || !name) throw new Error(`unknown argument ${argv[i]}; flags: ${Object.keys(FLAGS).map((f) => `--${f}`).join(' ')}`);
    values[name] = match[2] ?? argv[++i];
  }
  const port = Number(values.PASV_PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PASV_PORT must be a port number, not ${values.PASV_PORT}`);
  const concurrency = Number(values.PASV_CONCURRENCY ?? 4);
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error('PASV_CONCURRENCY must be a positive integer');
  const role = (values.PASV_ROLE ?? 'all') as Role;
  if (!['all', 'web', 'worker'].includes(role)) throw new Error(`PASV_ROLE must be all, web or worker, not ${role}`);
  const databaseUrl = values.PASV_DATABASE_URL || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new Error('PASV_DATABASE_URL must be a postgres:// URL');
  }
  if (role !== 'all' && !databaseUrl) {
    throw new Error(`--role ${role} needs PASV_DATABASE_URL: the nodes of a cluster share one PostgreSQL (SQLite is for one process)`);
  }
  const masterKey = values.PASV_MASTER_KEY || undefined;
  const masterKeyFile = values.PASV_MASTER_KEY_FILE ? path.resolve(values.PASV_MASTER_KEY_FILE) : undefined;
  if (databaseUrl && !masterKey && !masterKeyFile) {
    throw new Error(
      'PASV_DATABASE_URL needs PASV_MASTER_KEY_FILE (or PASV_MASTER_KEY): every node seals and opens credentials with the same key, which is never stored in the database',
    );
  }
  const egressTags = list(values.PASV_EGRESS_TAGS);
  const badTag = egressTags.find((tag) => !EGRESS_TAG.test(tag));
  if (badTag) throw new Error(`PASV_EGRESS_TAGS: "${badTag}" is not a tag (lower-case letters, digits and -)`);
  return {
    role,
    databaseUrl,
    egressTags,
    masterKey,
    masterKeyFile,
    host: values.PASV_HOST ?? '127.0.0.1',
    port,
    dataDir: path.resolve(values.PASV_DATA_DIR ?? './data'),
    password: values.PASV_PASSWORD || undefined,
    apiToken: values.PASV_API_TOKEN || undefined,
    allowedHosts: list(values.PASV_ALLOWED_HOSTS),
    allowedOrigins: list(values.PASV_ALLOWED_ORIGINS),
    hostPolicy: {
      allowPrivate: values.PASV_ALLOW_PRIVATE_HOSTS !== 'false',
      allowLinkLocal: values.PASV_ALLOW_LINK_LOCAL === 'true',
      pasvAllow: parseAllowList(values.PASV_PASV_ALLOW ?? ''),
    },
    concurrency,
    webDir: path.resolve(values.PASV_WEB_DIR ?? 'dist/web'),
    secureCookie: values.PASV_SECURE_COOKIE === 'true',
    logLevel: values.PASV_LOG_LEVEL ?? 'info',
  };
}

/** What an egress tag may be: it names job queues (cluster/dispatch.ts). */
export const EGRESS_TAG = /^[a-z0-9][a-z0-9-]{0,31}$/;

/** A comma-separated setting. */
function list(value: string | undefined): string[] {
  return (value ?? '').split(',').map((item) => item.trim()).filter(Boolean);
}
