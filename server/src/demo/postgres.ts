/**
 * A throwaway PostgreSQL for the cluster demo and the tests: Debian's server binaries,
 * initdb into a temp dir, the postmaster spawned directly (its PID is the child's) on a
 * loopback port, run by an unprivileged user, stopped by that PID and its dir removed.
 */
import { execFile, spawn, type SpawnOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { chown, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { createInterface } from 'node:readline';
import pg from 'pg';

export interface LocalPostgres {
  /** postgres://pasv:…@host:port/pasv */
  url: string;
  pid: number;
  dataDir: string;
  /** Creates an empty database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Fast shutdown by PID (SIGKILL after 15 s), then the temp dir is removed. */
  stop(): Promise<void>;
}

export interface StartPostgresOptions {
  port?: number;
  host?: string;
  /** Receives every line initdb and the server print; the last 50 go into startup errors anyway. */
  log?: (line: string) => void;
}

const USER = 'pasv';
// Durability off: these clusters live for one test run or one demo.
const SETTINGS = ['fsync=off', 'synchronous_commit=off', 'full_page_writes=off', 'max_connections=200'];

const hasServer = (dir: string): boolean => existsSync(join(dir, 'postgres')) && existsSync(join(dir, 'initdb'));

/** Where initdb and postgres are, or null: PASV_PG_BIN, else Debian's newest, else PATH. */
export function postgresBinDir(): string | null {
  const fromEnv = process.env.PASV_PG_BIN;
  if (fromEnv) return hasServer(fromEnv) ? fromEnv : null;
  const debian = '/usr/lib/postgresql';
  const versions = existsSync(debian) ? readdirSync(debian).filter((name) => /^\d+$/.test(name)) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a)).find((v) => hasServer(join(debian, v, 'bin')));
  if (newest) return join(debian, newest, 'bin');
  return (process.env.PATH ?? '').split(delimiter).find((dir) => dir && hasServer(dir)) ?? null;
}

const NO_BINARIES = 'PostgreSQL server binaries not found: apt-get install postgresql';
const NO_USER = 'running as root, but there is no "postgres" user to run PostgreSQL as: apt-get install postgresql';

/** PostgreSQL refuses to run as root, so root hands it to the account Debian's package creates. */
function postgresAccount(): { uid: number; gid: number } | null {
  const fields = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .map((line) => line.split(':'))
    .find(([name]) => name === 'postgres');
  return fields ? { uid: Number(fields[2]), gid: Number(fields[3]) } : null;
}

const isRoot = (): boolean => process.getuid?.() === 0;

