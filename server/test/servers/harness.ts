import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, normalize, sep } from 'node:path';
import type { Launched } from './launch.js';
import type { FtpServerKind, FxpSwitches, RunningFtpServer, StartFtpServerOptions, TlsMode } from './types.js';

/** Where scripts/install-test-servers.sh unpacks ProFTPD and pure-ftpd. */
export const serversDir = (): string => process.env.PASV_TEST_SERVERS_DIR ?? '/opt/pasv-test-servers';

// One system user shared by every server and every test process: PAM (vsftpd) needs a
// real account, and the password must be fixed because parallel workers all set it.
export const FTP_USER = 'pasvftp';
export const FTP_PASSWORD = 'pasv-test-pw';

export interface FtpAccount {
  user: string;
  password: string;
  uid: number;
  gid: number;
}

export function run(command: string, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(command, args, { timeout: 30_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(' ')}: ${error.message} ${stderr}`.trim()));
      else resolve(stdout);
    });
    // A command that exits without reading its input must not crash the caller with EPIPE.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(input ?? '');
  });
}

let account: Promise<FtpAccount> | undefined;

/** Creates the FTP test user when missing and (re)sets its password; safe across processes. */
export function ensureFtpUser(): Promise<FtpAccount> {
  account ??= (async () => {
    if (process.getuid?.() !== 0) throw new Error('the FTP test servers must be started as root');
    // flock serialises useradd/chpasswd between vitest workers; useradd would otherwise
    // fail on the /etc/passwd lock or with "already exists".
    const script = [
      `id -u ${FTP_USER} >/dev/null 2>&1 || useradd --create-home --home-dir /home/${FTP_USER} --shell /bin/bash --user-group ${FTP_USER}`,
      `mkdir -p /home/${FTP_USER}`,
      'chpasswd',
    ].join(' && ');
    await run('flock', [join(tmpdir(), 'pasv-test-ftpuser.lock'), 'sh', '-c', script], `${FTP_USER}:${FTP_PASSWORD}\n`);
    const [, , uid, gid] = (await run('getent', ['passwd', FTP_USER])).trim().split(':');
    return { user: FTP_USER, password: FTP_PASSWORD, uid: Number(uid), gid: Number(gid) };
  })();
  account.catch(() => (account = undefined));
  return account;
}

export interface ServerDir {
  /** Root-owned, traversable (0711): config, logs, keys. */
  base: string;
  /** The FTP root, owned by the FTP user. */
  root: string;
}

function safeRelative(path: string): string {
  const clean = normalize(path);
  if (!clean || clean.startsWith(sep) || clean === '.' || clean.split(sep).includes('..')) {
    throw new Error(`files: ${JSON.stringify(path)} must be a relative path inside the root`);
  }
  return clean;
}

/** Without an owner (the embedded server, run by any user) nothing is chowned. */
export async function makeServerDir(
  kind: FtpServerKind,
  owner: FtpAccount | undefined,
  files: Record<string, Buffer | string> = {},
): Promise<ServerDir> {
  const giveToOwner = async (path: string): Promise<void> => {
    if (owner) await chown(path, owner.uid, owner.gid);
  };
  const base = await mkdtemp(join(tmpdir(), `pasv-${kind}-`));
  await chmod(base, 0o711);
  const root = join(base, 'root');
  await mkdir(root, { mode: 0o755 });
  await giveToOwner(root);
  for (const [relative, content] of Object.entries(files)) {
    const clean = safeRelative(relative);
    let dir = root;
    for (const part of clean.split(sep).slice(0, -1)) {
      dir = join(dir, part);
      await mkdir(dir, { recursive: true, mode: 0o755 });
      await giveToOwner(dir);
    }
    const target = join(root, clean);
    await writeFile(target, content, { mode: 0o644 });
    await giveToOwner(target);
  }
  return { base, root };
}

export interface Certificate {
  certFile: string;
  keyFile: string;
  pem: string;
  keyPem: string;
  fingerprint256: string;
}

export async function makeCertificate(dir: string, address: string): Promise<Certificate> {
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  await run('openssl', [
    // P-256 rather than RSA: the key is made in milliseconds instead of half a second.
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    '7',
    '-keyout',
    keyFile,
    '-out',
    certFile,
    '-subj',
    '/CN=pasv test server',
    '-addext',
    `subjectAltName=IP:${address}`,
  ]);
  await chmod(keyFile, 0o600);
  const pem = await readFile(certFile, 'utf8');
  const keyPem = await readFile(keyFile, 'utf8');
  return { certFile, keyFile, pem, keyPem, fingerprint256: new X509Certificate(pem).fingerprint256 };
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
}

export const isIpv6 = (address: string): boolean => address.includes(':');

export function fxpSwitches(allowFxp: StartFtpServerOptions['allowFxp']): FxpSwitches {
  if (typeof allowFxp === 'object') return allowFxp;
  const allowed = allowFxp ?? true;
  return { activeToForeign: allowed, passiveFromForeign: allowed };
}

/** For servers with a single FXP switch: refuses a split they cannot express. */
export function singleFxpSwitch(kind: FtpServerKind, allowFxp: StartFtpServerOptions['allowFxp']): boolean {
  const { activeToForeign, passiveFromForeign } = fxpSwitches(allowFxp);
  if (activeToForeign !== passiveFromForeign) {
    throw new Error(`${kind} has one switch for active and passive FXP; it cannot allow only one`);
  }
  return activeToForeign;
}

/** The RunningFtpServer every launched kind hands back; stop() ends it once and cleans up. */
export function runningServer(
  kind: FtpServerKind,
  s: {
    host: string;
    port: number;
    account: FtpAccount;
    root: string;
    launched: Launched;
    logFile?: string;
    tls: TlsMode;
    cert?: Certificate;
    passive: { min: number; max: number };
    cleanUp: () => Promise<void>;
  },
): RunningFtpServer {
  let stopped: Promise<void> | undefined;
  return {
    kind,
    host: s.host,
    port: s.port,
    user: s.account.user,
    password: s.account.password,
    root: s.root,
    pid: s.launched.pid,
    logFile: s.logFile,
    tls: s.tls,
    certFingerprint256: s.cert?.fingerprint256,
    certPem: s.cert?.pem,
    passivePorts: { min: s.passive.min, max: s.passive.max },
    stop: () => (stopped ??= s.launched.stop().then(s.cleanUp)),
  };
}