/** Why startPostgres() cannot work on this machine, or null when it can. */
export function postgresUnavailable(): string | null {
  if (!postgresBinDir()) return NO_BINARIES;
  return isRoot() && !postgresAccount() ? NO_USER : null;
}

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().once('error', reject);
    probe.listen({ host, port: 0, exclusive: true }, () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no free port')),
      );
    });
  });
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function startPostgres(options: StartPostgresOptions = {}): Promise<LocalPostgres> {
  const bin = postgresBinDir();
  if (!bin) throw new Error(NO_BINARIES);
  const runAs = isRoot() ? postgresAccount() : undefined;
  if (runAs === null) throw new Error(NO_USER);
  const host = options.host ?? '127.0.0.1';
  const tail: string[] = [];
  let bindFailed = false;
  const record = (line: string): void => {
    tail.push(line);
    if (tail.length > 50) tail.shift();
    bindFailed ||= line.includes('Address already in use');
    options.log?.(line);
  };
  const failure = (message: string): Error => new Error(`${message}\n${tail.join('\n')}`.trim());

  const base = await mkdtemp(join(tmpdir(), 'pasv-postgres-'));
  liveDirs.add(base);
  installExitHook();
  const remove = async (): Promise<void> => {
    await rm(base, { recursive: true, force: true });
    liveDirs.delete(base);
  };
  const dataDir = join(base, 'data');
  const socketDir = join(base, 'socket');
  const pwFile = join(base, 'pwfile');
  const password = randomBytes(18).toString('base64url');
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C', HOME: base };
  const spawnOptions: SpawnOptions = { ...runAs, cwd: base, env };
  try {
    await mkdir(socketDir, { mode: 0o700 });
    await writeFile(pwFile, `${password}\n`, { mode: 0o600 });
    if (runAs) for (const path of [base, socketDir, pwFile]) await chown(path, runAs.uid, runAs.gid);
    const initdbArgs = [`--pgdata=${dataDir}`, `--username=${USER}`, `--pwfile=${pwFile}`, '--auth=scram-sha-256'];
    // --no-sync: a throwaway cluster need not survive a power cut.
    initdbArgs.push('--encoding=UTF8', '--locale=C', '--no-sync');
    await new Promise<void>((resolve, reject) => {
      execFile(join(bin, 'initdb'), initdbArgs, { ...spawnOptions, timeout: 60_000 }, (error, stdout, stderr) => {
        `${stdout}${stderr}`.split('\n').filter(Boolean).forEach(record);
        if (error) reject(failure(`initdb failed: ${error.message.split('\n')[0]}`));
        else resolve();
      });
    });
    await rm(pwFile);
    // From here on the error tail is the server's own.
    tail.length = 0;

    for (let attempt = 1; ; attempt++) {
      const port = options.port ?? (await freePort(host));
      const urlFor = (database: string): string =>
        `postgres://${USER}:${password}@${host.includes(':') ? `[${host}]` : host}:${port}/${database}`;
      const query = async (sql: string): Promise<void> => {
        const client = new pg.Client({ connectionString: urlFor('postgres'), connectionTimeoutMillis: 5_000 });
        await client.connect();
        try {
          await client.query(sql);
        } finally {
          await client.end();
        }
      };
      bindFailed = false;
      const args = ['-D', dataDir, '-p', String(port), '-h', host, '-k', socketDir];
      const server = await postmaster(
        join(bin, 'postgres'),
        [...args, ...SETTINGS.flatMap((setting) => ['-c', setting])],
        spawnOptions,
        record,
      ).catch((error: Error) => {
        throw failure(`cannot run postgres: ${error.message}`);
      });
      try {
        await waitReady(dataDir, server, () => query('SELECT 1'));
        await query(`CREATE DATABASE ${USER}`);
      } catch (error) {
        await server.stop();
        // Someone may take the port between freePort() and the bind (parallel tests).
        if (bindFailed && options.port === undefined && attempt < 3) continue;
        throw failure(`PostgreSQL did not start on ${host}:${port}: ${(error as Error).message}`);
      }
      return {
        url: urlFor(USER),
        pid: server.pid,
        dataDir,
        async createDatabase(name) {
          if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name))
            throw new Error(`database name ${JSON.stringify(name)}: use a-z, 0-9 and _`);
          await query(`CREATE DATABASE ${name}`);
          return urlFor(name);
        },
        async stop() {
          await server.stop();
          await remove();
        },
      };
    }
  } catch (error) {
    await remove();
    throw error;
  }
}

interface Postmaster {
  pid: number;
  exited(): boolean;
  stop(): Promise<void>;
}

async function postmaster(
  command: string,
  args: string[],
  options: SpawnOptions,
  record: (line: string) => void,
): Promise<Postmaster> {
  // Its own process group, so a Ctrl-C meant for the demo does not stop the database under it.
  const child = spawn(command, args, { ...options, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  for (const stream of [child.stdout!, child.stderr!]) createInterface({ input: stream }).on('line', record);
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exit.then(() => (exited = true));
  const pid = await new Promise<number>((resolve, reject) => {
    child.once('spawn', () => resolve(child.pid!));
    child.once('error', reject);
  });
  livePids.add(pid);
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      // SIGINT is PostgreSQL's fast shutdown: roll back open sessions, checkpoint, exit.
      if (!exited) signal(pid, 'SIGINT');
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), 15_000)));
      if (await Promise.race([exit.then(() => false), late])) {
        signal(pid, 'SIGKILL');
        await exit;
      }
      clearTimeout(timer);
      livePids.delete(pid);
    })());
  return { pid, exited: () => exited, stop };
}

/**
 * Ready once postmaster.pid names our PID with status "ready" and a query works: a bare
 * connect could reach whoever else holds the port.
 */
async function waitReady(dataDir: string, server: Postmaster, probe: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + 20_000;
  let lastError = 'not ready';
  while (Date.now() < deadline) {
    if (server.exited()) throw new Error('the server exited');
    let lines: string[] = [];
    try {
      lines = readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n');
    } catch {
      // not written yet
    }
    if (lines[0] === String(server.pid) && lines[7]?.trim() === 'ready') {
      try {
        return await probe();
      } catch (error) {
        lastError = (error as Error).message;
      }
    }
    await sleep(50);
  }
  throw new Error(`not accepting connections after 20 s (${lastError})`);
}

const livePids = new Set<number>();
const liveDirs = new Set<string>();
let exitHookInstalled = false;

/** A forgotten stop() or a crashed test must not leave a server or its files behind. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const pid of livePids) signal(pid, 'SIGKILL');
    for (const dir of liveDirs) rmSync(dir, { recursive: true, force: true });
  });
}
